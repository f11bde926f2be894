"""InfoGAN at the paper's architecture (appendix C.1) on MNIST at 28x28: does the categorical code capture
the digit class?

    OMP_NUM_THREADS=1 python benchmarks/infogan_paper.py [--recipe paper|imsat] [--seeds 0 1 2] [--steps 4000]
    python benchmarks/infogan_paper.py --combine A/infogan_paper.json B/infogan_paper.json  # seeds run apart

Each seed trains ``infogan`` (``model.backbone=paper``, the paper's rates: D 2e-4, G 1e-3, batch 64) on the
60,000 MNIST training images through ``ganzoo.train``; a callback scores the code every ``--eval-every``
steps: 1,000 samples (100 per categorical value) labelled by ganzoo's MNIST classifier, accuracy under the
best one-to-one code-to-class matching (Hungarian) and under majority matching. Writes
``results/infogan_paper.json`` (curves, final mean ± std over seeds, CPU minutes) and, for the first seed,
the paper's figure 2: ``results/infogan_traversal_c0.png`` and ``_c1.png`` (rows: categorical value,
columns: one continuous code swept over -2..2, the noise fixed). ``--recipe imsat`` adds IMSAT's terms on
real batches (Q's consistency under translation and its information with the code) and writes
``infogan_paper_imsat.json`` and ``infogan_imsat_traversal_c*.png``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

import ganzoo
from ganzoo import render
from ganzoo.bench.system import cpu_seconds, environment
from ganzoo.metrics.classifier import load_classifier
from ganzoo_plugins.infogan.evaluation import code_class_table, majority_matched_accuracy, one_to_one_accuracy

RESULTS = Path(__file__).resolve().parent / "results"
SETTINGS = [
    "data.image_size=28",
    "model.backbone=paper",
    "train.precision=fp32",
    "train.log_every=50",
    "train.sample_every=100000",
    "train.checkpoint_every=100000",
]
RECIPES = {
    "paper": [],  # the paper's objective
    "imsat": ["model.consistency_weight=3", "model.real_info_weight=0.1"],  # + Hu et al. 2017 on real batches
}


def names(recipe: str) -> tuple[str, str]:
    """The result file and the traversal figures' prefix of ``recipe`` (the paper's keep their old names)."""
    return (
        ("infogan_paper.json", "infogan")
        if recipe == "paper"
        else (f"infogan_paper_{recipe}.json", f"infogan_{recipe}")
    )


class CodeAccuracy(ganzoo.Callback):
    """One-to-one and majority code accuracy every ``every`` steps and at the end."""

    def __init__(self, classifier: Any, every: int) -> None:
        self.classifier, self.every, self.records = classifier, every, []
        self.cpu = cpu_seconds()

    def score(self, trainer: Any) -> None:
        table = code_class_table(trainer.module, self.classifier)
        record = {
            "step": trainer.step,
            "one_to_one": round(one_to_one_accuracy(table), 4),
            "majority": round(majority_matched_accuracy(table), 4),
            "code_to_class": table.argmax(1).tolist(),
            "cpu_min": round((cpu_seconds() - self.cpu) / 60, 2),
        }
        self.records.append(record)
        print(json.dumps(record), flush=True)

    def on_step_end(self, trainer: Any) -> None:
        if trainer.step % self.every == 0:
            self.score(trainer)

    def on_fit_end(self, trainer: Any) -> None:
        if not self.records or self.records[-1]["step"] != trainer.step:
            self.score(trainer)


def traversals(run: ganzoo.Run, out: Path, prefix: str) -> list[str]:
    """The paper's figure 2 for every continuous code of ``run``: one PNG per code."""
    figures = []
    for code in range(int(run.config["model"]["continuous_codes"])):
        with torch.no_grad():
            images, nrow = run.module.traversal_grid(code=code, generator=torch.Generator().manual_seed(0))
        path = out / f"{prefix}_traversal_c{code}.png"
        render.save_grid(images, path, nrow=nrow)
        figures.append(path.name)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--recipe", choices=sorted(RECIPES), default="paper")
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--eval-every", type=int, default=500)
    parser.add_argument("--set", action="append", default=[], help="an extra KEY=VALUE override")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--combine", nargs="+", type=Path, help="merge the seeds of these result files into --out")
    args = parser.parse_args()
    if args.combine:
        combine(args.combine, args.out, names(args.recipe)[0])
        return
    classifier = load_classifier("mnist")
    sets = [f"train.steps={args.steps}", *SETTINGS, *RECIPES[args.recipe], *args.set]
    result, prefix = names(args.recipe)
    seeds: list[dict[str, Any]] = []
    figures: list[str] = []
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as runs:
        for seed in args.seeds:
            probe, started = CodeAccuracy(classifier, args.eval_every), time.perf_counter()
            load = [round(x, 2) for x in os.getloadavg()]
            run = ganzoo.train("infogan", "mnist", Path(runs) / f"s{seed}", sets=sets, seed=seed, callbacks=[probe])
            seeds.append(
                {
                    "seed": seed,
                    "steps": run.step,
                    "final": probe.records[-1],
                    "curve": probe.records,
                    "cpu_min": probe.records[-1]["cpu_min"],
                    "wall_min": round((time.perf_counter() - started) / 60, 2),
                    "load_average_at_start": load,
                }
            )
            if not figures:
                figures = traversals(run, args.out, prefix)
    protocol = {
        "model": "infogan, paper networks (appendix C.1), MNIST 28x28, 60,000 training images",
        "settings": sets,
        "score": "1,000 samples (100 per code value) labelled by ganzoo's MNIST classifier; accuracy "
        "under the best one-to-one code-to-class matching (Hungarian)",
        "classifier_test_accuracy": classifier.test_accuracy,
    }
    write(protocol, seeds, figures, args.out / result)


