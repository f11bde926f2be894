"""How close DCGAN training gets to the CPU's arithmetic peak: ganzoo's trainer beside the plain loop.

In one run: (1) the machine's dense peak, as the best rate of square matmuls and of DCGAN's widest
convolution (forward + both backward convolutions) in fp32 and bf16 on ``--threads`` threads; (2) the FLOPs
of one training step, counted by ``torch.utils.flop_counter.FlopCounterMode`` (ganzoo: one full trainer
step, D on real and fake, G through D, both backward passes; the plain loop: one iteration of
``reference_dcgan.py``); (3) samples/s of both in alternating rounds of fresh processes (``speed.py``'s
children), so achieved FLOP/s = FLOPs per sample x samples/s, and the fraction of the peak in the
precision each one computes in.

    python benchmarks/utilisation.py [--rounds 3 --steps 30 --threads 2] [--arm ganzoo ...]

Prints a table and writes ``results/utilisation-<date>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

import ganzoo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import reference_dcgan  # noqa: E402
import speed  # noqa: E402

BATCH = 64
ARMS = {"ganzoo": [], "ganzoo-fp32": ["train.precision=fp32"]}


def best_rate(work: Any, flops: float, repeats: int = 5, seconds: float = 0.3) -> float:
    """The best FLOP/s of ``work()`` over ``repeats`` blocks of calls lasting about ``seconds`` each."""
    work()
    rates = []
    for _ in range(repeats):
        start, calls = time.perf_counter(), 0
        while time.perf_counter() - start < seconds:
            work()
            calls += 1
        rates.append(flops * calls / (time.perf_counter() - start))
    return max(rates)


def counted_flops(work: Any) -> int:
    """FLOPs of one call of ``work`` as ``FlopCounterMode`` counts them."""
    with FlopCounterMode(display=False) as counter:
        work()
    return counter.get_total_flops()


def peaks(size: int) -> dict[str, dict[str, float]]:
    """Matmul and DCGAN-conv peak GFLOP/s in fp32 and bf16."""
    return {name: peak_for(dtype, size) for name, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16))}


def peak_for(dtype: torch.dtype, size: int) -> dict[str, float]:
    """Matmul and DCGAN-conv (forward + backward) peak GFLOP/s in ``dtype``."""
    a, b = torch.randn(size, size, dtype=dtype), torch.randn(size, size, dtype=dtype)
    matmul = best_rate(lambda: torch.mm(a, b), 2.0 * size**3)
    conv = nn.Conv2d(64, 128, 4, 2, 1, bias=False).to(dtype=dtype, memory_format=torch.channels_last)
    x = torch.randn(BATCH, 64, 14, 14, dtype=dtype).to(memory_format=torch.channels_last).requires_grad_()

    def conv_step() -> None:
        conv(x).sum().backward()

    conv_rate = best_rate(conv_step, counted_flops(conv_step))
    return {"matmul_gflops": round(matmul / 1e9, 1), "conv_gflops": round(conv_rate / 1e9, 1)}


def reference_step_flops() -> int:
    """FLOPs of one plain-loop iteration at batch ``BATCH``."""
    torch.manual_seed(0)
    net_g, net_d = reference_dcgan.networks()
    opt_d = torch.optim.Adam(net_d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(net_g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = torch.rand(BATCH, 1, 28, 28) * 2 - 1
    return counted_flops(lambda: reference_dcgan.iteration(real, net_g, net_d, opt_g, opt_d, nn.BCELoss()))


class _CountSecondStep(ganzoo.Callback):
    """A trainer callback that counts the FLOPs of step 2 (step 1 builds optimizer state)."""

    def __init__(self) -> None:
        self.flops = 0

    def on_step_end(self, trainer: Any) -> None:
        if trainer.step == 1:
            module, plain = trainer.module, trainer.module.training_step

            def counted(ctx: Any) -> Any:
                with FlopCounterMode(display=False) as counter:
                    logs = plain(ctx)
                self.flops = counter.get_total_flops()
                return logs

            module.training_step = counted


def ganzoo_step_flops(overrides: list[str]) -> int:
    """FLOPs of one ganzoo DCGAN trainer step at batch ``BATCH`` on MNIST."""
    counter = _CountSecondStep()
    sets = [
        "train.steps=2",
        f"train.batch_size={BATCH}",
        "train.sample_every=1000",
        "train.checkpoint_every=1000",
        *overrides,
    ]
    with tempfile.TemporaryDirectory() as tmp:
        ganzoo.train("dcgan", "mnist", f"{tmp}/run", sets=sets, callbacks=[counter])
    return counter.flops


def throughput(arms: list[str], rounds: int, steps: int, threads: int) -> dict[str, list[float]]:
    """Samples/s of the plain loop and each ganzoo arm in alternating rounds (the order flips each round)."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    runs: dict[str, list[float]] = {"reference": [], **{arm: [] for arm in arms}}
    for round_index in range(rounds):
        order = ["reference", *arms] if round_index % 2 == 0 else [*arms[::-1], "reference"]
        for arm in order:
            if arm == "reference":
                result = speed.reference(steps, BATCH, 5, env)
            else:
                result = speed.ganzoo_arm("dcgan", "mnist", ARMS[arm], steps, 5, env, BATCH)
            runs[arm].append(result["samples_per_s"])
            print(
                f"round {round_index} {arm:12s} {result['samples_per_s']:8.1f} samples/s  load "
                f"{os.getloadavg()[0]:.2f}",
                flush=True,
            )
    return runs


