"""ACGAN (Odena, Olah & Shlens 2017) as a model plugin."""

from ganzoo import LABELLED_IMAGE, Key, ModelSpec, hookimpl

GANZOO_PLUGIN_API = "2"


@hookimpl
def ganzoo_models() -> list[ModelSpec]:
    """The ACGAN model spec: labelled images; the label reaches G only, D predicts it."""
    return [
        ModelSpec(
            "acgan",
            "Auxiliary-classifier GAN: G sees the label, D scores real/fake and predicts the class",
            "ganzoo_plugins.acgan.model:ACGAN",
            paper="1610.09585",
            data_kinds=(LABELLED_IMAGE,),
            conditions=("label",),
            keys={
                "z_dim": Key(100, "latent dimension", low=1, high=100_000),
                "g_channels": Key(64, "generator width (channels of its last hidden layer)", low=1, high=4096),
                "d_channels": Key(64, "discriminator width (channels of its first layer)", low=1, high=4096),
                "d_norm": Key("batch", "discriminator normalisation", choices=("batch", "layer", "none", "spectral")),
                "class_weight": Key(1.0, "weight of the auxiliary class cross-entropy for both players", low=0),
            },
            defaults={"loss": "bce", "train": {"lr": 2e-4, "betas": [0.5, 0.999]}},
            test_config={"model": {"g_channels": 8, "d_channels": 8}},
        )
    ]
