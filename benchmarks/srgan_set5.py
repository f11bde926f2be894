"""SRResNet (SRGAN's MSE pre-training phase) trained on Set14 crops, scored on Set5 beside bicubic.

Trains through the normal runner (``ganzoo run srgan --dataset sr-pairs``) with the adversarial phase
switched off (``model.pretrain_steps >= train.steps``), evaluates Set5 (Y channel, 4-pixel border, 8-bit
output) every ``--eval-every`` steps, and writes the curve and the final numbers to
``benchmarks/results/srgan_set5.json`` (``srgan_set5_bicubic_residual.json`` with ``--bicubic-residual``) after
every evaluation, so a stopped run keeps what it measured.
Set5 and Set14 are disjoint, so Set5 is a held-out test. ``--minutes`` stops training at the first
evaluation past that wall-clock budget.

    python benchmarks/srgan_set5.py --steps 3000 --minutes 45
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

import ganzoo
from ganzoo.metrics.sr import evaluate_sr
from ganzoo_plugins.sr_data.pairs import SRImageFolder, image_files

RESULTS_DIR = Path(__file__).resolve().parent / "results"
PAPER = {
    "bicubic": {"psnr": 28.43, "ssim": 0.8211},
    "srresnet": {"psnr": 32.05, "ssim": 0.9019},
    "srgan": {"psnr": 29.40, "ssim": 0.8472},
}


class OutOfTime(Exception):
    """Raised by the evaluator once the wall-clock budget is spent (after recording that evaluation)."""


class Set5Evaluator(ganzoo.Callback):
    """Scores the generator on Set5 every ``every`` steps and at the end; rewrites the results file."""

    def __init__(self, test_set: SRImageFolder, every: int, minutes: float, record: dict, results: Path) -> None:
        self.test_set, self.every, self.budget_s, self.record = test_set, every, minutes * 60, record
        self.results = results
        self.started = time.perf_counter()

    def _evaluate(self, trainer: Any) -> None:
        module = trainer.module
        was_training = module.training
        module.eval()
        scores = evaluate_sr(self.test_set, lambda lr: module.sample(len(lr), lr=lr.to(module.device))["image"])
        module.train(was_training)
        minutes = (time.perf_counter() - self.started) / 60
        mean = scores["mean"]
        point = {
            "step": trainer.step,
            "minutes": round(minutes, 2),
            "psnr": round(mean["psnr"], 3),
            "ssim": round(mean["ssim"], 4),
        }
        self.record["curve"].append(point)
        self.record.update(
            steps=trainer.step,
            minutes=point["minutes"],
            set5={
                "bicubic": {"psnr": round(mean["bicubic_psnr"], 3), "ssim": round(mean["bicubic_ssim"], 4)},
                "srresnet": {"psnr": point["psnr"], "ssim": point["ssim"]},
                "psnr_gain_over_bicubic_db": round(mean["psnr"] - mean["bicubic_psnr"], 3),
                "ssim_gain_over_bicubic": round(mean["ssim"] - mean["bicubic_ssim"], 4),
                "per_image": scores["images"],
            },
        )
        self.results.parent.mkdir(parents=True, exist_ok=True)
        self.results.write_text(json.dumps(self.record, indent=2) + "\n")
        print(json.dumps(point), flush=True)
        if minutes * 60 > self.budget_s:
            raise OutOfTime

    def on_step_end(self, trainer) -> None:  # noqa: ANN001
        if trainer.step % self.every == 0:
            self._evaluate(trainer)

    def on_fit_end(self, trainer) -> None:  # noqa: ANN001
        if not self.record["curve"] or self.record["curve"][-1]["step"] != trainer.step:
            self._evaluate(trainer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument("--minutes", type=float, default=60.0, help="stop at the first evaluation past this")
    parser.add_argument("--blocks", type=int, default=4)
    parser.add_argument("--channels", type=int, default=16)
    parser.add_argument("--hr-size", type=int, default=48)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--bicubic-residual",
        action="store_true",
        help="add the bicubic input to the output (model.bicubic_residual; not the paper's)",
    )
    parser.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "ganzoo-bench" / "srgan-set5"))
    args = parser.parse_args()

    root = ganzoo.data_root(None)
    overrides = [
        f"data.root={root / 'Set14'}",
        f"data.hr_size={args.hr_size}",
        f"train.steps={args.steps}",
        f"model.pretrain_steps={args.steps}",
        f"model.blocks={args.blocks}",
        f"model.channels={args.channels}",
        f"train.batch_size={args.batch_size}",
        f"train.lr={args.lr}",
        "train.sample_every=500",
        f"train.checkpoint_every={args.steps}",
        "train.log_every=50",
        "train.precision=fp32",
        f"model.bicubic_residual={str(args.bicubic_residual).lower()}",
    ]
    results = RESULTS_DIR / ("srgan_set5_bicubic_residual.json" if args.bicubic_residual else "srgan_set5.json")
    test_set = SRImageFolder(image_files(root / "Set5"), scale=4, hr_size=0)
    record: dict = {
        "benchmark": "SRResNet (srgan pretrain phase) trained on Set14 random crops, tested on Set5 (x4)"
        + (", with a bicubic residual (not the paper's)" if args.bicubic_residual else ""),
        "protocol": "Y channel (BT.601), 4-pixel border cropped, 8-bit SR output, PIL bicubic LR and baseline",
        "train_data": f"{root / 'Set14'} (14 images, disjoint from Set5)",
        "overrides": overrides,
        "seed": args.seed,
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores, load average "
        f"{os.getloadavg()[0]:.1f} at start, torch {torch.__version__}, device cpu",
        "paper_set5": PAPER,
        "curve": [],
    }
    evaluator = Set5Evaluator(test_set, args.eval_every, args.minutes, record, results)
    try:
        ganzoo.train("srgan", "sr-pairs", args.out, sets=overrides, device="cpu", seed=args.seed, callbacks=[evaluator])
        record["stopped"] = "finished all steps"
    except OutOfTime:
        record["stopped"] = f"time budget of {args.minutes} minutes spent"
    results.write_text(json.dumps(record, indent=2) + "\n")
    print(
        json.dumps(
            {k: record[k] for k in ("steps", "minutes", "stopped")}
            | {"set5": {k: v for k, v in record["set5"].items() if k != "per_image"}},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
