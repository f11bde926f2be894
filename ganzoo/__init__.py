"""ganzoo: a plugin-based GAN zoo for PyTorch.

The package root is the public API: the Python API (``list_models``, ``create_model``, ``train``,
``load_run`` -> ``Run``; see ``ganzoo.api``) and what plugins import (the hook marker, the spec types, the
GAN module base classes and what the trainer hands them). Names are imported on first use (PEP 562), so
``import ganzoo`` and a plugin's spec module never import torch; everything in submodules not
re-exported here is internal.
"""

from __future__ import annotations

import importlib
from typing import Any

from ganzoo.errors import UserError
from ganzoo.hookspecs import PLUGIN_API_VERSION, hookimpl
from ganzoo.schema import Key
from ganzoo.specs import (
    IMAGE,
    IMAGE_DOMAINS,
    IMAGE_PAIRS,
    LABELLED_IMAGE,
    TEXT,
    VECTORS,
    DatasetSpec,
    EvaluatorSpec,
    LossSpec,
    ModelSpec,
)

__version__ = "0.1.0"

# Public name -> the module it lives in, imported when the name is first used.
_LAZY = {
    "DataInfo": "ganzoo.data",
    "LoadedData": "ganzoo.data",
    "data_root": "ganzoo.data",
    "decode_pixels": "ganzoo.data",
    "AdversarialGAN": "ganzoo.gan",
    "ConditionalGAN": "ganzoo.gan",
    "GANModule": "ganzoo.module",
    "Phase": "ganzoo.module",
    "AdversarialLoss": "ganzoo.objectives",
    "StepContext": "ganzoo.trainer.context",
    "Callback": "ganzoo.trainer.callbacks",
    "resolve_device": "ganzoo.trainer.precision",
    "Evaluator": "ganzoo.metrics.evaluate",
    "EvalSettings": "ganzoo.metrics.evaluate",
    **{
        name: "ganzoo.api"
        for name in (
            "Run",
            "create_evaluator",
            "create_loss",
            "create_model",
            "get_spec",
            "is_model",
            "list_datasets",
            "list_losses",
            "list_models",
            "load_dataset",
            "load_run",
            "resolve_config",
            "train",
        )
    },
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ganzoo' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = sorted(
    [
        "IMAGE",
        "IMAGE_DOMAINS",
        "IMAGE_PAIRS",
        "LABELLED_IMAGE",
        "PLUGIN_API_VERSION",
        "TEXT",
        "VECTORS",
        "DatasetSpec",
        "EvaluatorSpec",
        "Key",
        "LossSpec",
        "ModelSpec",
        "UserError",
        "hookimpl",
        "__version__",
        *_LAZY,
    ]
)
