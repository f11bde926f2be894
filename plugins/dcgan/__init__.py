"""DCGAN (Radford, Metz & Chintala 2015) as a model plugin."""

from ganzoo import IMAGE, Key, ModelSpec, hookimpl

GANZOO_PLUGIN_API = "2"


@hookimpl
def ganzoo_models() -> list[ModelSpec]:
    """The DCGAN model spec."""
    return [
        ModelSpec(
            "dcgan",
            "Deep convolutional GAN: transposed-conv generator, strided-conv discriminator",
            "ganzoo_plugins.dcgan.model:DCGAN",
            paper="1511.06434",
            data_kinds=(IMAGE,),
            keys={
                "z_dim": Key(100, "latent dimension", low=1, high=100_000),
                "g_channels": Key(64, "generator width (channels of its last hidden layer)", low=1, high=4096),
                "d_channels": Key(64, "discriminator width (channels of its first layer)", low=1, high=4096),
                "d_norm": Key("batch", "discriminator normalisation", choices=("batch", "layer", "none", "spectral")),
            },
            defaults={"loss": "bce", "train": {"lr": 2e-4, "betas": [0.5, 0.999]}},
            test_config={"model": {"g_channels": 16, "d_channels": 16}},
        )
    ]
