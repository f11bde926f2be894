"""WGAN (Arjovsky, Chintala & Bottou 2017) as a model plugin."""

from ganzoo import IMAGE, Key, ModelSpec, hookimpl

GANZOO_PLUGIN_API = "2"


@hookimpl
def ganzoo_models() -> list[ModelSpec]:
    """The WGAN model spec: the paper's Algorithm 1 (RMSprop 5e-5, n_critic 5, clipping c = 0.01)."""
    return [
        ModelSpec(
            "wgan",
            "Wasserstein GAN: a weight-clipped critic, five critic steps per generator step, RMSprop",
            "ganzoo_plugins.wgan.model:WGAN",
            paper="1701.07875",
            data_kinds=(IMAGE,),
            keys={
                "z_dim": Key(100, "latent dimension", low=1, high=100_000),
                "g_channels": Key(64, "generator width", low=1, high=4096),
                "d_channels": Key(64, "critic width", low=1, high=4096),
                "critic_norm": Key(
                    "batch",
                    "critic normalisation (the paper's DCGAN critic has batch norm)",
                    choices=("batch", "layer", "none"),
                ),
                "clip": Key(
                    0.01, "every critic weight is clipped to [-clip, clip] after each critic update", low=1e-6, high=10
                ),
            },
            defaults={"loss": "wasserstein", "train": {"optimizer": "rmsprop", "lr": 5e-5, "d_steps": 5}},
            test_config={"model": {"g_channels": 8, "d_channels": 8}, "train": {"d_steps": 2}},
        )
    ]
