"""The Markdown report and the terminal tables: one table per dataset, models as rows, metrics as
columns (final value, mean +- std over seeds), the best value of each column in bold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ganzoo.metrics.evaluate import LOWER_IS_BETTER
from ganzoo.trainer.checkpoint import atomic_write

ORDER = (
    "fid",
    "kid",
    "precision",
    "recall",
    "is",
    "classes",
    "class_kl",
    "class_acc",
    "modes",
    "hq",
    "mode_kl",
    "psnr",
    "ssim",
    "bleu2",
    "bleu3",
    "self_bleu3",
)
LABELS = {
    "fid": "FID",
    "kid": "KID",
    "is": "IS",
    "hq": "HQ %",
    "class_acc": "class acc %",
    "psnr": "PSNR dB",
    "ssim": "SSIM",
    "mode_kl": "mode KL",
    "class_kl": "class KL",
    "bleu2": "BLEU-2",
    "bleu3": "BLEU-3",
    "self_bleu3": "self-BLEU-3",
}


@dataclass
class DatasetTable:
    """A dataset's table as text cells, with which cells are the best of their column."""

    dataset: str
    headers: list[str]
    rows: list[list[str]]
    bold: list[list[bool]]


def _format(stat: Mapping[str, Any] | None, digits: int = 3) -> str:
    if not stat or stat.get("mean") is None:
        return "-"
    mean, std = stat["mean"], stat.get("std") or 0.0
    text = f"{mean:.{digits}g}" if abs(mean) < 1000 else f"{mean:.0f}"
    return f"{text} ± {std:.2g}" if stat.get("n", 1) > 1 else text


def _metric_names(cells: Sequence[Mapping[str, Any]]) -> list[str]:
    names = {name for c in cells for name in c.get("final", {})}
    return [n for n in ORDER if n in names] + sorted(names - set(ORDER))


def build_tables(results: Mapping[str, Any]) -> list[DatasetTable]:
    """One table per dataset over the cells that produced metrics."""
    tables = []
    cells = [c for c in results["cells"] if "final" in c]
    for dataset in dict.fromkeys(c["dataset"] for c in cells):
        group = [c for c in cells if c["dataset"] == dataset]
        names = _metric_names(group)
        headers = [
            "model",
            *(LABELS.get(n, n) for n in names),
            "best (step)",
            "budget",
            "steps",
            "train s",
            "samples/s",
            "peak MiB",
            "seeds",
        ]
        rows, bold = [], []
        for cell in group:
            primary = cell["primary"]
            best = (
                f"{LABELS.get(primary, primary)} {_format(cell['best'].get(primary))} "
                f"(@{_format(cell['best_step'], 6)})"
            )
            rows.append(
                [
                    cell["model"],
                    *(_format(cell["final"].get(n)) for n in names),
                    best,
                    cell["budget"],
                    _format(cell["steps"], 6),
                    _format(cell["train_s"]),
                    _format(cell["samples_per_s"], 4),
                    f"{cell['peak_memory_mb']:.0f}",
                    str(len(cell["seeds"])),
                ]
            )
            bold.append([False] * len(headers))
        for column, name in enumerate(names, start=1):
            values = [(row, c["final"].get(name, {}).get("mean")) for row, c in enumerate(group)]
            values = [(row, v) for row, v in values if v is not None]
            if len(values) < 2:
                continue
            pick = min if name in LOWER_IS_BETTER else max
            target = pick(v for _, v in values)
            for row, value in values:
                bold[row][column] = value == target
        tables.append(DatasetTable(dataset, headers, rows, bold))
    return tables


def _problems(results: Mapping[str, Any]) -> list[str]:
    return [
        f"- `{c['cell']}` ({c['status']}): {'; '.join(c['errors'])}" for c in results["cells"] if c["status"] != "ok"
    ]


def render_markdown(results: Mapping[str, Any]) -> str:
    """The report as Markdown text."""
    env = results["environment"]
    lines = [
        f"# Benchmark suite `{results['suite']}`",
        "",
        f"Run {results['created']} on {env['device_name']}; torch {env['torch']}, Python {env['python']}, "
        f"ganzoo commit `{env['git_commit']}`.",
        "",
        "Values are the final evaluation, mean ± standard deviation over seeds; **bold** is the best in "
        "its column. `best (step)` is the best evaluation of the cell's primary metric during training "
        "(its checkpoint is kept as `checkpoints/best.pt`) and the step it was reached at. `train s` "
        "excludes evaluation time.",
        "",
    ]
    for table in build_tables(results):
        lines += [
            f"## {table.dataset}",
            "",
            "| " + " | ".join(table.headers) + " |",
            "|" + "|".join("---" for _ in table.headers) + "|",
        ]
        for row, bold in zip(table.rows, table.bold):
            lines.append("| " + " | ".join(f"**{v}**" if b else v for v, b in zip(row, bold)) + " |")
        lines += ["", f"![{table.dataset}](plots/{table.dataset}.png)", ""]
    problems = _problems(results)
    if problems:
        lines += ["## Cells that failed or were skipped", "", *problems, ""]
    if results.get("pending"):
        lines += ["## Cells with no finished seed yet", "", *(f"- `{name}`" for name in results["pending"]), ""]
    return "\n".join(lines)


def write_report(results: Mapping[str, Any], path: Path) -> None:
    """Write the Markdown report atomically."""
    text = render_markdown(results)
    atomic_write(path, lambda handle: handle.write(text.encode("utf-8")))


def print_tables(results: Mapping[str, Any], console: Console, report: Path | None = None) -> None:
    """The same tables in the terminal (rich), with as many columns as fit the console's width (the
    others are named, pointing to ``report``), then failed and skipped cells."""
    for table in build_tables(results):
        title = f"{results['suite']}: {table.dataset}"
        shown = _columns_that_fit(console, title, table)
        console.print(_view(title, table, shown))
        hidden = [header for column, header in enumerate(table.headers) if column not in shown]
        if hidden:
            console.print(
                f"{len(hidden)} more column(s) in {report or 'report.md'}: {', '.join(hidden)}",
                style="dim",
                markup=False,
                highlight=False,
            )
    for line in _problems(results):
        console.print(f"[red]{line}[/]", markup=True, highlight=False)


def _view(title: str, table: DatasetTable, columns: Sequence[int]) -> Table:
    """A rich table of ``table``'s ``columns`` (indices), best values in bold green."""
    view = Table(title=title, title_justify="left")
    for column in columns:
        view.add_column(table.headers[column], overflow="fold")
    for row, bold in zip(table.rows, table.bold):
        view.add_row(*(f"[bold green]{row[c]}[/]" if bold[c] else row[c] for c in columns))
    return view


def _columns_that_fit(console: Console, title: str, table: DatasetTable) -> list[int]:
    """The model column, then each other column in order while the table's natural width fits the console."""
    unbounded = console.options.update_width(10_000)
    shown = [0]
    for column in range(1, len(table.headers)):
        if console.measure(_view(title, table, [*shown, column]), options=unbounded).maximum <= console.width:
            shown.append(column)
    return shown
