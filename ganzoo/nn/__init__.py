"""Building blocks that built-in and third-party models share: DCGAN networks, MLPs, residual blocks,
weight initialisation, normalisation choices (spectral norm included) and conditional batch norm.

Everything listed in ``__all__`` is public API: plugins import it from here (or from the submodules).
"""

from ganzoo.nn.dcgan import SIZES, DCGANDiscriminator, DCGANGenerator, LatentProjection, layout
from ganzoo.nn.init import init_weights, init_xavier
from ganzoo.nn.mlp import leaky_relu, mlp
from ganzoo.nn.norms import NORMS, apply_spectral_norm, check_norm, norm_layer
from ganzoo.nn.resnet import (
    ConditionalBatchNorm2d,
    OptimizedResBlockDown,
    ResBlockDown,
    ResBlockUp,
    SRResidualBlock,
)

__all__ = [
    "NORMS",
    "SIZES",
    "ConditionalBatchNorm2d",
    "DCGANDiscriminator",
    "DCGANGenerator",
    "LatentProjection",
    "OptimizedResBlockDown",
    "ResBlockDown",
    "ResBlockUp",
    "SRResidualBlock",
    "apply_spectral_norm",
    "check_norm",
    "init_weights",
    "init_xavier",
    "layout",
    "leaky_relu",
    "mlp",
    "norm_layer",
]
