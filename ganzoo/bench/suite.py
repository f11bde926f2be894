"""Suite files: which models on which datasets, for how long, with how many seeds, scored how.

```yaml
name: quick
device: cpu                         # optional (default auto)
threads: 1                          # optional: torch CPU threads while the suite runs
seeds: 1                            # seeds 0..N-1 per cell (--seeds overrides)
budget: {steps: 1000}               # or {minutes: 2} (training time, evaluations excluded)
eval: {every: 250, samples: 2000, features: classifier}   # or `eval: false`: train only, score nothing
set: {train.log_every: 50}          # --set overrides for every cell
cells:
  - model: gan
    datasets: [ring8, grid25]
    set: {loss: hinge}              # merged over the suite's
    seeds: 3                        # any suite-level key may be given per entry
```

Each entry expands to cells named ``model/dataset``; ``--only`` selects them with a shell-style glob.
"""

from __future__ import annotations

import fnmatch
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from ganzoo import config as cfg
from ganzoo.bench.ownership import check_plain_name
from ganzoo.errors import UserError, short
from ganzoo.metrics.evaluate import EvalSettings

_SUITE_KEYS = {"name", "device", "seeds", "budget", "eval", "set", "cells", "data_root", "threads"}
_CELL_KEYS = {"model", "datasets", "dataset", "device", "seeds", "budget", "eval", "set"}
_EVAL_KEYS = {"every", "samples", "features", "metrics", "dataset"}
MAX_THREADS = 1024


@dataclass(frozen=True)
class Budget:
    """How long a cell trains: a number of steps, or minutes of training time (then steps is a cap)."""

    steps: int = 1000
    minutes: float = 0.0

    def describe(self) -> str:
        """``2000 steps`` or ``3 min``."""
        return f"{self.minutes:g} min" if self.minutes else f"{self.steps} steps"


@dataclass(frozen=True)
class Cell:
    """One model on one dataset, trained with ``seeds`` seeds under one budget."""

    model: str
    dataset: str
    seeds: int = 1
    budget: Budget = Budget()
    eval: EvalSettings = EvalSettings()
    overrides: Mapping[str, Any] = field(default_factory=dict)
    device: str = "auto"

    @property
    def name(self) -> str:
        """``model/dataset``, the name ``--only`` matches."""
        return f"{self.model}/{self.dataset}"

    def fingerprint(self) -> str:
        """What decides a cell's numbers; a finished seed whose fingerprint differs is run again."""
        decisive = {k: v for k, v in asdict(self).items() if k != "seeds"}
        return json.dumps(decisive, sort_keys=True, default=str)

    def set_args(self) -> list[str]:
        """The overrides as ``--set KEY=VALUE`` strings (values in YAML flow style)."""
        return [
            f"{key}={yaml.safe_dump(value, default_flow_style=True).strip().removesuffix('...').strip()}"
            for key, value in self.overrides.items()
        ]


@dataclass(frozen=True)
class Suite:
    """A named list of cells."""

    name: str
    cells: tuple[Cell, ...]
    data_root: str | None = None
    threads: int = 0

    def select(self, pattern: str | None) -> list[Cell]:
        """Cells whose name matches the glob ``pattern`` (all when ``None``); no match is a user error."""
        if not pattern:
            return list(self.cells)
        chosen = [c for c in self.cells if fnmatch.fnmatchcase(c.name.lower(), pattern.lower())]
        if not chosen:
            raise UserError(
                f"--only '{pattern}' matches none of the suite's cells ({', '.join(c.name for c in self.cells)})"
            )
        return chosen

    def with_seeds(self, seeds: int | None) -> Suite:
        """The same suite with every cell run with ``seeds`` seeds (``--seeds``)."""
        if seeds is None:
            return self
        if seeds < 1:
            raise UserError(f"--seeds must be at least 1, got {seeds}")
        return replace(self, cells=tuple(replace(c, seeds=seeds) for c in self.cells))


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise UserError(f"{where} must be a mapping, got {value!r}")
    return dict(value)


