"""Typed config declarations: each key a model (or the trainer) takes, with its type, bounds and doc.

A model spec declares its ``model.*`` keys as ``Key`` objects; validation of files, ``--set`` values and
suites comes from the declaration, so no model checks or casts its own config, and ``ganzoo info MODEL``
prints every key's doc. Keys of API-1 plugins, declared only by their default value, are checked by type.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ganzoo.errors import UserError, short

_MAX_INT = 2**63 - 1
_SCALARS = (bool, int, float, str)


@dataclass(frozen=True)
class Key:
    """One config key: ``default`` fixes its type (``kind`` overrides it, e.g. ``float`` for a ``None``
    default), ``choices`` its allowed values, ``low``/``high`` its inclusive bounds, ``doc`` one line."""

    default: Any
    doc: str = ""
    choices: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    kind: type | None = None
    optional: bool = False
    items: type | None = field(default=None)  # element type of a list key
    length: int | None = None  # exact length of a list key

    @property
    def type(self) -> type | None:
        """The value type this key holds (``None``: any scalar, the legacy meaning of a null default)."""
        if self.kind is not None:
            return self.kind
        if self.default is None:
            return None
        return type(self.default) if not isinstance(self.default, tuple) else list

    def describe(self) -> str:
        """A short type-and-range phrase for ``ganzoo info`` and error messages."""
        if self.choices:
            text = "one of " + ", ".join(str(c) for c in self.choices)
        else:
            names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "list"}
            text = names.get(self.type, "value") if self.type else "value"
            if self.items is not None:
                count = f"{self.length} " if self.length else ""
                text += f" of {count}{names.get(self.items, 'value')}s"
            if self.low is not None and self.high is not None:
                text += f" in [{_number(self.low)}, {_number(self.high)}]"
            elif self.low is not None:
                text += f" >= {_number(self.low)}"
            elif self.high is not None:
                text += f" <= {_number(self.high)}"
        return text + (" or null" if self.optional else "")

    def check(self, path: str, value: Any, origin: str) -> Any:
        """``value`` converted to this key's type, or a ``UserError`` naming ``path`` and what it must be."""
        if value is None and (self.optional or self.default is None):
            return None
        expected = self.type
        if expected is float and isinstance(value, str):  # PyYAML reads "2e-4" as a string (YAML 1.1)
            try:
                value = float(value)
            except ValueError:
                pass
        if expected is None:
            ok = isinstance(value, _SCALARS)
        elif expected is bool:
            ok = isinstance(value, bool)
        elif expected is int:
            ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) <= _MAX_INT
        elif expected is float:
            ok = _is_number(value)
            value = float(value) if ok else value
        elif expected is str:
            ok = isinstance(value, str)
        elif expected is list:
            ok = isinstance(value, (list, tuple)) and all(isinstance(v, _SCALARS) for v in value)
            item_type = self.items or _list_item_type(self.default)
            if ok and item_type in (int, float):
                ok = all(_is_number(v) and (item_type is float or isinstance(v, int)) for v in value)
            ok = ok and (self.length is None or len(value) == self.length)
            value = list(value) if ok else value
        else:
            ok = isinstance(value, expected)
        if not ok:
            raise UserError(f"{origin}: '{path}' must be {_article(self)}, got {short(value)}")
        if self.choices and value not in self.choices:
            raise UserError(
                f"{origin}: '{path}' must be one of {', '.join(map(str, self.choices))}, got {short(value)}"
            )
        for number in value if isinstance(value, list) else [value]:
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                continue
            if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
                raise UserError(f"{origin}: '{path}' must be {_article(self)}, got {short(value)}")
        return value


def _number(value: float) -> str:
    return f"{value:.10g}"


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return abs(value) <= _MAX_INT if isinstance(value, int) else math.isfinite(value)


def _list_item_type(default: Any) -> type | None:
    if isinstance(default, (list, tuple)) and default and all(_is_number(v) for v in default):
        return float if any(isinstance(v, float) for v in default) else int
    return None


def _article(key: Key) -> str:
    phrase = key.describe()
    if phrase.startswith("one of"):
        return phrase
    return ("an " if phrase[:1] in "aeiou" else "a ") + phrase


def key_for_default(default: Any, path: str) -> Key:
    """The implicit declaration of a key known only by its default (API-1 plugins, dataset options):
    the same type, integers >= 0 and numbers >= 0 (``seed`` may be negative)."""
    if isinstance(default, bool) or default is None or isinstance(default, str):
        return Key(default)
    if isinstance(default, (int, float)):
        return Key(default, low=None if path == "seed" else 0)
    return Key(list(default) if isinstance(default, tuple) else default)


def as_keys(declared: Mapping[str, Any]) -> dict[str, Key]:
    """``Key`` objects for a mapping of key name to ``Key`` or plain default."""
    return {name: value if isinstance(value, Key) else key_for_default(value, name) for name, value in declared.items()}


def defaults_of(keys: Mapping[str, Key]) -> dict[str, Any]:
    """The default value of every declared key (lists copied)."""
    return {
        name: list(key.default) if isinstance(key.default, (list, tuple)) else key.default for name, key in keys.items()
    }
