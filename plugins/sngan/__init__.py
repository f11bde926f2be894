"""SNGAN (Miyato et al. 2018) and its class-conditional form with a projection discriminator (Miyato &
Koyama 2018) as model plugins."""

from ganzoo import IMAGE, LABELLED_IMAGE, Key, ModelSpec, hookimpl

GANZOO_PLUGIN_API = "2"

_KEYS = {
    "z_dim": Key(128, "latent dimension", low=1, high=100_000),
    "g_channels": Key(256, "generator width (channels of every residual block)", low=1, high=4096),
    "d_channels": Key(128, "discriminator width (channels of every residual block)", low=1, high=4096),
}
# The papers' CIFAR-10 settings: hinge loss, n_dis 5, Adam(2e-4, 0, 0.9), linear decay of the rate to zero.
_DEFAULTS = {"loss": "hinge", "train": {"lr": 2e-4, "betas": [0.0, 0.9], "d_steps": 5, "lr_schedule": "linear"}}
_TEST = {"model": {"z_dim": 16, "g_channels": 8, "d_channels": 8}, "train": {"d_steps": 2}}


@hookimpl
def ganzoo_models() -> list[ModelSpec]:
    """Two specs on the same ResNet networks: unconditional SNGAN and the projection cGAN."""
    return [
        ModelSpec(
            "sngan",
            "Spectrally normalised ResNet GAN: SN discriminator, hinge loss, five D steps per G step",
            "ganzoo_plugins.sngan.model:SNGAN",
            paper="1802.05957",
            data_kinds=(IMAGE,),
            keys=_KEYS,
            defaults=_DEFAULTS,
            test_config=_TEST,
        ),
        ModelSpec(
            "sngan-projection",
            "SNGAN with a projection discriminator and class-conditional batch norm in the generator",
            "ganzoo_plugins.sngan.model:SNGANProjection",
            paper="1802.05637",
            data_kinds=(LABELLED_IMAGE,),
            conditions=("label",),
            keys=_KEYS,
            defaults=_DEFAULTS,
            test_config=_TEST,
        ),
    ]
