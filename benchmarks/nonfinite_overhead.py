"""What the NaN/inf guard costs per training step: DCGAN training steps timed with the guard off, in
``stop`` mode (device-side flags, no host sync) and in ``skip`` mode (one host sync per update).

    python benchmarks/nonfinite_overhead.py [--steps 60] [--device cpu] [--batch-size 64] [--width 64]

Prints a table and writes benchmarks/results/nonfinite_overhead.json. Modes are interleaved in rounds
so that load from other processes hits them alike; the median step time of each mode is reported.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import torch

from ganzoo import config as cfg
from ganzoo.registry import get_registry
from ganzoo.runner import build_model, default_config, load_data, seed_everything
from ganzoo.trainer.batches import make_batches
from ganzoo.trainer.context import StepContext
from ganzoo.trainer.nonfinite import NonFiniteGuard

RESULTS = Path(__file__).parent / "results" / "nonfinite_overhead.json"


def _context(config, device: torch.device, mode: str) -> tuple[StepContext, torch.nn.Module]:
    seed_everything(0)
    data = load_data(config)
    module = build_model(config, data.info).to(device)
    optimizers = module.configure_optimizers()
    batches = make_batches(data, int(config["train"]["batch_size"]), device, 0)
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
    registry = get_registry()
    config = cfg.build_config(default_config(registry.model("dcgan"), registry.dataset("digits")),
                              [("benchmark", {"train": {"batch_size": args.batch_size},
                                              "model": {"g_channels": args.width, "d_channels": args.width}})])
    modes = ("off", "stop", "skip")
    samples: dict[str, list[float]] = {mode: [] for mode in modes}
    for _ in range(args.rounds):
        for mode in modes:
            ctx, module = _context(config, device, mode)
            samples[mode] += _time_steps(ctx, module, args.steps, device)[5:]  # drop warm-up steps
    median = {mode: statistics.median(values) for mode, values in samples.items()}
    record = {
        "model": f"dcgan (width {args.width}, 32x32 digits)", "batch_size": args.batch_size, "device": str(device),
        "torch_threads": torch.get_num_threads(), "steps_per_mode": len(samples["off"]),
        "cpu": platform.processor() or platform.machine(),
        "median_step_ms": {mode: round(value * 1000, 3) for mode, value in median.items()},
        "overhead_percent": {mode: round((median[mode] / median["off"] - 1) * 100, 2) for mode in ("stop", "skip")},
        "when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    for mode in modes:
        extra = f"  ({record['overhead_percent'][mode]:+.2f}%)" if mode != "off" else ""
        print(f"{mode:>5}: {record['median_step_ms'][mode]:8.3f} ms/step{extra}")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
