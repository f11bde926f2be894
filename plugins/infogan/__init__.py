"""InfoGAN (Chen et al. 2016) as a model plugin."""

from ganzoo import IMAGE, ModelSpec, hookimpl


@hookimpl
def ganzoo_models() -> list[ModelSpec]:
    """The InfoGAN model spec (unsupervised: labels, when present, are ignored)."""
    return [
        ModelSpec(
            "infogan",
            "InfoGAN: categorical and continuous latent codes recovered by a Q head on the discriminator",
            "ganzoo_plugins.infogan.model:InfoGAN",
            paper="1606.03657",
            data_kinds=(IMAGE,),
            defaults={
                "model": {"z_dim": 62, "categories": 10, "continuous_codes": 2, "g_channels": 64,
                          "d_channels": 64, "g_lr": 1e-3, "categorical_weight": 1.0, "continuous_weight": 0.1,
                          "learn_std": False},
                "loss": "bce",
                "train": {"lr": 2e-4, "betas": [0.5, 0.999]},
            },
            test_config={"model": {"g_channels": 8, "d_channels": 8}},
        )
    ]
