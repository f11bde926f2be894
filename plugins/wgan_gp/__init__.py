"""WGAN-GP (Gulrajani et al. 2017) as a model plugin."""

from ganzoo import IMAGE, Key, ModelSpec, hookimpl

GANZOO_PLUGIN_API = "2"


@hookimpl
def ganzoo_models() -> list[ModelSpec]:
    """The WGAN-GP model spec: the paper's Algorithm 1 defaults."""
    return [
        ModelSpec(
            "wgan-gp",
            "Wasserstein GAN with gradient penalty: five critic steps per generator step, no critic batch norm",
            "ganzoo_plugins.wgan_gp.model:WGANGP",
            paper="1704.00028",
            data_kinds=(IMAGE,),
            keys={
                "z_dim": Key(128, "latent dimension", low=1, high=100_000),
                "g_channels": Key(64, "generator width", low=1, high=4096),
                "d_channels": Key(64, "critic width", low=1, high=4096),
                "critic_norm": Key(
                    "layer",
                    "critic normalisation (batch norm would break the gradient penalty)",
                    choices=("layer", "none", "spectral"),
                ),
                "gp_weight": Key(10.0, "gradient penalty weight lambda", low=0),
            },
            defaults={"loss": "wasserstein_gp", "train": {"lr": 1e-4, "betas": [0.0, 0.9], "d_steps": 5}},
            test_config={"model": {"g_channels": 8, "d_channels": 8}, "train": {"d_steps": 2}},
        )
    ]
