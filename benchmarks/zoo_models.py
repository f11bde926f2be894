"""Short MNIST learning runs of the zoo models beside their baselines, scored with ganzoo's MNIST classifier.

    python benchmarks/zoo_models.py [--models acgan sngan ...] [--steps N] [--limit 10000]

Every model trains for the same number of generator steps (``--steps``) on ``data.limit`` MNIST training
images with narrow networks, then draws 1,000 samples (100 per label for conditional models) and reports
FID on the classifier's 128-d features against 1,000 MNIST test images, the class spread (a class is
covered when it has >= 2% of the samples), label accuracy for conditional models, ACGAN's included, the
critic's Wasserstein estimate for WGAN and M_global for BEGAN (mean of the first and last tenth of the
logged steps), with CPU and wall time and the load average; ``--eval-every N`` also scores every N steps (the
curve; its scoring counts in the training CPU time). Writes
``benchmarks/results/zoo_models_<model>.json`` (``_seed<N>`` added for ``--seed N`` other than 0, ``_<tag>``
for ``--tag``).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

import ganzoo
from ganzoo.bench.system import cpu_seconds, environment
from ganzoo.metrics.classifier import class_fractions, load_classifier
from ganzoo.metrics.distances import fid

RESULTS = Path(__file__).resolve().parent / "results"
COVERED = 0.02  # a class is covered by >= 2% of the samples
SAMPLES = 1000
_DC = ["model.g_channels=32", "model.d_channels=32"]
_RES = ["model.g_channels=16", "model.d_channels=16", "model.z_dim=64"]
# SNGAN on the CPU: one D step per G step, D at 1e-3 and G at 2e-4 (two time-scales), a constant rate. At the
# papers' five D steps and 2e-4, seed 0 took 14.6 CPU-min for 2,000 steps and its projection cGAN's labels
# stayed at chance (9.6%, FID 102.7): the spectrally normalised D learns class features slowly (a label probe
# on its body read 19% of MNIST test labels after 200 steps at 2e-4, 61% at 1e-3) and its hinge margins filled
# early. The papers decay the rate over 50k+ steps; in 2,000 the linear decay costs half the run (sngan FID
# 104.0 linear vs 62.8 constant; projection labels 13.0% vs 21.4%).
_SN_CPU = ["train.d_steps=1", "train.d_lr=1e-3", "train.g_lr=2e-4", "train.lr_schedule=constant"]
# Per model: config overrides on top of its paper defaults (narrow networks for the CPU).
MODELS: dict[str, list[str]] = {
    "dcgan": _DC,
    "cgan": _DC,
    "acgan": _DC,
    "sngan": [*_RES, *_SN_CPU],
    "sngan-projection": [*_RES, *_SN_CPU],
    "wgan": _DC,
    # gamma, BEGAN's diversity ratio: at the paper's 0.5 the samples collapsed to 3 classes (85% ones, the digit
    # an autoencoder reconstructs best); 1.0 asks fakes to be as hard to reconstruct as real digits
    "began": [*_DC, "model.hidden=32", "model.gamma=1.0"],
}
COMMON = ["train.precision=fp32", "train.sample_every=100000", "train.checkpoint_every=100000", "train.log_every=10"]
CURVE_KEYS = ("fid_classifier", "label_accuracy", "classes_covered")
TRENDS = {"wgan": "wasserstein", "began": "m_global"}


def trend(fit: ganzoo.Run, key: str) -> dict[str, float]:
    """Mean of a logged value over the first and the last tenth of the logged steps, and its peak."""
    values = [r[key] for r in fit.metrics() if key in r]
    tenth = max(1, len(values) // 10)
    return {
        "first_tenth": sum(values[:tenth]) / tenth,
        "last_tenth": sum(values[-tenth:]) / tenth,
        "peak": max(values),
        "rows": len(values),
    }


@torch.no_grad()
def score(module: Any, classifier: Any, real_features: torch.Tensor, conditional: bool) -> dict[str, Any]:
    """FID on classifier features, class spread and (conditional models) label accuracy of 1,000 samples."""
    module.eval()
    generator = torch.Generator(module.device).manual_seed(0)
    if conditional:
        labels = torch.arange(10).repeat_interleave(SAMPLES // 10)
        images = module.sample(SAMPLES, generator, label=labels)["image"].float().cpu()
    else:
        images = module.sample(SAMPLES, generator)["image"].float().cpu()
    fractions = class_fractions(classifier, images)
    out: dict[str, Any] = {
        "fid_classifier": fid(real_features, classifier.features(images)),
        "classes_covered": int((fractions >= COVERED).sum()),
        "class_fractions": [round(f, 3) for f in fractions.tolist()],
    }
    if conditional:
        predicted = classifier.predict(images)
        per_class = [(predicted[labels == k] == k).float().mean().item() for k in range(10)]
        out["label_accuracy"] = sum(per_class) / 10
        out["label_accuracy_per_class"] = [round(a, 3) for a in per_class]
    return out


class Curve(ganzoo.Callback):
    """``score`` of the sampling module every ``every`` steps, with the CPU minutes so far (scoring included)."""

    def __init__(self, classifier: Any, real_features: torch.Tensor, conditional: bool, every: int) -> None:
        self.classifier, self.real_features = classifier, real_features
        self.conditional, self.every = conditional, every
        self.cpu = cpu_seconds()
        self.records: list[dict[str, Any]] = []

    def on_step_end(self, trainer: Any) -> None:
        if self.every and trainer.step % self.every == 0:
            with trainer.sampling() as module:
                scores = score(module, self.classifier, self.real_features, self.conditional)
            record = {"step": trainer.step, "cpu_min": round((cpu_seconds() - self.cpu) / 60, 2)}
            record.update({k: v for k, v in scores.items() if k in CURVE_KEYS})
            print(json.dumps(record), flush=True)
            self.records.append(record)


def real_reference(classifier: Any) -> torch.Tensor:
    """Classifier features of 1,000 MNIST test images (a fixed random subset)."""
    images = ganzoo.load_dataset("mnist", split="test", limit=SAMPLES).tensors
    with torch.no_grad():
        return classifier.features(images["image"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=sorted(MODELS), default=list(MODELS))
    parser.add_argument("--steps", type=int, default=400, help="generator steps of every model")
    parser.add_argument("--limit", type=int, default=10000, help="MNIST training images (data.limit)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--set", action="append", default=[], help="an extra KEY=VALUE override for every model")
    parser.add_argument("--tag", default="", help="a variant's name: results file suffix, not a headline")
    parser.add_argument("--eval-every", type=int, default=0, help="also score every N steps (0: only at the end)")
    args = parser.parse_args()
    classifier = load_classifier("mnist")
    real_features = real_reference(classifier)
    with tempfile.TemporaryDirectory() as runs:
        for model in args.models:
            overrides = [f"train.steps={args.steps}", f"data.limit={args.limit}", *COMMON, *MODELS[model], *args.set]
            conditional = ganzoo.get_spec(model).conditions == ("label",)
            curve = Curve(classifier, real_features, conditional, args.eval_every)
            load_before, wall, cpu = os.getloadavg(), time.perf_counter(), cpu_seconds()
            fit = ganzoo.train(
                model, "mnist", Path(runs) / model, sets=overrides, seed=args.seed, device="cpu", callbacks=[curve]
            )
            train_cpu, train_wall = cpu_seconds() - cpu, time.perf_counter() - wall
            entry = {
                "model": model,
                "dataset": "mnist",
                "steps": fit.step,
                "seed": args.seed,
                "tag": args.tag,
                "overrides": overrides,
                "train_cpu_min": round(train_cpu / 60, 2),
                "train_wall_min": round(train_wall / 60, 2),
                "torch_threads": torch.get_num_threads(),
                "load_average_before": load_before,
                "load_average_after": os.getloadavg(),
                "classifier_test_accuracy": classifier.test_accuracy,
                "environment": environment(),
                **score(fit.module, classifier, real_features, conditional),
            }
            if curve.records:
                entry["curve"] = curve.records
            if model in TRENDS:
                entry[TRENDS[model]] = trend(fit, TRENDS[model])
            if model == "began":
                entry["k_final"] = fit.metrics()[-1].get("k")
            print(json.dumps(entry), flush=True)
            args.results.mkdir(parents=True, exist_ok=True)
            name = f"zoo_models_{model}{f'_seed{args.seed}' if args.seed else ''}{f'_{args.tag}' if args.tag else ''}"
            (args.results / f"{name}.json").write_text(json.dumps(entry, indent=2) + "\n")


if __name__ == "__main__":
    main()
