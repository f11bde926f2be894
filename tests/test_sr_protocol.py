"""One SR protocol: the bench's evaluator scores exactly as ``benchmarks/srgan_set5.py`` (``evaluate_sr``:
8-bit output, tiled, the scale cropped from every border)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo.metrics.evaluate import EvalContext, EvalSettings, build_evaluator
from ganzoo.metrics.sr import evaluate_sr


@pytest.mark.slow
def test_bench_scoring_and_the_set5_benchmark_agree(tmp_path: Path, data_dir: Path) -> None:
    run = ganzoo.train(
        "srgan",
        "sr-pairs",
        out=tmp_path / "sr",
        train={"steps": 1, "batch_size": 2},
        model={"blocks": 1, "channels": 8, "d_channels": 8, "d_dense": 16, "pretrain_steps": 1, "grid_crops": 2},
        data={"hr_size": 24, "root": str(data_dir / "Set14")},
    )
    context = EvalContext(run.spec, ganzoo.get_spec("sr-pairs"), str(data_dir / "Set5"))
    data = ganzoo.load_dataset("set5", root=str(data_dir / "Set5"))
    evaluator = build_evaluator(data, EvalSettings(samples=5), context)
    bench = evaluator.evaluate(run.module)
    module = run.module.eval()
    expected = evaluate_sr(data.dataset, lambda lr: module.sample(len(lr), lr=lr)["image"])["mean"]
    assert bench == pytest.approx({"psnr": expected["psnr"], "ssim": expected["ssim"]}, abs=1e-9)
    assert torch.isfinite(torch.tensor(bench["psnr"]))
