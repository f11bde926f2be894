"""Conditional GAN (Mirza & Osindero 2014) as a model plugin."""

from ganzoo import LABELLED_IMAGE, Key, ModelSpec, hookimpl

GANZOO_PLUGIN_API = "2"


@hookimpl
def ganzoo_models() -> list[ModelSpec]:
    """The CGAN model spec: needs labelled images, so an unlabelled dataset is rejected up front."""
    return [
        ModelSpec(
            "cgan",
            "Conditional GAN: generator and discriminator both see the class label (conv or the paper's MLP)",
            "ganzoo_plugins.cgan.model:CGAN",
            paper="1411.1784",
            data_kinds=(LABELLED_IMAGE,),
            conditions=("label",),
            keys={
                "backbone": Key(
                    "conv", "conv (DCGAN networks with label maps) or mlp (the paper's)", choices=("conv", "mlp")
                ),
                "z_dim": Key(100, "latent dimension", low=1, high=100_000),
                "g_channels": Key(64, "generator width (conv backbone)", low=1, high=4096),
                "d_channels": Key(64, "discriminator width (conv backbone)", low=1, high=4096),
            },
            defaults={
                "loss": "bce",
                "train": {"lr": 2e-4, "betas": [0.5, 0.999]},
            },
            test_config={"model": {"g_channels": 8, "d_channels": 8}},
        )
    ]
