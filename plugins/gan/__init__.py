"""The original GAN (Goodfellow et al. 2014) with MLP networks, on vectors or flattened images."""

from ganzoo import IMAGE, VECTORS, Key, ModelSpec, hookimpl

GANZOO_PLUGIN_API = "2"


@hookimpl
def ganzoo_models() -> list[ModelSpec]:
    """The vanilla ``gan`` model spec: the baseline for the toy mixtures and for comparing losses."""
    return [
        ModelSpec(
            "gan",
            "Vanilla GAN: MLP generator and discriminator on vectors or flattened images",
            "ganzoo_plugins.gan.model:VanillaGAN",
            paper="1406.2661",
            data_kinds=(VECTORS, IMAGE),
            keys={
                "z_dim": Key(64, "latent dimension", low=1, high=100_000),
                "hidden": Key(256, "width of every hidden layer", low=1, high=100_000),
                "depth": Key(3, "hidden layers of each network", low=0, high=100),
                "pack": Key(1, "PacGAN packing: samples the discriminator judges together", low=1, high=64),
            },
            defaults={
                "loss": "bce",
                "data": {"name": "ring8"},
                "train": {"batch_size": 256, "lr": 2e-4, "betas": [0.5, 0.999]},
            },
            test_config={"model": {"hidden": 32, "depth": 2}},
        )
    ]