def write(protocol: dict[str, Any], seeds: list[dict[str, Any]], figures: list[str], path: Path) -> None:
    """``path``: every seed's curve and the final one-to-one accuracy's mean ± std."""
    finals = [s["final"]["one_to_one"] for s in seeds]
    report = {
        "protocol": protocol,
        "seeds": seeds,
        "one_to_one_mean": round(statistics.mean(finals), 4),
        "one_to_one_std": round(statistics.stdev(finals), 4) if len(finals) > 1 else 0.0,
        "traversal_figures": figures,
        "torch_threads": torch.get_num_threads(),
        "environment": environment(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: report[k] for k in ("one_to_one_mean", "one_to_one_std")}))


def combine(files: list[Path], out: Path, result: str) -> None:
    """Merge result files of the same protocol run on separate processes (their seeds, their figures)."""
    parts = [json.loads(f.read_text()) for f in files]

    def settings(part: dict[str, Any]) -> dict[str, Any]:  # the scoring classifier is retrained per machine
        return {k: v for k, v in part["protocol"].items() if k != "classifier_test_accuracy"}

    if any(settings(p) != settings(parts[0]) for p in parts):
        raise SystemExit("error: the files were run with different settings; combine only runs of one protocol")
    for part in parts:  # each seed keeps the test accuracy of the classifier that scored it
        for seed in part["seeds"]:
            seed.setdefault("classifier_test_accuracy", part["protocol"]["classifier_test_accuracy"])
    seeds = sorted((s for p in parts for s in p["seeds"]), key=lambda s: s["seed"])
    first = next(f for f, p in zip(files, parts) if p["traversal_figures"])
    figures = json.loads(first.read_text())["traversal_figures"]
    out.mkdir(parents=True, exist_ok=True)
    for name in figures:
        if (first.parent / name).resolve() != (out / name).resolve():
            shutil.copyfile(first.parent / name, out / name)
    accuracies = sorted({seed["classifier_test_accuracy"] for seed in seeds})
    scored_by = accuracies[0] if len(accuracies) == 1 else accuracies
    protocol = {**parts[0]["protocol"], "classifier_test_accuracy": scored_by}
    write(protocol, seeds, figures, out / result)


if __name__ == "__main__":
    main()
