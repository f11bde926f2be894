"""The ``ganzoo bench SUITE.yaml [--only PATTERN] [--seeds N] [--out DIR]`` command."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The bench command's options."""
    parser.add_argument("suite", metavar="SUITE.yaml")
    parser.add_argument("--only", metavar="PATTERN", help="glob over cell names model/dataset, e.g. '*/mnist'")
    parser.add_argument("--seeds", type=int, help="seeds per cell (overrides the suite)")
    parser.add_argument("--seed", type=int, help="run only this seed of each cell (to split seeds across processes)")
    parser.add_argument("--out", metavar="DIR", help="results folder (default bench/SUITE_NAME); rerunning resumes")
    parser.add_argument("--progress", action="store_true", help="show each run's progress bar")
    parser.add_argument("--force", action="store_true",
                        help="replace a report.md/results.json in --out that this suite did not write")


def cmd_bench(args: argparse.Namespace) -> None:
    """Run the suite, resumably, and write results.json, report.md and plots/."""
    from ganzoo.bench.runner import run_suite
    from ganzoo.bench.suite import load_suite
    from ganzoo.trainer.interrupt import TrainingInterrupted

    console = Console(stderr=True)
    suite = load_suite(args.suite).with_seeds(args.seeds)
    out = Path(args.out) if args.out else Path("bench") / suite.name
    try:
        run_suite(suite, out, only=args.only, console=console, show_progress=args.progress, seed=args.seed,
                  force=args.force)
    except KeyboardInterrupt as exc:
        again = " ".join(["ganzoo bench", args.suite, "--out", str(out), *(["--only", args.only] if args.only else [])])
        raise TrainingInterrupted(f"interrupted: finished seeds are kept and the interrupted one continues from "
                                  f"its last checkpoint with `{again}`", getattr(exc, "exit_code", 130) - 128) from None
    Console().print(f"results: {out / 'results.json'}, report: {out / 'report.md'}, plots: {out / 'plots'}")
