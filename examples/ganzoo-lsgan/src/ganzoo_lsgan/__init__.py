"""Least Squares GAN (Mao et al. 2017, arXiv 1611.04076) as a third-party ganzoo plugin.

This module is what the entry point names: it declares the plugin API it was written for and returns
cheap specs whose factories are "module:attribute" strings, so `ganzoo list` imports nothing heavy.
"""

from ganzoo import IMAGE, VECTORS, DatasetSpec, Key, LossSpec, ModelSpec, hookimpl

GANZOO_PLUGIN_API = "2"
PAPER = "1611.04076"


@hookimpl
def ganzoo_models() -> list[ModelSpec]:
    """The LSGAN model: the paper's convolutional networks for images, MLPs for 2D mixtures."""
    return [
        ModelSpec(
            "lsgan",
            "Least Squares GAN: least-squares targets instead of a sigmoid cross-entropy discriminator",
            "ganzoo_lsgan.model:LSGAN",
            paper=PAPER,
            data_kinds=(IMAGE, VECTORS),
            keys={
                "z_dim": Key(100, "latent dimension", low=1, high=100_000),
                "g_channels": Key(64, "generator width (images)", low=1, high=4096),
                "d_channels": Key(64, "discriminator width (images)", low=1, high=4096),
                "hidden": Key(128, "MLP width (vectors)", low=1, high=100_000),
                "depth": Key(3, "MLP hidden layers (vectors)", low=0, high=100),
            },
            defaults={
                "loss": "lsgan-01",
                "train": {"lr": 2e-4, "betas": [0.5, 0.999]},
            },
            test_config={"model": {"g_channels": 8, "d_channels": 8, "hidden": 16, "depth": 2}},
        )
    ]


@hookimpl
def ganzoo_losses() -> list[LossSpec]:
    """The paper's two codings of the least-squares targets (a: fake, b: real, c: what G wants)."""
    return [
        LossSpec(
            "lsgan-01",
            "Least squares with 0-1 coding a=0, b=c=1 (the paper's eq. 9, used in its experiments)",
            "ganzoo_lsgan.losses:ZeroOneCoding",
            paper=PAPER,
        ),
        LossSpec(
            "lsgan-pearson",
            "Least squares with a=-1, b=1, c=0: minimises the Pearson chi^2 divergence (eq. 8)",
            "ganzoo_lsgan.losses:PearsonCoding",
            paper=PAPER,
        ),
    ]


@hookimpl
def ganzoo_datasets() -> list[DatasetSpec]:
    """The paper's stability test (section 4.3): a mixture of Gaussians on a circle."""
    return [
        DatasetSpec(
            "lsgan-mog",
            "Mixture of 2D Gaussians on a circle, the LSGAN paper's stability test",
            "ganzoo_lsgan.data:load_mixture",
            kind=VECTORS,
            shape=(2,),
            origin=f"generated (arXiv {PAPER}, section 4.3)",
            defaults={"modes": 8, "radius": 2.0, "std": 0.02, "size": 20000, "seed": 0},
        ),
    ]
