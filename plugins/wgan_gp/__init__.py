"""WGAN-GP (Gulrajani et al. 2017) as a model plugin."""

from ganzoo import IMAGE, ModelSpec, hookimpl


@hookimpl
def ganzoo_models() -> list[ModelSpec]:
    """The WGAN-GP model spec: the paper's Algorithm 1 defaults."""
    return [
        ModelSpec(
            "wgan-gp",
            "Wasserstein GAN with gradient penalty: n_critic critic steps per generator step, no critic batch norm",
            "ganzoo_plugins.wgan_gp.model:WGANGP",
            paper="1704.00028",
            data_kinds=(IMAGE,),
            defaults={
                "model": {"z_dim": 128, "g_channels": 64, "d_channels": 64, "n_critic": 5, "critic_norm": "layer",
                          "gp_weight": 10.0},
                "loss": "wasserstein_gp",
                "train": {"lr": 1e-4, "betas": [0.0, 0.9]},
            },
            test_config={"model": {"g_channels": 8, "d_channels": 8, "n_critic": 2}},
        )
    ]
