"""The original GAN (Goodfellow et al. 2014) with MLP networks, on vectors or flattened images."""

from ganzoo import IMAGE, VECTORS, ModelSpec, hookimpl


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
            defaults={
                "model": {"z_dim": 64, "hidden": 256, "depth": 3, "d_steps": 1, "pack": 1, "lr_decay": False,
                          "lr_decay_start": 0.0},
                "loss": "bce",
                "data": {"name": "ring8"},
                "train": {"batch_size": 256, "lr": 2e-4, "betas": [0.5, 0.999]},
            },
            test_config={"model": {"hidden": 32, "depth": 2}},
        )
    ]
