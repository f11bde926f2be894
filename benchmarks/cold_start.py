"""Cold start of ``ganzoo list``: the median wall time of 5 fresh processes, beside the old cost.

Before the lazy root, ``import ganzoo`` imported torch, so listing paid at least ``python -c "import torch"``
(measured here the same way, as the floor the old path paid) and 4-8 s in the issue's measurements. With
``--old-commit REV`` the listing of that commit is measured too, from a temporary ``git worktree``.
Writes ``benchmarks/results/cold_start.json``. Usage: ``python benchmarks/cold_start.py [--runs 5]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "cold_start.json"


def wall(command: list[str], runs: int) -> list[float]:
    """Wall seconds of ``runs`` fresh processes of ``command`` (output discarded)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return times


# Imports ganzoo from the old tree: the editable install's finder is dropped, plugins/ is ganzoo_plugins.
OLD_LIST = (
    "import sys; sys.meta_path[:] = [f for f in sys.meta_path if '__editable__' not in type(f).__module__]; "
    "sys.path[:0] = sys.argv[1:3]; from ganzoo.cli import main; sys.exit(main(['list']))"
)


def old_listing(commit: str, runs: int) -> list[float]:
    """``ganzoo list`` as ``commit`` ran it: its tree in a temporary worktree, imported instead of this one."""
    with tempfile.TemporaryDirectory() as folder:
        tree, shim = Path(folder) / "old", Path(folder) / "shim"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit], check=True, capture_output=True
        )
        shim.mkdir()
        (shim / "ganzoo_plugins").symlink_to(tree / "plugins")
        try:
            return wall([sys.executable, "-c", OLD_LIST, str(tree), str(shim)], runs)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--old-commit", help="also time `ganzoo list` of this commit (e.g. HEAD~3)")
    args = parser.parse_args()
    results: dict[str, object] = {"runs": args.runs, "load_average": list(os.getloadavg()), "cpus": os.cpu_count()}
    measured = {
        "ganzoo list": wall([sys.executable, "-m", "ganzoo", "list"], args.runs),
        "import ganzoo": wall([sys.executable, "-c", "import ganzoo"], args.runs),
        "import torch (the old floor)": wall([sys.executable, "-c", "import torch"], args.runs),
    }
    if args.old_commit:
        measured[f"ganzoo list at {args.old_commit}"] = old_listing(args.old_commit, args.runs)
    results["median_s"] = {name: round(statistics.median(times), 3) for name, times in measured.items()}
    results["all_s"] = {name: [round(t, 3) for t in times] for name, times in measured.items()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    for name, value in results["median_s"].items():  # type: ignore[union-attr]
        print(f"{name:40s} {value:6.2f} s (median of {args.runs})")
    print(f"load average {results['load_average']} -> {RESULTS}")


if __name__ == "__main__":
    main()
