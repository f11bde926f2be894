"""The ``ganzoo bench SUITE.yaml [--only PATTERN] [--seeds N] [--out DIR] [--jobs N] [--launcher submitit]`` command."""

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
    parser.add_argument(
        "--force", action="store_true", help="replace a report.md/results.json in --out that this suite did not write"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="(cell, seed) tasks run at once: worker processes, or submitit jobs running at once",
    )
    parser.add_argument(
        "--launcher",
        choices=("local", "submitit"),
        default="local",
        help='submitit: one cluster job per (cell, seed) (pip install "ganzoo[cluster]")',
    )
    parser.add_argument(
        "--submitit-folder", metavar="DIR", default="", help="submitit's job folder (default OUT/submitit)"
    )
    parser.add_argument(
        "--submitit-cluster",
        choices=("auto", "slurm", "local"),
        default="auto",
        help="submitit's executor: auto (SLURM when present), slurm, or local processes",
    )
    parser.add_argument(
        "--slurm",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="job setting, e.g. partition=gpu, time=60 (minutes), gpus_per_node=1; repeatable",
    )


def cmd_bench(args: argparse.Namespace) -> None:
    """Run the suite, resumably, and write results.json, report.md and plots/."""
    from ganzoo.bench.launch import Launch
    from ganzoo.bench.runner import run_suite
    from ganzoo.bench.suite import load_suite
    from ganzoo.trainer.interrupt import TrainingInterrupted

    console = Console(stderr=True)
    suite = load_suite(args.suite).with_seeds(args.seeds)
    launch = Launch(args.jobs, args.launcher, args.submitit_folder, args.submitit_cluster, _settings(args.slurm))
    out = Path(args.out) if args.out else Path("bench") / suite.name
    try:
        run_suite(
            suite,
            out,
            only=args.only,
            console=console,
            show_progress=args.progress,
            seed=args.seed,
            force=args.force,
            launch=launch,
        )
    except KeyboardInterrupt as exc:
        again = " ".join(["ganzoo bench", args.suite, "--out", str(out), *(["--only", args.only] if args.only else [])])
        raise TrainingInterrupted(
            f"interrupted: finished seeds are kept and the interrupted one continues from "
            f"its last checkpoint with `{again}`",
            getattr(exc, "exit_code", 130) - 128,
        ) from None
    Console().print(f"results: {out / 'results.json'}, report: {out / 'report.md'}, plots: {out / 'plots'}")


def _settings(pairs: list[str]) -> dict[str, object]:
    """``--slurm KEY=VALUE`` pairs, values read as YAML scalars (``60`` is a number)."""
    import yaml

    from ganzoo.errors import UserError

    settings: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--slurm expects KEY=VALUE, got {pair!r}")
        settings[key.strip()] = yaml.safe_load(value)
    return settings
