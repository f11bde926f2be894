"""``ganzoo export``: each format loads back without ganzoo internals and matches the PyTorch generator."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

import ganzoo

TINY = {"train": {"steps": 1, "batch_size": 8}, "model": {"g_channels": 8, "d_channels": 8}}


@pytest.fixture(scope="module", params=["dcgan", "cgan"])
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ganzoo.Run:
    return ganzoo.train(request.param, "digits", out=tmp_path_factory.mktemp("export") / "run", **TINY)


def _inputs(run: ganzoo.Run, n: int) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(5)
    inputs = {"z": torch.randn(n, run.config["model"]["z_dim"], generator=generator)}
    if "label" in run.spec.conditions:
        inputs["label"] = torch.arange(n) % 10
    return inputs


def _reference(run: ganzoo.Run, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
    with torch.no_grad():
        return run.module.generate(inputs)


def test_safetensors_load_into_a_fresh_generator(run: ganzoo.Run, tmp_path: Path, cli) -> None:
    from safetensors.torch import load_file

    code, out, _ = cli("export", run.dir, "-o", tmp_path / "g.safetensors")
    assert code == 0 and "g.json" in out
    meta = json.loads((tmp_path / "g.json").read_text())
    assert list(meta["inputs"]) == list(_inputs(run, 1)) and meta["inputs"]["z"]["shape"][0] is None
    config = meta["config"]
    fresh = ganzoo.create_model(
        meta["model"], meta["dataset"], model={k: v for k, v in config["model"].items() if k != "name"}, seed=99
    ).eval()
    fresh.generator.load_state_dict(load_file(tmp_path / "g.safetensors"))
    inputs = _inputs(run, 4)
    with torch.no_grad():
        assert torch.allclose(fresh.generate(inputs), _reference(run, inputs), atol=1e-5)


def test_torchscript_loads_with_torch_jit(run: ganzoo.Run, tmp_path: Path) -> None:
    run.export(tmp_path / "g.pt")
    loaded = torch.jit.load(str(tmp_path / "g.pt"))
    inputs = _inputs(run, 3)
    assert torch.allclose(loaded(*inputs.values()), _reference(run, inputs), atol=1e-5)


def test_onnx_runs_in_onnxruntime_with_a_dynamic_batch(run: ganzoo.Run, tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    run.export(tmp_path / "g.onnx")
    onnx.checker.check_model(str(tmp_path / "g.onnx"))
    session = ort.InferenceSession(str(tmp_path / "g.onnx"), providers=["CPUExecutionProvider"])
    for n in (1, 5):
        inputs = _inputs(run, n)
        (output,) = session.run(None, {k: v.numpy() for k, v in inputs.items()})
        assert np.allclose(output, _reference(run, inputs).numpy(), atol=1e-5)


def test_a_fixed_batch_and_refusals(tmp_path: Path, cli) -> None:
    run = ganzoo.train("dcgan", "digits", out=tmp_path / "r", **TINY)
    run.export(tmp_path / "fixed.json.safetensors", batch=3)
    assert json.loads((tmp_path / "fixed.json.json").read_text())["inputs"]["z"]["shape"][0] == 3
    code, _, err = cli("export", run.dir, "-o", tmp_path / "g.bin")
    assert code == 2 and "--format" in err
    code, _, err = cli("export", tmp_path / "missing", "-o", tmp_path / "g.pt")
    assert code == 2 and "does not exist" in err
