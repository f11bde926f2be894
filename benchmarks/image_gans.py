"""Longer learning runs of CGAN, InfoGAN and WGAN-GP on MNIST, scored with the cached MNIST classifier.

    python benchmarks/image_gans.py [--models cgan infogan wgan-gp] [--profile full|quick]

Prints the evidence numbers per model (CGAN label accuracy, InfoGAN code accuracy after majority
matching, WGAN-GP Wasserstein estimate and class coverage) against steps and time, and writes them to
``benchmarks/results/image_gans_<profile>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

from ganzoo.metrics.classifier import class_fractions, load_classifier
from ganzoo.runner import RunRequest, run
from ganzoo.trainer.callbacks import Callback
from ganzoo.trainer.outputs import read_metrics

RESULTS = Path(__file__).resolve().parent / "results"
_SMALL = ["model.g_channels=32", "model.d_channels=32"]
# Per profile and model: training steps, evaluation interval and config overrides.
PROFILES: dict[str, dict[str, tuple[int, int, list[str]]]] = {
    "quick": {
        "cgan": (400, 100, [*_SMALL, "data.limit=10000"]),
        "infogan": (600, 150, [*_SMALL, "data.limit=10000"]),
        "wgan-gp": (400, 100, [*_SMALL, "data.limit=10000"]),
    },
    "full": {
        "cgan": (3000, 500, []),
        "infogan": (3000, 500, []),
        "wgan-gp": (2000, 500, []),
    },
}


def cpu_seconds() -> float:
    """User + system CPU time of this process (a load-independent measure on a shared machine)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def evaluate(model: str, module: Any, classifier: Any, n: int = 1000) -> dict[str, Any]:
    """The model's evidence metric(s) from ``n`` fresh samples."""
    if model == "cgan":
        from ganzoo_plugins.cgan.evaluation import label_accuracy

        per_class = label_accuracy(module, classifier, per_class=n // 10)
        return {"label_accuracy": sum(per_class) / len(per_class), "per_class": [round(a, 3) for a in per_class]}
    if model == "infogan":
        from ganzoo_plugins.infogan.evaluation import code_class_table, majority_matched_accuracy

        table = code_class_table(module, classifier, n)
        return {"code_accuracy": majority_matched_accuracy(table),
                "code_to_class": table.argmax(1).tolist()}
    was_training = module.training
    module.eval()
    with torch.no_grad():
        images = module.sample(n, torch.Generator(module.device).manual_seed(0))["image"].float()
    module.train(was_training)
    fractions = class_fractions(classifier, images)
    return {"min_class_fraction": fractions.min().item(), "class_fractions": [round(f, 3) for f in fractions.tolist()]}


class Evaluator(Callback):
    """Scores the model every ``every`` steps and at the end, with wall and CPU time since the start."""

    def __init__(self, model: str, classifier: Any, every: int) -> None:
        self.model, self.classifier, self.every = model, classifier, every
        self.records: list[dict[str, Any]] = []
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()

    def on_step_end(self, trainer: Any) -> None:
        if trainer.step % self.every == 0:
            self.records.append({"step": trainer.step, "wall_min": round((time.perf_counter() - self.wall) / 60, 2),
                                 "cpu_min": round((cpu_seconds() - self.cpu) / 60, 2),
                                 **evaluate(self.model, trainer.module, self.classifier)})
            print(json.dumps(self.records[-1]), flush=True)


def wasserstein_trend(run_dir: Path) -> dict[str, float]:
    """Mean Wasserstein estimate over the first and the last tenth of the logged steps."""
    values = [r["wasserstein"] for r in read_metrics(run_dir / "metrics.jsonl") if "wasserstein" in r]
    tenth = max(1, len(values) // 10)
    return {"first_tenth": sum(values[:tenth]) / tenth, "last_tenth": sum(values[-tenth:]) / tenth,
            "peak": max(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["cgan", "infogan", "wgan-gp"])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full")
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    classifier = load_classifier(args.dataset)
    results: dict[str, Any] = {
        "dataset": args.dataset, "profile": args.profile, "classifier_test_accuracy": classifier.test_accuracy,
        "machine": {"cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(),
                    "load_average_at_start": os.getloadavg(), "platform": platform.platform()},
        "models": {},
    }
    out_path = RESULTS / f"image_gans_{args.profile}.json"
    with tempfile.TemporaryDirectory() as runs:
        for model in args.models:
            steps, every, overrides = PROFILES[args.profile][model]
            evaluator = Evaluator(model, classifier, every)
            settings = [f"train.steps={steps}", "train.sample_every=100000", "train.checkpoint_every=100000",
                        *overrides]
            request = RunRequest(model, args.dataset, overrides=settings, out=str(Path(runs) / model),
                                 device=args.device)
            fit = run(request, show_progress=False, callbacks=[evaluator])
            entry = {"steps": fit.steps, "overrides": overrides, "wall_min": round(fit.seconds / 60, 2),
                     "cpu_min": evaluator.records[-1]["cpu_min"] if evaluator.records else None,
                     "final": evaluator.records[-1] if evaluator.records else None, "curve": evaluator.records,
                     "load_average_at_end": os.getloadavg()}
            if model == "wgan-gp":
                entry["wasserstein"] = wasserstein_trend(fit.run_dir)
            results["models"][model] = entry
            RESULTS.mkdir(parents=True, exist_ok=True)
            out_path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main()
