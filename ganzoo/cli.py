"""The ``ganzoo`` command: list | info | plugins | run | sample | export | bench, plus plugins' commands.

User errors print one line and exit with code 2; tracebacks are kept for real bugs.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from rich.console import Console
from rich.markup import escape

from ganzoo import config as cfg
from ganzoo.bench.command import add_arguments as bench_arguments
from ganzoo.bench.command import cmd_bench
from ganzoo.errors import UserError, as_user_error, one_line
from ganzoo.registry import get_registry
from ganzoo.runs import add_arguments as runs_arguments
from ganzoo.runs import cmd_runs
from ganzoo.specs import SPEC_KINDS, DatasetSpec, EvaluatorSpec, LossSpec, ModelSpec

if TYPE_CHECKING:
    import torch
    from rich.table import Table

out = Console()
MAX_SAMPLES = 100_000  # one call's samples are held in memory at once
err = Console(stderr=True)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line as one line with exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UserError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = _Parser(prog="ganzoo", description="A plugin-based GAN zoo for PyTorch.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("list", help="list models, losses and datasets (wildcards allowed)")
    p.add_argument("words", nargs="*", metavar="[models|losses|datasets] [PATTERN]")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("info", help="show a model, loss or dataset and its default config")
    p.add_argument("name")
    p.set_defaults(handler=cmd_info)

    p = sub.add_parser("plugins", help="installed plugin packages, what each registered, and broken ones")
    p.set_defaults(handler=cmd_plugins)

    p = sub.add_parser("run", help="train a model and write a run directory")
    p.add_argument("model")
    p.add_argument("--dataset", "-d")
    p.add_argument("--config", dest="config_file", metavar="FILE.yaml")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--out", metavar="DIR")
    p.add_argument("--device")
    p.add_argument("--seed", type=int)
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.add_argument(
        "--nproc",
        type=int,
        default=1,
        metavar="N",
        help="train with N data-parallel processes on this machine (runs torchrun)",
    )
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("sample", help="draw samples from a run's last checkpoint")
    p.add_argument("run_dir")
    p.add_argument("-n", type=int, default=64)
    p.add_argument("--out", metavar="FILE.png|FILE.npz")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--cond",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="condition the samples (label=3 for cgan, code=2 for infogan); `ganzoo info MODEL` lists them",
    )
    p.add_argument("--label", type=int, help="short for --cond label=N (class-conditional models)")
    p.set_defaults(handler=cmd_sample)

    p = sub.add_parser("export", help="write a run's generator as safetensors (+ JSON config), TorchScript or ONNX")
    p.add_argument("run_dir")
    p.add_argument("-o", "--out", required=True, metavar="FILE.safetensors|FILE.pt|FILE.onnx")
    p.add_argument("--format", choices=("safetensors", "torchscript", "onnx"), help="default: from the suffix")
    p.add_argument("--batch", type=int, help="fixed batch size of the exported graph (default: a dynamic axis)")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("bench", help="train and score a suite of models x datasets x seeds, resumably")
    bench_arguments(p)
    p.set_defaults(handler=cmd_bench)

    p = sub.add_parser("runs", help="list run directories: model, dataset, step, state and last losses")
    runs_arguments(p)
    p.set_defaults(handler=cmd_runs)

    get_registry().add_commands(sub)  # plugins' commands (ganzoo_commands), e.g. srgan's upscale

    return parser


def cmd_list(args: argparse.Namespace) -> None:
    """Print one table per kind of spec, filtered by a wildcard pattern."""
    words = list(args.words)
    kinds = list(SPEC_KINDS)
    if words and words[0].lower() in SPEC_KINDS:
        kinds = [words.pop(0).lower()]
    if len(words) > 1:
        raise UserError("list takes at most a kind and one PATTERN, e.g. `ganzoo list models '*gan*'`")
    pattern = words[0] if words else "*"
    registry = get_registry()
    listed = {kind: registry.list(kind, pattern) for kind in kinds}
    for kind, specs in listed.items():
        if specs:
            out.print(_list_table(kind, specs))
    if not any(listed.values()):
        out.print(f"no {', '.join(kinds)} match {pattern!r}; `ganzoo list` shows everything", markup=False)
    if registry.broken:
        err.print(f"[yellow]{len(registry.broken)} plugin(s) failed to load; see `ganzoo plugins`[/]")


DATA_HEADERS = {"models": "data", "losses": "role", "datasets": "kind and shape"}  # what _data_column holds


def _list_table(kind: str, specs: Sequence[Any]) -> Table:
    """One kind's table; the paper column only when some spec cites one."""
    from rich.table import Table

    columns = ["name", "summary", "paper", DATA_HEADERS.get(kind, "data"), "package"]
    if not any(spec.paper for spec in specs):
        columns.remove("paper")
    table = Table(title=f"{kind} ({len(specs)})", title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for spec in specs:
        cells = {"name": spec.name, "summary": spec.summary, "paper": spec.paper, "package": spec.source}
        table.add_row(*(cells.get(column, _data_column(spec)) for column in columns))
    return table


def _data_column(spec: object) -> str:
    if isinstance(spec, ModelSpec):
        return ", ".join(spec.data_kinds)
    if isinstance(spec, DatasetSpec):
        shape = "x".join(map(str, spec.shape))
        classes = f", {spec.num_classes} classes" if spec.num_classes else ""
        return f"{spec.kind} {shape}{classes}"
    if isinstance(spec, LossSpec):
        return spec.role
    if isinstance(spec, EvaluatorSpec):
        return ", ".join(spec.datasets or spec.data_kinds) + f": {', '.join(spec.metrics)}"
    return ""


def cmd_info(args: argparse.Namespace) -> None:
    """Print a spec's fields and, for models and datasets, the default config as YAML."""
    from ganzoo.config import default_config

    name = args.name
    registry = get_registry()
    for kind in SPEC_KINDS:
        if name.lower() in registry.specs[kind]:
            spec = registry.get(kind, name)
            break
    else:
        registry.model(name)  # raises with the closest names
        return
    out.print(f"[bold]{spec.name}[/] ({kind[:-1] if kind != 'losses' else 'loss'}) from {spec.source}")
    out.print(spec.summary)
    if spec.paper:
        out.print(f"paper: arXiv {spec.paper}")
    out.print(f"data: {_data_column(spec)}")
    if isinstance(spec, ModelSpec):
        if spec.conditions:
            out.print(f"conditions: {', '.join(spec.conditions)} (`ganzoo sample RUN --cond KEY=VALUE`)")
        dataset = registry.dataset(_preferred_dataset(spec))
        out.print(_keys_table(spec, default_config(spec, dataset)))
        out.print(f"default config (with dataset {dataset.name}):")
        out.print(cfg.dump(default_config(spec, dataset)), markup=False, highlight=False)
    elif isinstance(spec, DatasetSpec):
        if spec.origin:
            out.print(f"source: {spec.origin}")
        out.print(cfg.dump({"data": {"name": spec.name, "root": None, **spec.defaults}}), markup=False)


def _keys_table(spec: ModelSpec, defaults: dict) -> object:
    """Every model and trainer key of ``spec``'s runs: default, type and range, and its one-line doc."""
    from rich.table import Table

    from ganzoo.config import config_schema

    table = Table(title=f"keys of {spec.name} runs", title_justify="left")
    for column in ("key", "default", "type", "doc"):
        table.add_column(column, overflow="fold")
    schema = config_schema(spec)
    for path, key in sorted(schema.items(), key=lambda item: not item[0].startswith("model.")):
        value: object = defaults
        for part in path.split("."):
            value = value[part]  # type: ignore[index]
        table.add_row(path, repr(value), key.describe(), key.doc)
    return table


def _preferred_dataset(spec: ModelSpec) -> str:
    data = spec.defaults.get("data", {})
    return data.get("name", cfg.DEFAULT_DATASET) if isinstance(data, dict) else cfg.DEFAULT_DATASET


def cmd_plugins(args: argparse.Namespace) -> None:
    """Print every installed plugin entry point, its package and version, and errors if broken."""
    from rich.table import Table

    table = Table(title="plugins", title_justify="left")
    for column in ("plugin", "package", "version", "api", "registered", "status"):
        table.add_column(column, overflow="fold")
    for plugin in get_registry().plugins:
        registered = "; ".join(f"{kind}: {', '.join(names)}" for kind, names in plugin.registered.items())
        status = "[red]broken: " + " | ".join(plugin.errors) + "[/]" if plugin.broken else "[green]ok[/]"
        table.add_row(
            f"{plugin.name} ({plugin.module})", plugin.package, plugin.version, plugin.api, registered, status
        )
    out.print(table)


def cmd_run(args: argparse.Namespace) -> None:
    """Train and report where the run went."""
    from ganzoo.runner import RunRequest, run
    from ganzoo.trainer import distributed

    if args.nproc < 1:
        raise UserError(f"--nproc must be at least 1, got {args.nproc}")
    if args.nproc > 1:
        if distributed.env_from_torchrun().enabled:
            raise UserError("--nproc starts torchrun itself; drop it when launching with torchrun")
        code = subprocess.call(
            distributed.torchrun_command(args.nproc, _run_argv(args)), env=distributed.torchrun_environment(args.nproc)
        )
        if code:
            raise SystemExit(code)
        return
    request = RunRequest(
        args.model, args.dataset, args.config_file, args.overrides, args.out, args.device, args.seed, args.resume
    )
    result = run(request, console=err, show_progress=not args.no_progress)
    if distributed.is_main_process():
        out.print(f"trained {result.steps} steps in {result.seconds:.1f}s -> {result.run_dir}")


def _run_argv(args: argparse.Namespace) -> list[str]:
    """``run`` arguments equivalent to ``args`` without ``--nproc`` (what each torchrun process gets)."""
    argv = ["run", args.model]
    for flag, value in (
        ("--dataset", args.dataset),
        ("--config", args.config_file),
        ("--out", args.out),
        ("--device", args.device),
        ("--seed", args.seed),
    ):
        if value is not None:
            argv += [flag, str(value)]
    for override in args.overrides:
        argv += ["--set", override]
    return argv + ["--resume"] * args.resume + ["--no-progress"] * args.no_progress


def cmd_sample(args: argparse.Namespace) -> None:
    """Sample from a run's last checkpoint: the model's own rendering (a PNG grid; text printed and saved), or
    images as an ``.npz`` of uint8, or of one condition (``--cond label=3``, ``--label 3``)."""
    import torch

    from ganzoo import render
    from ganzoo.api import load_run

    if not 1 <= args.n <= MAX_SAMPLES:
        raise UserError(f"-n must be from 1 to {MAX_SAMPLES:,}, got {args.n}; draw larger sets in several calls")
    if not 0 <= args.seed < 2**63:
        raise UserError(f"--seed must be between 0 and 2**63 - 1, got {args.seed}")
    run = load_run(args.run_dir)
    own = render.sample_suffix(run.module)
    target = Path(args.out) if args.out else Path(args.run_dir) / "samples" / f"sample_step{run.step}{own}"
    conditions = _conditions(args)
    if target.suffix == own and not conditions:
        generator = torch.Generator().manual_seed(args.seed)
        path = render.write_samples(run.module, args.n, target.with_suffix(""), generator)
        if path.suffix == render.TEXT_SUFFIX:
            for line in path.read_text(encoding="utf-8").splitlines():
                out.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            out.print(f"wrote samples to {path}")
        return
    if target.suffix.lower() not in (".png", ".npz"):
        raise UserError(f"--out must end in .png or .npz, got {target.name}")
    if target.suffix.lower() == ".png" and not conditions:
        run.save_grid(target, args.n, args.seed)
        out.print(f"wrote {args.n} samples to {target}")
        return
    result = run.sample(args.n, seed=args.seed, **conditions)
    if "image" not in result:
        raise UserError(f"model '{run.name}' does not produce images")
    if target.suffix.lower() == ".png":
        render.save_grid(result["image"], target, nrow=max(1, int(args.n**0.5)))
    else:
        _save_npz(result, target)
    out.print(f"wrote {len(result['image'])} samples to {target}")


def _save_npz(result: dict[str, torch.Tensor], target: Path) -> None:
    """Images as uint8 N x H x W x C (``images``), with their labels (``labels``) when conditional."""
    import numpy as np
    import torch

    images = ((result["image"].float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    # Any: numpy's stubs would match a dict of arrays against savez_compressed's allow_pickle: bool
    arrays: dict[str, Any] = {"images": images.permute(0, 2, 3, 1).cpu().numpy()}
    if "label" in result:
        arrays["labels"] = result["label"].cpu().numpy()
    target.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(target, **arrays)


def cmd_export(args: argparse.Namespace) -> None:
    """Export a run's generator (``Run.export``) and say where it went."""
    from ganzoo.api import load_run

    path = load_run(args.run_dir).export(args.out, args.format, args.batch)
    beside = f" (config: {path.with_suffix('.json')})" if path.suffix == ".safetensors" else ""
    out.print(f"wrote {path}{beside}")


def _conditions(args: argparse.Namespace) -> dict[str, int]:
    """``--cond KEY=INT`` pairs, with ``--label N`` as the short form of ``--cond label=N``."""
    conditions: dict[str, int] = {}
    for pair in args.cond:
        key, sep, value = pair.partition("=")
        try:
            conditions[key.strip()] = int(value)
        except ValueError:
            raise UserError(f"--cond expects KEY=INTEGER (for example label=3), got {pair[:80]!r}") from None
        if not sep or not key.strip():
            raise UserError(f"--cond expects KEY=INTEGER (for example label=3), got {pair[:80]!r}")
    if args.label is not None:
        conditions["label"] = args.label
    return conditions


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ganzoo`` console script; returns the exit code."""
    if hasattr(signal, "SIGXFSZ"):  # past the file-size limit a write fails (EFBIG) instead of killing us
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        args = build_parser().parse_args(argv)
        args.handler(args)
    except Exception as exc:
        problem = as_user_error(exc)
        if problem is None:
            raise
        err.print("[red]error:[/] " + escape(one_line(str(problem))), markup=True, highlight=False, soft_wrap=True)
        return problem.exit_code
    except KeyboardInterrupt as exc:
        err.print(str(exc) or "interrupted", style="yellow", markup=False, highlight=False, soft_wrap=True)
        return getattr(exc, "exit_code", 130)
    return 0


if __name__ == "__main__":
    sys.exit(main())
