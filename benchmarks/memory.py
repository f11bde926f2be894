"""Peak RSS of ``ganzoo run dcgan --dataset mnist`` against the plain PyTorch loop, each in a fresh process.

    python benchmarks/memory.py [--steps 50] [--before REV]

Peak RSS is ``ru_maxrss`` from ``wait4`` on each child (exact per process; the plain loop's DataLoader
workers are not counted, as in ``speed.py``). ``--before REV`` also measures ganzoo at git revision REV
(exported to a temporary folder and put first on ``PYTHONPATH``), alternating with the current tree.
Writes ``results/memory-<date>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def peak_rss_mb(command: list[str], env: dict[str, str]) -> float:
    """Run ``command`` and return its peak RSS in MiB; a failing command is an error."""
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert child.stderr is not None
    err = child.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"{' '.join(command)} failed:\n{err[-2000:]}")
    return round(usage.ru_maxrss / 1024, 1)


def export_revision(rev: str, folder: Path) -> Path:
    """The tree at ``rev`` in ``folder``, with ``ganzoo_plugins`` importable from it."""
    archive = folder / "tree.tar"
    subprocess.run(["git", "-C", str(HERE.parent), "archive", "-o", str(archive), rev], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder / "tree", filter="data")
    (folder / "tree" / "ganzoo_plugins").symlink_to(folder / "tree" / "plugins")
    return folder / "tree"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", metavar="REV", help="also measure ganzoo at this git revision")
    args = parser.parse_args()
    if not os.environ.get("GANZOO_DATA"):
        parser.error("set GANZOO_DATA to the folder holding MNIST/raw")
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    load_start = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as tmp:
        arms: dict[str, tuple[list[str], dict[str, str]]] = {
            "reference": (
                [sys.executable, str(HERE / "reference_dcgan.py"), "--steps", str(args.steps), "--warmup", "1"],
                env,
            )
        }
        run = [
            "-m",
            "ganzoo",
            "run",
            "dcgan",
            "--dataset",
            "mnist",
            "--no-progress",
            "--set",
            f"train.steps={args.steps}",
        ]
        arms["ganzoo"] = ([sys.executable, *run], env)
        if args.before:
            tree = export_revision(args.before, Path(tmp))
            arms[f"ganzoo@{args.before}"] = ([sys.executable, *run], {**env, "PYTHONPATH": str(tree)})
        peaks: dict[str, list[float]] = {name: [] for name in arms}
        for round_index in range(args.rounds):
            for name, (command, arm_env) in arms.items():
                out = ["--out", f"{tmp}/run-{name}-{round_index}"] if name != "reference" else []
                peaks[name].append(peak_rss_mb(command + out, arm_env))
                print(f"round {round_index} {name:24s} peak RSS {peaks[name][-1]:7.1f} MiB", flush=True)
    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "steps": args.steps,
        "load_average_start": load_start,
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "peak_rss_mb": {name: {"median": statistics.median(v), "runs": v} for name, v in peaks.items()},
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"memory-{time.strftime('%Y%m%d-%H%M', time.gmtime())}.json"
    path.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report["peak_rss_mb"]))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
