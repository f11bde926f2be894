"""The shared trainer: everything that is the same for every GAN.

Names are imported on first use (PEP 562), so light submodules (``outputs``, ``runlock``) serve the
listing commands without importing torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "Callback": "ganzoo.trainer.callbacks",
    "StepContext": "ganzoo.trainer.context",
    "FitResult": "ganzoo.trainer.loop",
    "Trainer": "ganzoo.trainer.loop",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'ganzoo.trainer' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)


__all__ = ["Callback", "FitResult", "StepContext", "Trainer"]
