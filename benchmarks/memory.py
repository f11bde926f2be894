"""Peak RSS of ``ganzoo run dcgan --dataset mnist`` against the plain PyTorch loop, each in a fresh process.

    python benchmarks/memory.py [--steps 50] [--before REV]

Peak RSS is ``ru_maxrss`` from ``wait4`` on each child (exact per process; the plain loop's DataLoader
workers are not counted, as in ``speed.py``), and also the peak before the interpreter's teardown (VmHWM
read after the program's atexit handlers), since tearing down torch's libraries adds its own spike.
``--before REV`` also measures ganzoo at git revision REV (exported to a temporary folder and put first on
``PYTHONPATH``), alternating with the current tree. Writes ``results/memory-<date>.json``.
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


# Runs a script or ``-m module`` as __main__ and, after its atexit handlers, reports the process's peak RSS so
# far: the peak before the interpreter tears down torch's libraries (which alone adds about 120 MiB to a bare
# ``import torch``), whatever the program does.
PROBE = """import atexit, runpy, sys
def report():
    hwm = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")]
    print("VmHWM_KB", hwm[0], file=sys.stderr, flush=True)
atexit.register(report)
target, sys.argv = sys.argv[1], sys.argv[1:]
if target == "-m":
    sys.argv = sys.argv[1:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
else:
    runpy.run_path(target, run_name="__main__")
"""


def peak_rss_mb(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``[python, *command]`` and return (peak RSS before interpreter teardown, peak RSS of the whole
    process) in MiB; a failing command is an error."""
    full = [sys.executable, "-c", PROBE, *command]
    child = subprocess.Popen(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert child.stderr is not None
    err = child.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"{' '.join(command)} failed:\n{err[-2000:]}")
    before_teardown = [line.split()[1] for line in err.splitlines() if line.startswith("VmHWM_KB ")]
    return round(int(before_teardown[-1]) / 1024, 1), round(usage.ru_maxrss / 1024, 1)


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
                [str(HERE / "reference_dcgan.py"), "--steps", str(args.steps), "--warmup", "1"],
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
        arms["ganzoo"] = (run, env)
        if args.before:
            tree = export_revision(args.before, Path(tmp))
            arms[f"ganzoo@{args.before}"] = (run, {**env, "PYTHONPATH": str(tree)})
        peaks: dict[str, list[float]] = {name: [] for name in arms}
        training: dict[str, list[float]] = {name: [] for name in arms}
        for round_index in range(args.rounds):
            for name, (command, arm_env) in arms.items():
                out = ["--out", f"{tmp}/run-{name}-{round_index}"] if name != "reference" else []
                before_teardown, whole = peak_rss_mb(command + out, arm_env)
                peaks[name].append(whole)
                training[name].append(before_teardown)
                print(
                    f"round {round_index} {name:24s} peak RSS {whole:7.1f} MiB, before teardown {before_teardown:7.1f}",
                    flush=True,
                )
    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "steps": args.steps,
        "load_average_start": load_start,
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "peak_rss_mb": {name: {"median": statistics.median(v), "runs": v} for name, v in peaks.items()},
        "peak_rss_before_teardown_mb": {
            name: {"median": statistics.median(v), "runs": v} for name, v in training.items()
        },
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"memory-{time.strftime('%Y%m%d-%H%M', time.gmtime())}.json"
    path.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report["peak_rss_mb"]))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
