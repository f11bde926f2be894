"""Longer learning runs of CGAN, InfoGAN and WGAN-GP on MNIST, scored with the cached MNIST classifier.

    python benchmarks/image_gans.py [--models cgan infogan wgan-gp] [--profile full|tests|long]

Prints the evidence numbers per model (CGAN label accuracy, InfoGAN code accuracy after majority
matching, WGAN-GP Wasserstein estimate and class coverage) against steps and time, and writes them to
``benchmarks/results/image_gans_<profile>_<model>.json`` (one file per model, so models can run in
parallel processes).
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
from ganzoo.bench.system import cpu_seconds
from ganzoo.metrics.classifier import class_fractions, load_classifier

RESULTS = Path(__file__).resolve().parent / "results"
_FP32 = ["train.precision=fp32"]  # bf16 autocast is about 2x slower than fp32 on this project's CPUs
# Per profile and model: training steps, evaluation interval and config overrides. "tests" repeats the
# test suite's learning runs; "full" is the longer run on all 60,000 images (paper hyper-parameters but
# narrower networks, and CGAN at lr 1e-3 with batch 32, so it fits a 2-core CPU in minutes).
_CGAN = ["model.g_channels=32", "model.d_channels=16", "train.lr=1e-3", "train.batch_size=32"]
PROFILES: dict[str, dict[str, tuple[int, int, list[str]]]] = {
    "tests": {
        "cgan": (2500, 100, [*_CGAN, "data.limit=10000", *_FP32]),
        "infogan": (600, 100, ["model.g_channels=16", "model.d_channels=16", "data.limit=10000", *_FP32]),
        "wgan-gp": (200, 100, ["model.g_channels=16", "model.d_channels=16", "data.limit=10000", *_FP32]),
    },
    "full": {
        "cgan": (5000, 100, [*_CGAN, *_FP32]),
        "infogan": (1500, 100, ["model.g_channels=16", "model.d_channels=16", *_FP32]),
        "wgan-gp": (5000, 100, ["model.g_channels=16", "model.d_channels=16", *_FP32]),
    },
    # InfoGAN's code keeps sorting digits slowly past the full run (wider networks did worse: 34% at 4,000 steps).
    "long": {"infogan": (6000, 100, ["model.g_channels=16", "model.d_channels=16", *_FP32])},
}


def evaluate(model: str, module: Any, classifier: Any, n: int = 1000) -> dict[str, Any]:
    """The model's evidence metric(s) from ``n`` fresh samples."""
    if model == "cgan":
        from ganzoo_plugins.cgan.evaluation import label_accuracy

        per_class = label_accuracy(module, classifier, per_class=n // 10)
        return {"label_accuracy": sum(per_class) / len(per_class), "per_class": [round(a, 3) for a in per_class]}
    if model == "infogan":
        from ganzoo_plugins.infogan.evaluation import code_class_table, majority_matched_accuracy, one_to_one_accuracy

        table = code_class_table(module, classifier, n)
        return {
            "code_accuracy": majority_matched_accuracy(table),
            "one_to_one_accuracy": one_to_one_accuracy(table),
            "largest_class_share": (table.sum(0).max() / table.sum()).item(),
            "code_to_class": table.argmax(1).tolist(),
        }
    was_training = module.training
    module.eval()
    with torch.no_grad():
        images = module.sample(n, torch.Generator(module.device).manual_seed(0))["image"].float()
    module.train(was_training)
    fractions = class_fractions(classifier, images)
    return {"min_class_fraction": fractions.min().item(), "class_fractions": [round(f, 3) for f in fractions.tolist()]}


class Evaluator(ganzoo.Callback):
    """Scores the model every ``every`` steps and at the end, with wall and CPU time since the start."""

    def __init__(self, model: str, classifier: Any, every: int) -> None:
        self.model, self.classifier, self.every = model, classifier, every
        self.records: list[dict[str, Any]] = []
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()

    def on_step_end(self, trainer: Any) -> None:
        if trainer.step % self.every == 0:
            self.records.append(
                {
                    "step": trainer.step,
                    "wall_min": round((time.perf_counter() - self.wall) / 60, 2),
                    "cpu_min": round((cpu_seconds() - self.cpu) / 60, 2),
                    **evaluate(self.model, trainer.module, self.classifier),
                }
            )
            print(json.dumps(self.records[-1]), flush=True)


def wasserstein_trend(fit: ganzoo.Run) -> dict[str, float]:
    """Mean Wasserstein estimate over the first and the last tenth of the logged steps."""
    values = [r["wasserstein"] for r in fit.metrics() if "wasserstein" in r]
    tenth = max(1, len(values) // 10)
    return {"first_tenth": sum(values[:tenth]) / tenth, "last_tenth": sum(values[-tenth:]) / tenth, "peak": max(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", help="models to run (default: all of the profile's)")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full")
    parser.add_argument("--steps", type=int, default=0, help="override the profile's training steps")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra config overrides, after the profile's",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder for the JSON files")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch default)")
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    missing = sorted(set(args.models or []) - set(PROFILES[args.profile]))
    if missing:
        known = ", ".join(PROFILES[args.profile])
        parser.error(f"profile {args.profile!r} has no {', '.join(missing)}; it runs {known}")
    if args.threads:
        torch.set_num_threads(args.threads)
    classifier = load_classifier(args.dataset)
    results: dict[str, Any] = {
        "dataset": args.dataset,
        "profile": args.profile,
        "classifier_test_accuracy": classifier.test_accuracy,
        "machine": {
            "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "load_average_at_start": os.getloadavg(),
            "platform": platform.platform(),
        },
    }
    with tempfile.TemporaryDirectory() as runs:
        for model in args.models or list(PROFILES[args.profile]):
            steps, every, overrides = PROFILES[args.profile][model]
            steps, overrides = args.steps or steps, [*overrides, *args.overrides]
            evaluator = Evaluator(model, classifier, every)
            settings = [
                f"train.steps={steps}",
                "train.sample_every=100000",
                "train.checkpoint_every=100000",
                *overrides,
            ]
            started = time.perf_counter()
            fit = ganzoo.train(
                model, args.dataset, Path(runs) / model, sets=settings, device=args.device, callbacks=[evaluator]
            )
            entry = {
                "steps": fit.step,
                "overrides": overrides,
                "wall_min": round((time.perf_counter() - started) / 60, 2),
                "cpu_min": evaluator.records[-1]["cpu_min"] if evaluator.records else None,
                "final": evaluator.records[-1] if evaluator.records else None,
                "curve": evaluator.records,
                "load_average_at_end": os.getloadavg(),
            }
            if model == "wgan-gp":
                entry["wasserstein"] = wasserstein_trend(fit)
            out_path = args.results / f"image_gans_{args.profile}_{model}.json"
            args.results.mkdir(parents=True, exist_ok=True)
            out_path.write_text(json.dumps({**results, "model": model, **entry}, indent=2) + "\n")
            print(f"wrote {out_path}")


if __name__ == "__main__":
    main()
