"""Measured benefit of the shared techniques on small data: DCGAN on 500 MNIST training images, each arm
over the same seeds and budget, scored by FID on ganzoo's MNIST-classifier features against the full
MNIST test split (10,000 real images, 10,000 samples).

    GANZOO_DATA=../shared/data python benchmarks/techniques.py [--arms baseline augment ema spectral]
        [--seeds 0 1 2] [--steps 1500]

Arms differ from ``baseline`` by one trainer key each (``train.augment``, ``train.ema``, ``model.d_norm``),
so the comparison is the technique alone. Writes ``benchmarks/results/techniques-cpu.json`` (every run,
with steps and CPU seconds) and prints a table of mean and std per arm.
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

import ganzoo
from ganzoo.bench.system import cpu_seconds, environment

RESULTS = Path(__file__).resolve().parent / "results"
BASE = [
    "data.limit=500",
    "model.g_channels=32",
    "model.d_channels=32",
    "train.batch_size=64",
    "train.precision=fp32",
    "train.log_every=100",
    "train.sample_every=100000",
    "train.checkpoint_every=100000",
]
ARMS: dict[str, list[str]] = {
    "baseline": [],
    "augment": ["train.augment=color,translation,cutout"],
    "ema": ["train.ema=true", "train.ema_decay=0.999"],
    "spectral": ["model.d_norm=spectral"],
}


def reference_evaluator(samples: int) -> ganzoo.Evaluator:
    """FID on classifier features against the whole MNIST test split."""
    return ganzoo.create_evaluator("dcgan", "mnist", samples=samples, features="classifier", metrics=("fid", "classes"))


def train_arm(arm: str, seed: int, steps: int, out: Path) -> dict[str, Any]:
    """Train one arm for one seed and return the run, its steps and CPU seconds."""
    begin_cpu, begin = cpu_seconds(children=True), time.perf_counter()
    sets = [*BASE, f"train.steps={steps}", *ARMS[arm]]
    result = ganzoo.train("dcgan", "mnist", out / f"{arm}-s{seed}", sets=sets, seed=seed)
    return {
        "arm": arm,
        "seed": seed,
        "steps": result.step,
        "cpu_s": round(cpu_seconds(children=True) - begin_cpu, 1),
        "wall_s": round(time.perf_counter() - begin, 1),
        "run": result,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arms", nargs="+", default=list(ARMS), choices=list(ARMS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--samples", type=int, default=10000)
    parser.add_argument("--out", type=Path, default=RESULTS / "techniques-cpu.json")
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    evaluator = reference_evaluator(args.samples)
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:  # arms alternate inside each seed, so machine load hits them alike
            for arm in args.arms:
                record = train_arm(arm, seed, args.steps, Path(tmp))
                module = record.pop("run").module
                record.update({k: round(float(v), 3) for k, v in evaluator.evaluate(module).items()})
                runs.append(record)
                print(json.dumps(record), flush=True)
    summary = {}
    for arm in args.arms:
        fids = [r["fid"] for r in runs if r["arm"] == arm]
        summary[arm] = {
            "fid_mean": round(statistics.mean(fids), 2),
            "fid_std": round(statistics.stdev(fids), 2) if len(fids) > 1 else 0.0,
            "cpu_min_per_run": round(statistics.mean(r["cpu_s"] for r in runs if r["arm"] == arm) / 60, 2),
        }
    load = os.getloadavg()
    report = {
        "protocol": {
            "model": "dcgan",
            "train_images": 500,
            "steps": args.steps,
            "batch_size": 64,
            "widths": "g 32, d 32",
            "precision": "fp32",
            "seeds": args.seeds,
            "metric": "FID on the MNIST classifier's features, samples vs the 10,000-image test split",
            "samples": args.samples,
            "arms": {a: ARMS[a] for a in args.arms},
        },
        "summary": summary,
        "runs": runs,
        "load_average_end": [round(x, 2) for x in load],
        "environment": environment(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\n{'arm':<10} {'FID mean':>9} {'std':>6} {'CPU min/run':>12}")
    for arm, row in summary.items():
        print(f"{arm:<10} {row['fid_mean']:>9.2f} {row['fid_std']:>6.2f} {row['cpu_min_per_run']:>12.2f}")
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; wrote {args.out}")


if __name__ == "__main__":
    main()