def _check_keys(entry: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise UserError(f"{where}: unknown key '{unknown[0]}'; valid keys are {', '.join(sorted(allowed))}")


def _budget(value: Any, where: str) -> Budget:
    entry = _mapping(value, f"{where} budget")
    _check_keys(entry, {"steps", "minutes"}, f"{where} budget")
    steps, minutes = entry.get("steps"), entry.get("minutes", 0)
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not 0 <= minutes < math.inf:
        raise UserError(f"{where} budget: minutes must be a finite number >= 0, got {short(minutes)}")
    if steps is None:
        steps = 10_000_000 if minutes else 1000
    if not isinstance(steps, int) or steps < 1:
        raise UserError(f"{where} budget: steps must be an integer >= 1, got {short(steps)}")
    return Budget(steps, float(minutes))


def _eval_layer(value: Any, where: str) -> dict[str, Any] | Literal[False]:
    """A suite's or entry's ``eval``: a mapping of settings, or ``false`` to switch evaluation off."""
    return value if value is False else _mapping(value, where)


def _eval(suite_value: Any, entry_value: Any, where: str) -> EvalSettings:
    suite_layer, entry_layer = _eval_layer(suite_value, f"{where} eval"), _eval_layer(entry_value, f"{where} eval")
    if entry_layer is False or (suite_layer is False and entry_value is None):
        return EvalSettings(enabled=False)
    value = {**(suite_layer or {}), **entry_layer}
    _check_keys(value, _EVAL_KEYS, f"{where} eval")
    metrics = value.get("metrics") or []
    if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics):
        raise UserError(f"{where} eval: metrics must be a list of metric names, got {short(metrics)}")
    for name in ("features", "dataset"):
        if not isinstance(value.get(name, ""), str):
            raise UserError(f"{where} eval: {name} must be a name, got {short(value[name])}")
    settings = EvalSettings(
        every=value.get("every", 500),
        samples=value.get("samples", 2000),
        features=value.get("features", "classifier"),
        metrics=tuple(metrics),
        dataset=value.get("dataset") or "",
    )
    for name in ("every", "samples"):
        number = getattr(settings, name)
        if not isinstance(number, int) or number < 1:
            raise UserError(f"{where} eval: {name} must be an integer >= 1, got {short(number)}")
    return settings


def parse_suite(data: Mapping[str, Any], origin: str = "suite") -> Suite:
    """Validate a suite mapping and expand its entries into cells."""
    _check_keys(data, _SUITE_KEYS, origin)
    entries = data.get("cells")
    if not isinstance(entries, list) or not entries:
        raise UserError(f"{origin}: 'cells' must be a non-empty list of {{model, datasets}} entries")
    cells: list[Cell] = []
    for number, raw in enumerate(entries, 1):
        where = f"{origin}: cells entry {number}"
        entry = _mapping(raw, where)
        _check_keys(entry, _CELL_KEYS, where)
        model = entry.get("model")
        datasets = entry.get("datasets", [entry["dataset"]] if "dataset" in entry else None)
        if not isinstance(model, str) or not isinstance(datasets, list) or not datasets:
            raise UserError(f"{where} needs 'model' (a name) and 'datasets' (a list of names)")
        check_plain_name(model, f"{where}: model")
        for dataset in datasets:
            check_plain_name(dataset, f"{where}: dataset")
        seeds = entry.get("seeds", data.get("seeds", 1))
        if not isinstance(seeds, int) or seeds < 1:
            raise UserError(f"{where}: seeds must be an integer >= 1, got {short(seeds)}")
        overrides = {**_mapping(data.get("set"), f"{origin} set"), **_mapping(entry.get("set"), f"{where} set")}
        settings = _eval(data.get("eval"), entry.get("eval"), where)
        budget = _budget(entry.get("budget", data.get("budget")), where)
        device = str(entry.get("device", data.get("device", "auto")))
        for dataset in datasets:
            cells.append(Cell(model, str(dataset), seeds, budget, settings, overrides, device))
    names = [c.name for c in cells]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise UserError(f"{origin}: cell {duplicates[0]} is listed twice")
    threads = data.get("threads", 0)
    if isinstance(threads, bool) or not isinstance(threads, int) or not 0 <= threads <= MAX_THREADS:
        raise UserError(
            f"{origin}: threads must be an integer from 0 (torch's default) to {MAX_THREADS}, got {short(threads)}"
        )
    data_root = data.get("data_root")
    if data_root is not None and not isinstance(data_root, str):
        raise UserError(f"{origin}: data_root must be a folder path, got {short(data_root)}")
    name = check_plain_name(data.get("name") or "suite", f"{origin}: name")
    return Suite(name, tuple(cells), data_root, threads)


def load_suite(path: str | Path) -> Suite:
    """Read and validate a suite YAML file."""
    path = Path(path)
    return parse_suite(cfg.load_yaml(path), origin=f"suite {path}")
