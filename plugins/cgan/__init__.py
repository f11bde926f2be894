"""Conditional GAN (Mirza & Osindero 2014) as a model plugin."""

from ganzoo import LABELLED_IMAGE, ModelSpec, hookimpl


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
            defaults={
                "model": {"backbone": "conv", "z_dim": 100, "g_channels": 64, "d_channels": 64},
                "loss": "bce",
                "train": {"lr": 2e-4, "betas": [0.5, 0.999]},
            },
            test_config={"model": {"g_channels": 8, "d_channels": 8}},
        )
    ]
