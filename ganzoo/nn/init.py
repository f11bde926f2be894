"""Weight initialisations: DCGAN's N(0, 0.02) and Xavier-uniform (SNGAN's ResNets)."""

from __future__ import annotations

from torch import nn

_WEIGHTED = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)
_NORMS = (nn.BatchNorm2d, nn.GroupNorm, nn.InstanceNorm2d)


def init_weights(module: nn.Module) -> None:
    """DCGAN initialisation: convolutions and linear layers N(0, 0.02), normalisation scales N(1, 0.02), biases 0."""
    for m in module.modules():
        if isinstance(m, _WEIGHTED):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, _NORMS) and m.weight is not None:
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


def init_xavier(module: nn.Module, gain: float = 1.0) -> None:
    """Xavier-uniform weights with ``gain`` and zero biases for every convolution and linear layer in ``module``."""
    for m in module.modules():
        if isinstance(m, _WEIGHTED):
            nn.init.xavier_uniform_(m.weight, gain)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
