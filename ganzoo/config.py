"""Run configs: trainer defaults < dataset defaults < model defaults < ``--config`` file < ``--set``.

The defaults fix every key and its type, so a file or override may only change existing keys, with
values of the same type (``--set train.lr=2e-4`` is a float). The result is frozen and is written to
the run directory, where it is enough to reproduce the run.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from ganzoo.bounds import check_bounds
from ganzoo.errors import UserError, did_you_mean, short

DEFAULT_DATASET = "digits"
PRECISIONS = ("auto", "fp32", "bf16", "fp16")

# Keys every model shares; models and datasets add their own sections and may override these values.
TRAINER_DEFAULTS: dict[str, Any] = {
    "seed": 0,
    "device": "auto",
    "loss": "bce",
    "model": {"name": ""},
    "data": {"name": DEFAULT_DATASET, "root": None},
    "train": {
        "steps": 2000,
        "batch_size": 64,
        "lr": 2e-4,
        "betas": [0.5, 0.999],
        "precision": "auto",
        "channels_last": True,
        "compile": False,
        "sync_batchnorm": False,
        "find_unused_parameters": False,
        "log_every": 10,
        "sample_every": 500,
        "checkpoint_every": 500,
        "num_samples": 64,
        "on_nonfinite": "stop",
    },
}
# Keys whose value must be at least 1 (other integers must be at least 0).
_POSITIVE = {"train.steps", "train.batch_size", "train.log_every", "train.sample_every",
             "train.checkpoint_every", "train.num_samples"}
_MAX_INT = 2**63 - 1
_CHOICES = {"train.precision": PRECISIONS, "train.on_nonfinite": ("stop", "skip")}


def merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``update`` into a copy of ``base`` without validation (used to build defaults)."""
    result = copy.deepcopy(dict(base))
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def apply(config: dict[str, Any], update: Any, origin: str, prefix: str = "") -> None:
    """Validate ``update`` against the keys and types already in ``config`` and write it in place."""
    if not isinstance(update, Mapping):
        where = f"'{prefix[:-1]}'" if prefix else "the top level"
        raise UserError(f"{origin}: {where} must be a mapping of keys to values, got {_type_name(update)}")
    for key, value in update.items():
        path = f"{prefix}{key}"
        if key not in config:
            known = [f"{prefix}{k}" for k in config]
            raise UserError(f"{origin}: unknown config key {short(path)}{did_you_mean(path[:200], known)}; "
                            f"`ganzoo info MODEL` lists the valid keys")
        current = config[key]
        if isinstance(current, dict):
            apply(current, value, origin, prefix=f"{path}.")
        else:
            config[key] = _check_value(path, current, value, origin)


def _is_number(value: Any) -> bool:
    """An int or float (not a bool) that is finite and fits in 64 bits, as torch needs."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(value, int):
        return abs(value) <= _MAX_INT
    return math.isfinite(value)


def _check_value(path: str, default: Any, value: Any, origin: str) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _MAX_INT:
        raise UserError(f"{origin}: '{path}' is out of range (more than 64 bits), got {short(value)}")
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        if isinstance(value, str):  # PyYAML reads "2e-4" as a string (YAML 1.1)
            try:
                value = float(value)
            except ValueError:
                pass
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        value = float(value) if ok else value
    elif isinstance(default, str):
        ok = isinstance(value, str)
    elif isinstance(default, list):
        ok = isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value)
        if ok and default and all(_is_number(v) for v in default):  # a list of numbers stays one
            ok = all(_is_number(v) for v in value)
    else:  # None: an optional scalar such as a path
        ok = value is None or isinstance(value, (str, int, float, bool))
    if not ok:
        expected = ("a number" if isinstance(default, float) else
                    "a list of numbers" if isinstance(default, list) and default else _type_name(default))
        raise UserError(f"{origin}: '{path}' must be {expected}, got {short(value)}")
    if isinstance(value, int) and not isinstance(value, bool):
        floor = 1 if path in _POSITIVE else 0
        if value < floor and path != "seed":
            raise UserError(f"{origin}: '{path}' must be >= {floor}, got {value}")
    if isinstance(default, float) and value < 0:
        raise UserError(f"{origin}: '{path}' must be >= 0, got {value}")
    if path == "train.betas" and not (len(value) == 2 and all(0 <= b < 1 for b in value)):
        raise UserError(f"{origin}: 'train.betas' must be two numbers in [0, 1) (Adam's), got {short(value)}")
    if path in _CHOICES and value not in _CHOICES[path]:
        raise UserError(f"{origin}: '{path}' must be one of {', '.join(_CHOICES[path])}, got {short(value)}")
    check_bounds(path, value, origin)
    return value


def _type_name(value: Any) -> str:
    names = {bool: "true or false", int: "an integer", str: "a string", list: "a list", dict: "a mapping"}
    if value is None:
        return "nothing (null)"
    return names.get(type(value), f"a {type(value).__name__}")


def parse_overrides(pairs: Iterable[str]) -> dict[str, Any]:
    """Turn ``["train.lr=2e-4", "loss=hinge"]`` into a nested mapping with YAML-typed values."""
    nested: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--set expects KEY=VALUE (for example train.steps=100), got {short(pair)}")
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except (yaml.YAMLError, ValueError, RecursionError):  # ValueError: an int of over 4,300 digits
            value = raw
        node = nested
        parts = key.strip().split(".")
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise UserError(f"--set sets '{part}' both as a value and as a section")
            node = child
        node[parts[-1]] = value
    return nested


def load_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping from ``path`` (an empty file is an empty mapping)."""
    path = Path(path)
    if path.exists() and not path.is_file():  # a FIFO or device would block the read forever
        raise UserError(f"config file {path} is not a regular file; give a YAML file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read config file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise UserError(f"config file {path} is not valid YAML{where}; fix its syntax") from None
    except (RecursionError, ValueError):  # ValueError: an integer of over 4,300 digits
        raise UserError(f"config file {path} is nested too deeply or holds a number too long to read; "
                        f"fix it") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"config file {path} must hold a mapping of keys to values, got {_type_name(data)}")
    return data


def freeze(value: Any) -> Any:
    """A read-only view: mappings become ``MappingProxyType`` and lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Plain dicts and lists again, for YAML output and checkpoints."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


def build_config(defaults: Mapping[str, Any], layers: Iterable[tuple[str, Mapping[str, Any]]]) -> Mapping[str, Any]:
    """Apply each ``(origin, mapping)`` layer over ``defaults`` with validation and freeze the result."""
    config = copy.deepcopy(thaw(defaults))
    for origin, layer in layers:
        apply(config, layer, origin)
    return freeze(config)


def dump(config: Mapping[str, Any]) -> str:
    """The config as YAML text, keys in their natural order."""
    return yaml.safe_dump(thaw(config), sort_keys=False)
