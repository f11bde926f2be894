"""Export a run's generator: safetensors weights (+ a JSON config beside), TorchScript or ONNX.

The exported function is the model's own ``generate``: its inputs are what ``draw`` gives it (the latent
``z``, and ``label`` for class-conditional models, InfoGAN's ``code`` and ``continuous``), or the LR image
for super-resolution; the output is the generator's sample (images in [-1, 1]). The JSON beside a
safetensors file holds the run config and names the inputs with their shapes, so the weights load into a
generator built with ``ganzoo.create_model``. Text models sample token by token and are
refused.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any, Protocol, cast

import torch
from torch import nn

from ganzoo import config as cfg
from ganzoo.errors import UserError
from ganzoo.module import GANModule
from ganzoo.specs import IMAGE_PAIRS, TEXT

FORMATS = {".safetensors": "safetensors", ".pt": "torchscript", ".ts": "torchscript", ".onnx": "onnx"}
SR_EXAMPLE_SIDE = 16  # LR side of the example input a super-resolution export is traced with


class _Generating(Protocol):
    """What an exportable module has beside ``GANModule`` (``AdversarialGAN`` and its kin; checked by
    ``export_generator``): ``draw`` makes the generator's inputs, ``generate`` maps them to samples."""

    def draw(self, n: int, generator: torch.Generator | None = None) -> dict[str, torch.Tensor]: ...

    def generate(self, draw: dict[str, torch.Tensor]) -> torch.Tensor: ...


class Generate(nn.Module):
    """``module.generate`` as a module of positional tensors, in ``names`` order (what exporters trace).

    Exporters restore the training mode of the module they trace, recursively: build it in eval mode."""

    def __init__(self, module: GANModule, names: list[str]) -> None:
        super().__init__()
        self.module, self.names = module, names

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return cast(_Generating, self.module).generate(dict(zip(self.names, inputs)))


def example_inputs(module: GANModule, n: int = 2, seed: int = 0) -> dict[str, torch.Tensor]:
    """Named inputs of ``n`` samples for ``module.generate``, drawn with ``seed``."""
    generator = torch.Generator().manual_seed(seed)
    if module.info.kind == IMAGE_PAIRS:
        channels = module.info.shape[0] if module.info.shape else 3
        return {"lr": torch.rand(n, channels, SR_EXAMPLE_SIDE, SR_EXAMPLE_SIDE, generator=generator) * 2 - 1}
    draw = cast(_Generating, module).draw(n, generator)
    return {key: value for key, value in draw.items() if isinstance(value, torch.Tensor)}


def export_generator(module: GANModule, path: Path, format: str | None = None, batch: int | None = None) -> Path:
    """Write ``module``'s generator to ``path`` as ``format`` (from the suffix when ``None``); returns ``path``."""
    name = module.config["model"]["name"]
    format = format or FORMATS.get(path.suffix.lower())
    if format not in FORMATS.values():
        raise UserError(
            f"cannot tell the export format of {path.name}: give --format safetensors, torchscript "
            f"or onnx, or a .safetensors, .pt or .onnx file"
        )
    if module.info.kind == TEXT or not hasattr(module, "generate"):
        raise UserError(
            f"model '{name}' cannot be exported: only generators that map noise (or an LR image) to a "
            f"sample in one call export; text models sample token by token"
        )
    if batch is not None and batch < 1:
        raise UserError(f"--batch must be at least 1, got {batch}")
    module = module.eval().cpu()
    inputs = example_inputs(module, batch or 2)
    path.parent.mkdir(parents=True, exist_ok=True)
    if format == "safetensors":
        _write_safetensors(module, inputs, path, batch)
    elif format == "torchscript":
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter(
                "ignore", FutureWarning
            )  # torch.jit is deprecated, but TorchScript files load anywhere
            traced = torch.jit.trace(Generate(module, list(inputs)).eval(), tuple(inputs.values()), check_trace=False)
        traced.save(str(path))
    else:
        _write_onnx(module, inputs, path, batch)
    return path


def _write_safetensors(module: GANModule, inputs: dict[str, torch.Tensor], path: Path, batch: int | None) -> None:
    try:
        from safetensors.torch import save_file
    except ImportError:
        raise UserError("safetensors export needs the safetensors package: pip install 'ganzoo[export]'") from None
    generator = getattr(module, "generator", None)
    if not isinstance(generator, nn.Module):
        raise UserError(f"model '{module.config['model']['name']}' has no `generator` network to export")
    state = {key: value.detach().contiguous() for key, value in generator.state_dict().items()}
    save_file(state, str(path), metadata={"model": module.config["model"]["name"]})
    path.with_suffix(".json").write_text(json.dumps(describe(module, inputs, batch), indent=2) + "\n", encoding="utf-8")


def describe(module: GANModule, inputs: dict[str, torch.Tensor], batch: int | None) -> dict[str, Any]:
    """What an exported generator needs beside its weights: the run config, data info and inputs."""
    return {
        "model": module.config["model"]["name"],
        "dataset": module.info.name,
        "config": cfg.thaw(module.config),
        "data_info": module.info.to_dict(),
        "inputs": {
            key: {
                "shape": [batch, *value.shape[1:]] if batch else [None, *value.shape[1:]],
                "dtype": str(value.dtype).removeprefix("torch."),
            }
            for key, value in inputs.items()
        },
    }


def _write_onnx(module: GANModule, inputs: dict[str, torch.Tensor], path: Path, batch: int | None) -> None:
    try:
        import onnx  # noqa: F401  (torch's exporter needs it)
    except ImportError:
        raise UserError("onnx export needs the onnx package: pip install 'ganzoo[export]'") from None
    names = list(inputs)
    axes: dict[str, dict[int, str]] = {} if batch else {key: {0: "batch"} for key in names}
    if not batch:
        axes["sample"] = {0: "batch"}
    if module.info.kind == IMAGE_PAIRS:  # any LR size
        axes.setdefault("lr", {}).update({2: "height", 3: "width"})
        axes.setdefault("sample", {}).update({2: "out_height", 3: "out_width"})
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the TorchScript-based exporter: no onnxscript needed
        torch.onnx.export(
            Generate(module, names).eval(),
            tuple(inputs.values()),
            str(path),
            input_names=names,
            output_names=["sample"],
            dynamic_axes=axes or None,
            dynamo=False,
            opset_version=17,
        )
