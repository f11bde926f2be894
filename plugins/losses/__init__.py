"""Built-in loss plugins."""

from ganzoo import LossSpec, hookimpl


@hookimpl
def ganzoo_losses() -> list[LossSpec]:
    """Adversarial objectives (switched with ``--set loss=NAME``) and InfoGAN's mutual-information term."""
    return [
        LossSpec(
            "bce",
            "Non-saturating binary cross-entropy on logits (the original GAN objective)",
            "ganzoo_plugins.losses.adversarial:NonSaturatingBCE",
            paper="1406.2661",
        ),
        LossSpec(
            "hinge",
            "Hinge loss for the discriminator, -D(G(z)) for the generator",
            "ganzoo_plugins.losses.adversarial:Hinge",
            paper="1705.02894",
        ),
        LossSpec(
            "wasserstein",
            "Wasserstein critic loss without penalty (pair it with weight clipping, as WGAN does)",
            "ganzoo_plugins.losses.wasserstein:Wasserstein",
            paper="1701.07875",
        ),
        LossSpec(
            "wasserstein_gp",
            "Wasserstein critic loss with a gradient penalty on interpolates (lambda 10)",
            "ganzoo_plugins.losses.wasserstein:WassersteinGP",
            paper="1704.00028",
        ),
        LossSpec(
            "least_squares",
            "Least-squares GAN: squared distance of scores to 1 (real) and 0 (fake)",
            "ganzoo_plugins.losses.least_squares:LeastSquares",
            paper="1611.04076",
        ),
        LossSpec(
            "info",
            "InfoGAN mutual information: code cross-entropy plus Gaussian NLL of continuous codes",
            "ganzoo_plugins.losses.info:MutualInformation",
            paper="1606.03657",
            role="mutual-information",
        ),
    ]