def table(report: dict[str, Any]) -> str:
    """The utilisation table as markdown."""
    peak = report["peak_gflops"]
    lines = [
        f"peak GFLOP/s ({report['threads']} threads): fp32 matmul {peak['fp32']['matmul_gflops']}, conv "
        f"{peak['fp32']['conv_gflops']}; bf16 matmul {peak['bf16']['matmul_gflops']}, conv "
        f"{peak['bf16']['conv_gflops']}",
        "",
        "| loop | precision | MFLOP/sample | median samples/s | achieved GFLOP/s | of matmul peak | "
        "of conv peak | vs plain loop |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row in report["loops"].items():
        lines.append(
            f"| {name} | {row['precision']} | {row['mflop_per_sample']} | {row['median_samples_per_s']} | "
            f"{row['achieved_gflops']} | {row['fraction_of_matmul_peak']:.1%} | "
            f"{row['fraction_of_conv_peak']:.1%} | {row['median_ratio']} {row['ratios']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--size", type=int, default=2048, help="side of the square matmuls")
    parser.add_argument("--arm", action="append", choices=sorted(ARMS), help="ganzoo arms (default: both)")
    args = parser.parse_args()
    if not os.environ.get("GANZOO_DATA"):
        parser.error("set GANZOO_DATA to the folder holding MNIST/raw")
    arms = args.arm or list(ARMS)
    torch.set_num_threads(args.threads)
    load_start = [round(x, 2) for x in os.getloadavg()]
    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": speed.machine(),
        "threads": args.threads,
        "batch_size": BATCH,
        "steps": args.steps,
        "rounds": args.rounds,
        "load_average_start": load_start,
    }
    report["peak_gflops"] = peak = peaks(args.size)
    flops = {"reference": reference_step_flops(), **{arm: ganzoo_step_flops(ARMS[arm]) for arm in arms}}
    runs = throughput(arms, args.rounds, args.steps, args.threads)
    report["loops"] = {}
    for name, rates in runs.items():
        precision = "fp32" if name == "reference" or name.endswith("fp32") else "bf16"
        per_sample, median = flops[name] / BATCH, statistics.median(rates)
        achieved = per_sample * median / 1e9
        ratios = [round(x / r, 3) for x, r in zip(rates, runs["reference"])]
        report["loops"][name] = {
            "precision": precision,
            "flops_per_step": flops[name],
            "mflop_per_sample": round(per_sample / 1e6, 2),
            "samples_per_s": rates,
            "median_samples_per_s": round(median, 1),
            "achieved_gflops": round(achieved, 2),
            "fraction_of_matmul_peak": round(achieved / peak[precision]["matmul_gflops"], 4),
            "fraction_of_conv_peak": round(achieved / peak[precision]["conv_gflops"], 4),
            "ratios": ratios,
            "median_ratio": round(statistics.median(ratios), 3),
        }
    report["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    text = table(report)
    print(text)
    path = HERE / "results" / f"utilisation-{time.strftime('%Y%m%d-%H%M', time.gmtime())}.json"
    path.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {path} (load average {load_start} -> {report['load_average_end']})")


if __name__ == "__main__":
    main()
