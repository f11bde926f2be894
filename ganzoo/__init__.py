"""ganzoo: a plugin-based GAN zoo for PyTorch.

This package root is the public API that plugins import: the hook marker, the spec types, the GAN
module base class and what the trainer hands it. Everything in submodules not re-exported here is
internal.
"""

from ganzoo.data import DataInfo, LoadedData, data_root
from ganzoo.errors import UserError
from ganzoo.hookspecs import PLUGIN_API_VERSION, hookimpl
from ganzoo.gan import AdversarialGAN, ConditionalGAN
from ganzoo.module import GANModule, Phase
from ganzoo.schema import Key
from ganzoo.objectives import AdversarialLoss
from ganzoo.specs import (
    IMAGE,
    IMAGE_DOMAINS,
    IMAGE_PAIRS,
    LABELLED_IMAGE,
    TEXT,
    VECTORS,
    DatasetSpec,
    LossSpec,
    ModelSpec,
)
from ganzoo.trainer.context import StepContext

__version__ = "0.1.0"


def create_loss(name: str, role: str | None = None, **options: object) -> object:
    """Build the registered loss called ``name``; with ``role``, a loss of another role is a ``UserError``."""
    from ganzoo.registry import get_registry

    spec = get_registry().loss(name)
    if role is not None and spec.role != role:
        raise UserError(f"loss '{spec.name}' is not a fitting {role} loss (it is a {spec.role} loss); "
                        f"`ganzoo list losses` shows each loss's role")
    return spec.build(**options)


__all__ = [
    "IMAGE", "IMAGE_DOMAINS", "IMAGE_PAIRS", "LABELLED_IMAGE", "PLUGIN_API_VERSION", "TEXT", "VECTORS", "AdversarialGAN",
    "AdversarialLoss", "ConditionalGAN", "DataInfo", "Key", "DatasetSpec", "GANModule", "LoadedData", "LossSpec", "ModelSpec", "Phase",
    "StepContext", "UserError", "create_loss", "data_root", "hookimpl", "__version__",
]
