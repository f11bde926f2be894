"""Normalisation choices for convolutional networks, spectral norm included (Miyato et al. 2018).

``norm_layer`` builds an activation normalisation by name; ``spectral`` normalises weights instead,
so it adds no layer and ``apply_spectral_norm`` wraps the network's weights.
"""

from __future__ import annotations

from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from ganzoo.errors import UserError

NORMS = ("batch", "layer", "instance", "none", "spectral")
_WEIGHTED = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)


def check_norm(kind: str) -> str:
    """``kind`` itself when it names a normalisation in ``NORMS``, else a ``UserError`` naming the valid ones."""
    if kind not in NORMS:
        raise UserError(f"unknown normalisation '{kind}'; use one of {', '.join(NORMS)}")
    return kind


def norm_layer(kind: str, channels: int) -> nn.Module:
    """``batch``, ``layer`` (over C, H, W with a per-channel affine, as WGAN-GP's critic), ``instance``, or an
    identity for ``none`` and ``spectral`` (which normalises weights, see ``apply_spectral_norm``)."""
    check_norm(kind)
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "layer":
        return nn.GroupNorm(1, channels)
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=True)
    return nn.Identity()


def apply_spectral_norm(module: nn.Module) -> nn.Module:
    """Wrap the weight of every Conv2d, ConvTranspose2d and Linear in ``module`` with spectral norm; returns it."""
    for layer in list(module.modules()):
        if isinstance(layer, _WEIGHTED):
            spectral_norm(layer)
    return module
