"""Peak memory of ``ganzoo upscale`` against input size: each size runs in its own process.

Trains a tiny SRGAN for one step (the weights do not matter for memory), writes smooth test images of
512x512 up to 4096x4096, upscales each 4x to PNG and reads the child's peak RSS from ``wait4``. Writes
``benchmarks/results/upscale_memory.json`` and prints a table. Usage:
``python benchmarks/upscale_memory.py [--sizes 512 1024 2048 4096] [--tile 128]``.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

RESULTS = Path(__file__).parent / "results" / "upscale_memory.json"
MODEL = [
    "--set",
    "model.blocks=2",
    "--set",
    "model.channels=16",
    "--set",
    "model.d_channels=8",
    "--set",
    "model.d_dense=16",
    "--set",
    "model.pretrain_steps=1",
    "--set",
    "data.hr_size=32",
]


def ganzoo(*args: str, cwd: Path) -> tuple[float, float]:
    """Run ``ganzoo ARGS`` in a child process; its peak RSS in MiB and its wall time in seconds."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ganzoo", *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"ganzoo {' '.join(args)} failed:\n{proc.stderr.read().decode() if proc.stderr else ''}")
    return usage.ru_maxrss / 1024, time.perf_counter() - started


def smooth_image(side: int, path: Path) -> None:
    """A smooth random RGB image (bicubic-enlarged noise), like a photo to the network and to zlib."""
    coarse = np.random.default_rng(side).integers(0, 256, (side // 16, side // 16, 3), dtype=np.uint8)
    Image.fromarray(coarse).resize((side, side), Image.BICUBIC).save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048, 4096])
    parser.add_argument("--tile", type=int, default=128)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="upscale-memory-"))
    (work / "images").mkdir()
    for index in range(2):
        smooth_image(64, work / "images" / f"{index}.png")
    ganzoo(
        "run",
        "srgan",
        "--dataset",
        "sr-pairs",
        "--set",
        f"data.root={work / 'images'}",
        "--out",
        "run",
        "--device",
        "cpu",
        "--no-progress",
        "--set",
        "train.steps=2",
        "--set",
        "train.batch_size=2",
        "--set",
        "train.num_samples=2",
        *MODEL,
        cwd=work,
    )
    rows = []
    for side in args.sizes:
        smooth_image(side, work / f"in{side}.png")
        peak, seconds = ganzoo(
            "upscale",
            "run",
            f"in{side}.png",
            "-o",
            f"out{side}.png",
            "--tile",
            str(args.tile),
            "--device",
            "cpu",
            cwd=work,
        )
        with (work / f"out{side}.png").open("rb") as out:  # the size from IHDR: Pillow refuses > 179 Mpixel
            assert struct.unpack(">II", out.read(24)[16:24]) == (side * 4, side * 4)
        rows.append(
            {
                "input": f"{side}x{side}",
                "output": f"{side * 4}x{side * 4}",
                "peak_rss_mib": round(peak, 1),
                "seconds": round(seconds, 1),
            }
        )
        (work / f"out{side}.png").unlink()
        print(
            f"{rows[-1]['input']:>10} -> {rows[-1]['output']:>12}: peak RSS {peak:8.1f} MiB, {seconds:6.1f} s",
            flush=True,
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    RESULTS.write_text(
        json.dumps(
            {
                "tile": args.tile,
                "model": " ".join(MODEL[1::2]),
                "threads": os.environ.get("OMP_NUM_THREADS", "default"),
                "load_average": load,
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print("\n| input | output | peak RSS (MiB) | seconds |\n|---|---|---|---|")
    for row in rows:
        print(f"| {row['input']} | {row['output']} | {row['peak_rss_mib']} | {row['seconds']} |")
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; results in {RESULTS}")


if __name__ == "__main__":
    main()
