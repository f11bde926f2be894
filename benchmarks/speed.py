"""Issue 9's speed benchmark: ganzoo's trainer against the plain PyTorch DCGAN loop, and what things cost.

1. A/B: ``benchmarks/reference_dcgan.py`` and ``ganzoo run dcgan`` on real MNIST (``GANZOO_DATA``), same
   networks, steps and batch size, alternated for several rounds in one invocation (the order flips each
   round); each run is a fresh process. Reports samples/s per run, the median ratio ganzoo/reference and
   peak RSS. Extra ganzoo arms (fp32, no channels_last, torch.compile) show where the speed comes from.
2. Per model (cgan, infogan, wgan-gp, seqgan, srgan when registered): samples/s and peak RSS at default
   settings (first phase for multi-phase models).
3. Cost growth of ganzoo's DCGAN against batch size (32..512) and image size (28, 32, 64), and that
   memory does not grow with steps (peak RSS of N vs 2N steps).
4. SeqGAN rollouts batched vs one at a time (``benchmarks/rollout_speed.py``), when present.

    python benchmarks/speed.py [--rounds 3 --steps 30 --batch-size 64] [--skip models,growth,rollouts]

Samples/s is steady state: from the end of the warm-up steps (``--log-every``) to the end of the last
step, excluding process start, data loading and the final checkpoint. Samples per CPU-second (all threads
of the training process) is reported beside it because it is far less sensitive to other load on a
shared machine. Peak RSS comes from ``wait4`` on each child (DataLoader workers excluded).
Writes ``results/speed-<host>-<date>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

import ganzoo

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
MODELS = {  # model -> dataset and overrides: default settings on real data, pre-training phases skipped
    "cgan": ("mnist", []),
    "infogan": ("mnist", []),
    "wgan-gp": ("mnist", []),
    "seqgan": (None, ["model.mle_steps=0", "model.d_pretrain_steps=0"]),  # the adversarial phase (rollouts)
    "srgan": (None, ["model.pretrain_steps=0"]),  # the adversarial phase (content + adversarial losses)
}
ARMS = {  # name -> extra ganzoo overrides
    "ganzoo": [],
    "ganzoo-fp32": ["train.precision=fp32"],
    "ganzoo-no-channels-last": ["train.channels_last=false"],
    "ganzoo-compile": ["train.compile=true"],
}


def run_child(command: list[str], env: dict[str, str]) -> tuple[int, str, float]:
    """Run ``command``; return its exit code, stdout and peak RSS in MiB (from ``wait4``, exact per child)."""
    with tempfile.TemporaryFile("w+") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return child.returncode, out.read(), usage.ru_maxrss / 1024


def reference(steps: int, batch: int, warmup: int, env: dict[str, str]) -> dict[str, Any]:
    """One run of the plain loop."""
    code, text, peak = run_child(
        [
            sys.executable,
            str(HERE / "reference_dcgan.py"),
            "--steps",
            str(steps),
            "--warmup",
            str(warmup),
            "--batch-size",
            str(batch),
        ],
        env,
    )
    if code:
        raise RuntimeError(f"reference failed:\n{text[-2000:]}")
    result = json.loads(text.strip().splitlines()[-1])
    return {**result, "peak_rss_mb": round(peak, 1)}


def ganzoo_arm(
    model: str,
    dataset: str | None,
    overrides: list[str],
    steps: int,
    log_every: int,
    env: dict[str, str],
    batch: int | None = None,
) -> dict[str, Any]:
    """One training run (through ``ganzoo.train``, as ``ganzoo run`` does) in a fresh process."""
    sets = [
        f"train.steps={steps}",
        f"train.log_every={log_every}",
        f"train.sample_every={10 * steps}",
        f"train.checkpoint_every={10 * steps}",
        *overrides,
    ]
    if batch is not None:
        sets.append(f"train.batch_size={batch}")
    spec = {"model": model, "dataset": dataset, "overrides": sets, "warmup": log_every}
    code, text, peak = run_child([sys.executable, __file__, "--child", json.dumps(spec)], env)
    if code:
        raise RuntimeError(f"ganzoo run {model} failed:\n{text[-2000:]}")
    result = json.loads(text.strip().splitlines()[-1])
    return {"impl": model, "overrides": overrides, "steps": steps, **result, "peak_rss_mb": round(peak, 1)}


class _Timer(ganzoo.Callback):
    """Wall and CPU time from the end of step ``warmup`` to the end of the last step (no final I/O)."""

    def __init__(self, warmup: int) -> None:
        self.warmup, self.result = warmup, {}
        self.wall = self.cpu = 0.0
        self.samples = 0

    def on_step_end(self, trainer: Any) -> None:
        if trainer.step == self.warmup:
            self.wall, self.cpu, self.samples = time.perf_counter(), time.process_time(), trainer.samples_seen
        if trainer.step == int(trainer.train_cfg["steps"]):
            wall, cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
            samples = trainer.samples_seen - self.samples
            self.result = {
                "samples_per_s": round(samples / wall, 2),
                "samples_per_cpu_s": round(samples / cpu, 2),
                "phase": trainer.context.phase,
                "precision": trainer.precision,
                "batch_size": int(trainer.train_cfg["batch_size"]),
                "threads": torch.get_num_threads(),
            }


def child(spec: dict[str, Any]) -> None:
    """The ganzoo side of a measurement: train as ``ganzoo run`` would and print the timing as JSON."""
    timer = _Timer(int(spec["warmup"]))
    with tempfile.TemporaryDirectory() as tmp:
        ganzoo.train(spec["model"], spec["dataset"], f"{tmp}/run", sets=spec["overrides"], callbacks=[timer])
    print(json.dumps(timer.result), flush=True)


def ab_rounds(args: argparse.Namespace, env: dict[str, str], log: Any) -> dict[str, Any]:
    """Alternate the reference and the ganzoo arms; per-round ratios and their median."""
    arms = args.arms.split(",")
    runs: dict[str, list[dict[str, Any]]] = {"reference": [], **{a: [] for a in arms}}
    warmup = args.log_every
    for round_index in range(args.rounds):
        order = ["reference", *arms] if round_index % 2 == 0 else [*arms[::-1], "reference"]
        for arm in order:
            if arm == "reference":
                result = reference(args.steps, args.batch_size, warmup, env)
            else:
                result = ganzoo_arm("dcgan", "mnist", ARMS[arm], args.steps, args.log_every, env, args.batch_size)
            result["round"] = round_index
            runs[arm].append(result)
            log(
                f"round {round_index} {arm:26s} {result['samples_per_s']:8.1f} samples/s  "
                f"{result['samples_per_cpu_s']:8.1f} samples/CPU-s  peak {result['peak_rss_mb']:.0f} MiB"
            )
    summary = {}
    for arm in arms:
        ratios = [g["samples_per_s"] / r["samples_per_s"] for g, r in zip(runs[arm], runs["reference"])]
        cpu_ratios = [g["samples_per_cpu_s"] / r["samples_per_cpu_s"] for g, r in zip(runs[arm], runs["reference"])]
        summary[arm] = {
            "median_ratio_vs_reference": round(statistics.median(ratios), 3),
            "ratios": [round(x, 3) for x in ratios],
            "median_cpu_ratio_vs_reference": round(statistics.median(cpu_ratios), 3),
            "cpu_ratios": [round(x, 3) for x in cpu_ratios],
            "median_samples_per_s": round(statistics.median(x["samples_per_s"] for x in runs[arm]), 2),
            "peak_rss_mb": max(x["peak_rss_mb"] for x in runs[arm]),
            "precision": runs[arm][0]["precision"],
        }
    summary["reference"] = {
        "median_samples_per_s": round(statistics.median(x["samples_per_s"] for x in runs["reference"]), 2),
        "peak_rss_mb": max(x["peak_rss_mb"] for x in runs["reference"]),
    }
    return {"runs": runs, "summary": summary}


def per_model(args: argparse.Namespace, env: dict[str, str], log: Any) -> list[dict[str, Any]]:
    """Samples/s and peak memory of every registered model of the list, at its default settings."""
    results = []
    for model, (dataset, overrides) in MODELS.items():
        if not ganzoo.is_model(model):
            log(f"model {model}: not registered, skipped")
            continue
        try:
            result = ganzoo_arm(model, dataset, overrides, args.model_steps, max(1, args.model_steps // 3), env)
        except RuntimeError as exc:
            log(f"model {model}: {exc}")
            results.append({"impl": model, "error": str(exc)[-500:]})
            continue
        results.append(result)
        log(
            f"model {model:10s} {result['samples_per_s']:8.1f} samples/s  peak {result['peak_rss_mb']:.0f} MiB "
            f"(phase {result['phase']}, batch {result['batch_size']}, {result['precision']})"
        )
    return results


def growth(args: argparse.Namespace, env: dict[str, str], log: Any) -> dict[str, Any]:
    """DCGAN cost against batch size and image size, and peak memory of N vs 2N steps."""
    rows: dict[str, list[dict[str, Any]]] = {"batch_size": [], "image_size": [], "steps": []}
    for batch in (32, 64, 128, 256, 512):
        result = ganzoo_arm("dcgan", "mnist", [], 5, 2, env, batch)
        rows["batch_size"].append({"batch_size": batch, **_brief(result)})
        log(f"batch {batch:4d}: {result['samples_per_s']:8.1f} samples/s  peak {result['peak_rss_mb']:.0f} MiB")
    for size in (28, 32, 64):
        result = ganzoo_arm("dcgan", "mnist", [f"data.image_size={size}"], 5, 2, env, 64)
        rows["image_size"].append({"image_size": size, **_brief(result)})
        log(f"image {size:3d}: {result['samples_per_s']:8.1f} samples/s  peak {result['peak_rss_mb']:.0f} MiB")
    for steps in (6, 12):
        result = ganzoo_arm("dcgan", "mnist", [], steps, 2, env, args.batch_size)
        rows["steps"].append({"steps": steps, **_brief(result)})
        log(f"steps {steps:4d}: peak {result['peak_rss_mb']:.0f} MiB")
    return rows


def _brief(result: dict[str, Any]) -> dict[str, Any]:
    return {k: result[k] for k in ("samples_per_s", "samples_per_cpu_s", "peak_rss_mb")}


def rollouts(log: Any) -> dict[str, Any] | None:
    """SeqGAN rollout comparison from ``rollout_speed.py`` (written by the SeqGAN plugin), when present."""
    sys.path.insert(0, str(HERE))
    try:
        from rollout_speed import compare_rollouts
    except ImportError as exc:
        log(f"rollouts: skipped ({exc})")
        return None
    result = compare_rollouts()
    log(
        f"rollouts: batched {result['batched_s']}s, one at a time {result['sequential_s']}s, "
        f"ratio {result['ratio']}x, max reward difference {result.get('max_reward_diff')}"
    )
    return result


def machine() -> dict[str, Any]:
    """What the numbers were measured on (and how busy it was)."""
    from ganzoo.trainer.precision import cpu_has_native_bf16

    info = {
        "host": platform.node(),
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "native_bf16": cpu_has_native_bf16(),
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }
    if hasattr(os, "getloadavg"):
        info["load_average_start"] = [round(x, 2) for x in os.getloadavg()]
    return info


def markdown(report: dict[str, Any]) -> str:
    """A short human-readable summary of ``report``."""
    lines = [
        f"# Speed ({report['date']})",
        "",
        f"Machine: `{json.dumps(report['machine'])}`",
        "",
        f"Note: {report['note']}",
        "",
    ]
    ab = report.get("ab")
    if ab:
        ref = ab["summary"]["reference"]
        lines += [
            f"## DCGAN on MNIST, batch {report['settings']['batch_size']}, {report['settings']['steps']} steps, "
            f"{report['settings']['rounds']} alternating rounds",
            "",
            "| arm | precision | median samples/s | median ratio vs reference (wall) | per-round ratios | "
            "median ratio per CPU-second | peak RSS MiB |",
            "|---|---|---|---|---|---|---|",
            f"| reference (plain loop) | fp32 | {ref['median_samples_per_s']} | 1.0 | | 1.0 | {ref['peak_rss_mb']} |",
        ]
        for arm, row in ab["summary"].items():
            if arm != "reference":
                lines.append(
                    f"| {arm} | {row['precision']} | {row['median_samples_per_s']} | "
                    f"**{row['median_ratio_vs_reference']}** | {row['ratios']} | "
                    f"{row['median_cpu_ratio_vs_reference']} {row['cpu_ratios']} | {row['peak_rss_mb']} |"
                )
        lines.append("")
    if report.get("models"):
        lines += [
            "## Models at default settings",
            "",
            "| model | phase | batch | precision | samples/s | samples/CPU-s | peak RSS MiB |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in report["models"]:
            if "error" in row:
                lines.append(f"| {row['impl']} | failed | | | | | |")
            else:
                lines.append(
                    f"| {row['impl']} | {row['phase']} | {row['batch_size']} | {row['precision']} | "
                    f"{row['samples_per_s']} | {row['samples_per_cpu_s']} | {row['peak_rss_mb']} |"
                )
        lines.append("")
    if report.get("growth"):
        g = report["growth"]
        lines += [
            "## Cost growth (ganzoo DCGAN, MNIST)",
            "",
            "| batch size | samples/s | samples/CPU-s | peak RSS MiB |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {r['batch_size']} | {r['samples_per_s']} | {r['samples_per_cpu_s']} | {r['peak_rss_mb']} |"
            for r in g["batch_size"]
        ]
        lines += ["", "| image size (batch 64) | samples/s | samples/CPU-s | peak RSS MiB |", "|---|---|---|---|"]
        lines += [
            f"| {r['image_size']} | {r['samples_per_s']} | {r['samples_per_cpu_s']} | {r['peak_rss_mb']} |"
            for r in g["image_size"]
        ]
        lines += ["", "| steps | peak RSS MiB |", "|---|---|"]
        lines += [f"| {r['steps']} | {r['peak_rss_mb']} |" for r in g["steps"]]
        lines.append("")
    if report.get("rollouts"):
        r = report["rollouts"]
        lines += [
            "## SeqGAN rollouts",
            "",
            f"batched {r['batched_s']} s, one at a time {r['sequential_s']} s: "
            f"**{r['ratio']}x**; largest reward difference {r.get('max_reward_diff')}",
            "",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--log-every", type=int, default=5, help="ganzoo log window; also the reference's warm-up")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--model-steps", type=int, default=9)
    parser.add_argument(
        "--arms",
        default="ganzoo,ganzoo-fp32,ganzoo-no-channels-last",
        help=f"ganzoo arms beside the reference, from {', '.join(ARMS)}",
    )
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: ab, models, growth, rollouts")
    parser.add_argument("--note", default="", help="free text stored with the results (e.g. machine load)")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="OMP_NUM_THREADS for every measured process (0: torch's default); 1 keeps "
        "per-CPU-second figures honest on a machine shared with other jobs",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child))
        return
    if not os.environ.get("GANZOO_DATA"):
        parser.error("set GANZOO_DATA to the folder holding MNIST/raw")
    unknown = set(args.arms.split(",")) - set(ARMS)
    if unknown:
        parser.error(f"unknown arms {sorted(unknown)}; choose from {', '.join(ARMS)}")
    skip = set(filter(None, args.skip.split(",")))
    env = dict(os.environ)
    if args.threads:
        env["OMP_NUM_THREADS"] = str(args.threads)
    started = time.time()

    def log(line: str) -> None:
        print(f"[{time.time() - started:6.0f}s] {line}", flush=True)

    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "settings": vars(args),
        "note": args.note,
    }
    stem = RESULTS / f"speed-{platform.node() or 'host'}-{time.strftime('%Y%m%d-%H%M', time.gmtime())}"
    parts = {
        "ab": lambda: ab_rounds(args, env, log),
        "models": lambda: per_model(args, env, log),
        "growth": lambda: growth(args, env, log),
        "rollouts": lambda: rollouts(log),
    }
    for name, measure in parts.items():
        if name not in skip:
            report[name] = measure()
            save(report, stem, started)  # after every part, so an interrupted run keeps what it measured
    print(markdown(report))
    print(f"wrote {stem}.json and .md")


def save(report: dict[str, Any], stem: Path, started: float) -> None:
    """Write the report so far as JSON and markdown."""
    if hasattr(os, "getloadavg"):
        report["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    report["minutes"] = round((time.time() - started) / 60, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps(report, indent=1) + "\n")
    stem.with_suffix(".md").write_text(markdown(report) + "\n")


if __name__ == "__main__":
    main()
