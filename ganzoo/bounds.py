"""Bounds for values that pass their type check but would crash or hang a run later.

Sizes of networks and data (``model.embed_dim``, ``model.channels``, ``data.image_size``...) must be at
least 1 and at most ``MAX_SIZE``; counts of items at most ``MAX_COUNT``; learning rates at most
``MAX_LR`` (float32 stays finite). Keys are matched by name, so a plugin's keys get the same checks as the built-ins'.
"""

from __future__ import annotations

import re
from typing import Any

from ganzoo.errors import UserError, short

MAX_SIZE = 100_000
MAX_IMAGE_SIDE = 8192
MAX_COUNT = 100_000_000
MAX_LR = 1e30  # larger is inf in float32; a huge rate diverges (exit 3), it must not crash
# Sizes that 0 would break (an empty layer, no rollouts, no critic steps).
_NONZERO_SIZE = re.compile(
    r"(^|_)(dim|channels|blocks|depth|hidden|dense|categories|filters|filter_sizes|"
    r"num_filters|rollout_num|rollout_chunk|n_critic|"
    r"pack|scale|length|max_length|vocab_size|grid_crops)$"
)
_SIDE = re.compile(r"(^|_)(image_size|hr_size)$")
_COUNT = re.compile(r"(^|_)(limit|size|num_sequences|cache_images|crops_per_image|num_samples|batch_size)$")


def check_bounds(path: str, value: Any, origin: str) -> None:
    """Raise a one-line ``UserError`` when ``value`` for key ``path`` is outside its bounds."""
    section, _, name = path.rpartition(".")
    if section not in ("model", "data", "train") or isinstance(value, bool):
        return
    numbers = value if isinstance(value, list) else [value]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers):
        return
    if (name == "lr" or name.endswith("_lr")) and any(v > MAX_LR for v in numbers):
        _fail(origin, path, f"a learning rate of at most {MAX_LR:g}", value)
    if section == "train" and not _COUNT.search(name):
        return
    if _NONZERO_SIZE.search(name) and not all(1 <= v <= MAX_SIZE for v in numbers):
        _fail(origin, path, f"from 1 to {MAX_SIZE:,}", value)
    if _SIDE.search(name) and not all(v <= MAX_IMAGE_SIDE for v in numbers):
        _fail(origin, path, f"at most {MAX_IMAGE_SIDE:,} pixels", value)
    if _COUNT.search(name) and not all(v <= MAX_COUNT for v in numbers):
        _fail(origin, path, f"at most {MAX_COUNT:,}", value)


def _fail(origin: str, path: str, what: str, value: Any) -> None:
    raise UserError(f"{origin}: '{path}' must be {what}, got {short(value)}")
