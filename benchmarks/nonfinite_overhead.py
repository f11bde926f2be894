"""What the NaN/inf guard costs per training step: DCGAN training steps timed with the guard off, in
``stop`` mode (device-side flags, no host sync) and in ``skip`` mode (one host sync per update).

    python benchmarks/nonfinite_overhead.py [--steps 60] [--device cpu] [--batch-size 64] [--width 64]

Prints a table and writes benchmarks/results/nonfinite_overhead.json. Modes are interleaved in rounds
so that load from other processes hits them alike; the median step time of each mode is reported, and
the guard's own work is also timed alone (gradients in place), which noise on a shared CPU cannot hide.
It drives the trainer's internal step context and guard directly, since they are what it measures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import torch

import ganzoo
from ganzoo.trainer.batches import make_batches
from ganzoo.trainer.context import StepContext
from ganzoo.trainer.nonfinite import NonFiniteGuard

RESULTS = Path(__file__).parent / "results" / "nonfinite_overhead.json"


def _context(settings: dict, device: torch.device, mode: str) -> tuple[StepContext, torch.nn.Module]:
    data = ganzoo.load_dataset("digits")
    module = ganzoo.create_model("dcgan", "digits", seed=0, **settings).to(device)
    optimizers = module.configure_optimizers()
    batches = make_batches(data, int(settings["train"]["batch_size"]), device, 0)
    ctx = StepContext(batches, device, "fp32", None, optimizers)
    if mode != "off":
        ctx.guard = NonFiniteGuard(module, optimizers, mode)
    return ctx, module


def _time_steps(ctx: StepContext, module: torch.nn.Module, steps: int, device: torch.device) -> list[float]:
    times = []
    for step in range(1, steps + 1):
        ctx.step = step
        start = time.perf_counter()
        module.training_step(ctx)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - start)
    if ctx.guard is not None:
        ctx.guard.check()
    return times


def _guard_only(ctx: StepContext, module: torch.nn.Module, mode: str, repeats: int) -> float:
    """Seconds the guard's own work takes per training step (every optimizer's update), gradients in place."""
    for parameter in module.parameters():
        parameter.grad = torch.randn_like(parameter)
    loss = torch.ones((), device=parameter.device)
    guard = NonFiniteGuard(module, ctx.optimizers, mode)
    start = time.perf_counter()
    for step in range(1, repeats + 1):
        for optimizer in ctx.optimizers.values():
            guard.saw_loss(loss)
            guard.allow_update(optimizer, step)
    guard.check()
    if parameter.device.type == "cuda":
        torch.cuda.synchronize(parameter.device)
    return (time.perf_counter() - start) / repeats


def main() -> None:
    """Time the three modes and write the JSON record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--width", type=int, default=64, help="model.g_channels and model.d_channels")
    args = parser.parse_args()
    device = torch.device(args.device)
    config = {"train": {"batch_size": args.batch_size}, "model": {"g_channels": args.width, "d_channels": args.width}}
    modes = ("off", "stop", "skip")
    samples: dict[str, list[float]] = {mode: [] for mode in modes}
    for _ in range(args.rounds):
        for mode in modes:
            ctx, module = _context(config, device, mode)
            samples[mode] += _time_steps(ctx, module, args.steps, device)[5:]  # drop warm-up steps
    median = {mode: statistics.median(values) for mode, values in samples.items()}
    ctx, module = _context(config, device, "off")
    isolated = {mode: _guard_only(ctx, module, mode, 200) for mode in ("stop", "skip")}
    record = {
        "model": f"dcgan (width {args.width}, 32x32 digits)",
        "batch_size": args.batch_size,
        "device": str(device),
        "torch_threads": torch.get_num_threads(),
        "steps_per_mode": len(samples["off"]),
        "cpu": platform.processor() or platform.machine(),
        "median_step_ms": {mode: round(value * 1000, 3) for mode, value in median.items()},
        "overhead_percent": {mode: round((median[mode] / median["off"] - 1) * 100, 2) for mode in ("stop", "skip")},
        "guard_alone_ms_per_step": {mode: round(value * 1000, 3) for mode, value in isolated.items()},
        "guard_alone_percent_of_step": {
            mode: round(value / median["off"] * 100, 2) for mode, value in isolated.items()
        },
        "load_average": list(os.getloadavg()),
        "when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    for mode in modes:
        extra = f"  ({record['overhead_percent'][mode]:+.2f}%)" if mode != "off" else ""
        print(f"{mode:>5}: {record['median_step_ms'][mode]:8.3f} ms/step{extra}")
    for mode, value in record["guard_alone_ms_per_step"].items():
        print(
            f"guard alone ({mode}): {value:.3f} ms/step = {record['guard_alone_percent_of_step'][mode]:.2f}% of a step"
        )
    print(f"load average while measuring: {record['load_average']}")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
