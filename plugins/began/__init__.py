"""BEGAN (Berthelot, Schumm & Metz 2017) as a model plugin."""

from ganzoo import IMAGE, Key, ModelSpec, hookimpl

GANZOO_PLUGIN_API = "2"


@hookimpl
def ganzoo_models() -> list[ModelSpec]:
    """The BEGAN model spec: its objective is its own, so it takes no ``loss`` key."""
    return [
        ModelSpec(
            "began",
            "Boundary equilibrium GAN: an autoencoder discriminator balanced by the k_t control",
            "ganzoo_plugins.began.model:BEGAN",
            paper="1703.10717",
            data_kinds=(IMAGE,),
            takes_loss=False,
            keys={
                "z_dim": Key(64, "latent dimension (uniform in [-1, 1])", low=1, high=100_000),
                "hidden": Key(64, "the autoencoder's bottleneck size h", low=1, high=100_000),
                "g_channels": Key(64, "generator and decoder width", low=1, high=4096),
                "d_channels": Key(64, "encoder width", low=1, high=4096),
                "g_norm": Key("batch", "generator normalisation (DCGAN's batch norm)", choices=("batch", "none")),
                "d_norm": Key(
                    "batch",
                    "the autoencoder's decoder normalisation (the paper uses none; without it, on these DCGAN blocks, "
                    "3,000 MNIST steps collapsed to one class with k_t at 0)",
                    choices=("batch", "none"),
                ),
                "gamma": Key(
                    0.5,
                    "diversity ratio: the target E[L(G(z))] / E[L(x)] (the paper's 0.5; on MNIST it collapsed to 3 "
                    "classes, mostly ones, and 1.0 covered 10, 10 and 8 classes over 3 seeds at 4,000 steps)",
                    low=0,
                    high=1,
                ),
                "lambda_k": Key(0.001, "proportional gain of the k_t update", low=0, high=1),
            },
            defaults={"train": {"lr": 1e-4, "betas": [0.5, 0.999]}},
            test_config={"model": {"g_channels": 8, "d_channels": 8, "hidden": 8}},
        )
    ]
