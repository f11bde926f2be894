"""DCGAN (Radford, Metz & Chintala 2015) as a model plugin."""

from ganzoo import IMAGE, ModelSpec, hookimpl


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
            defaults={
                "model": {"z_dim": 100, "g_channels": 64, "d_channels": 64},
                "loss": "bce",
                "train": {"lr": 2e-4, "betas": [0.5, 0.999]},
            },
            test_config={"model": {"g_channels": 16, "d_channels": 16}},
        )
    ]
