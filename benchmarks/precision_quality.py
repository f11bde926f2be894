"""Does bf16 autocast (ganzoo's CPU default where the CPU has native bf16) train as well as fp32?

Trains ganzoo's DCGAN on real MNIST with ``train.precision=fp32`` and ``bf16`` for the same steps and
seeds, then compares the loss curves (mean losses over the last quarter of training) and the MNIST
classifier's view of 2,000 samples from each final model: Frechet distance on the classifier's features,
classifier Inception Score, classes covered. The seed-to-seed spread of fp32 is the noise level that the
bf16-vs-fp32 differences are judged against.

    python benchmarks/precision_quality.py [--steps 300 --seeds 0,1]   # writes results/precision-quality.json/.md
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
from rich.console import Console

import ganzoo
from ganzoo.metrics.classes import class_coverage, inception_score
from ganzoo.metrics.classifier import load_classifier
from ganzoo.metrics.distances import fid

RESULTS = Path(__file__).resolve().parent / "results"
SAMPLES = 2000


@torch.no_grad()
def score(fit: ganzoo.Run, classifier: torch.nn.Module, real_features: torch.Tensor) -> dict[str, float]:
    """Classifier metrics of the run's final generator, sampled in fp32 from a fixed seed."""
    images = fit.module.sample(SAMPLES, generator=torch.Generator().manual_seed(0))["image"].float()
    features = classifier.features(images)
    logits = classifier.head(features)
    coverage = class_coverage(logits.argmax(1), 10)
    return {
        "classifier_fid": round(fid(real_features, features), 3),
        "classifier_is": round(inception_score(logits), 3),
        "classes": coverage["classes"],
        "class_kl": round(coverage["class_kl"], 4),
    }


def late_losses(fit: ganzoo.Run) -> dict[str, float]:
    """Mean of each loss over the last quarter of the logged steps (the end of the loss curve)."""
    records = fit.metrics()
    tail = records[-max(1, len(records) // 4) :]
    return {key: round(statistics.mean(r[key] for r in tail), 4) for key in ("d_loss", "g_loss", "d_real", "d_fake")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seeds", default="0,1")
    args = parser.parse_args()
    console = Console(stderr=True)
    classifier = load_classifier("mnist", console=console)
    data = ganzoo.load_dataset("mnist", split="test", limit=SAMPLES)
    real_features = classifier.features(data.rows("image", slice(0, SAMPLES)))
    rows: list[dict[str, Any]] = []
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in (int(s) for s in args.seeds.split(",")):
            for precision in ("fp32", "bf16"):
                overrides = [
                    f"train.precision={precision}",
                    f"train.steps={args.steps}",
                    f"train.batch_size={args.batch_size}",
                    "train.log_every=10",
                    f"train.sample_every={args.steps}",
                    f"train.checkpoint_every={args.steps}",
                ]
                begin = time.perf_counter()
                result = ganzoo.train("dcgan", "mnist", f"{tmp}/{precision}-{seed}", sets=overrides, seed=seed)
                row = {
                    "precision": precision,
                    "seed": seed,
                    "seconds": round(time.perf_counter() - begin, 1),
                    **late_losses(result),
                    **score(result, classifier, real_features),
                }
                rows.append(row)
                console.print(row)
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "steps": args.steps,
        "batch_size": args.batch_size,
        "samples_scored": SAMPLES,
        "classifier_test_accuracy": classifier.test_accuracy,
        "minutes": round((time.time() - started) / 60, 1),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "runs": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "precision-quality.json").write_text(json.dumps(report, indent=1) + "\n")
    keys = ["d_loss", "g_loss", "d_real", "d_fake", "classifier_fid", "classifier_is", "classes", "seconds"]
    lines = [
        f"# bf16 vs fp32 quality, DCGAN on MNIST ({report['date']})",
        "",
        f"{args.steps} steps, batch {args.batch_size}, seeds {args.seeds}; losses are means over the last "
        f"quarter of logged steps; classifier metrics on {SAMPLES} samples (classifier test accuracy "
        f"{classifier.test_accuracy:.2%}). Shared, busy CPU: seconds are not comparable.",
        "",
        "| precision | seed | " + " | ".join(keys) + " |",
        "|---|---|" + "---|" * len(keys),
    ]
    lines += [f"| {r['precision']} | {r['seed']} | " + " | ".join(str(r[k]) for k in keys) + " |" for r in rows]
    (RESULTS / "precision-quality.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
