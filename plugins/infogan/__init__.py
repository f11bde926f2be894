"""InfoGAN (Chen et al. 2016) as a model plugin."""

import argparse

from ganzoo import IMAGE, Key, ModelSpec, hookimpl

GANZOO_PLUGIN_API = "2"


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
            conditions=("code",),
            keys={
                "backbone": Key(
                    "auto",
                    "paper (appendix C.1, 28x28 only), dcgan (any DCGAN size), auto: paper at 28 px",
                    choices=("auto", "paper", "dcgan"),
                ),
                "z_dim": Key(62, "incompressible noise dimension", low=1, high=100_000),
                "noise": Key(
                    "normal",
                    "prior of z: normal N(0, 1), or uniform U(-1, 1) as in the authors' MNIST code",
                    choices=("normal", "uniform"),
                ),
                "noise_scale": Key(
                    1.0,
                    "z is drawn at this scale (std or half-width); ClusterGAN's 0.1 leaves the class to the code",
                    low=1e-6,
                ),
                "categories": Key(10, "values of the categorical code", low=2, high=10_000),
                "continuous_codes": Key(2, "continuous U(-1, 1) codes", low=0, high=1000),
                "g_channels": Key(64, "generator width (dcgan backbone)", low=1, high=4096),
                "d_channels": Key(64, "discriminator width (dcgan backbone)", low=1, high=4096),
                "categorical_weight": Key(1.0, "lambda of the categorical information term", low=0),
                "continuous_weight": Key(0.1, "lambda of the continuous information term", low=0),
                "real_info_weight": Key(
                    0.0,
                    "weight of Q's information between real images and the categorical code, "
                    "H(c|x) - H(c) on real batches (0: the paper)",
                    low=0,
                ),
                "consistency_weight": Key(
                    0.0,
                    "weight of KL(Q(x) || Q(translated x)) on real batches, IMSAT's self-augmentation (0: the paper)",
                    low=0,
                ),
                "learn_std": Key(False, "Q predicts a std for the continuous codes (else fixed at 1)"),
            },
            defaults={"loss": "bce", "train": {"lr": 2e-4, "g_lr": 1e-3, "betas": [0.5, 0.999]}},
            test_config={"model": {"g_channels": 8, "d_channels": 8}},
        )
    ]


@hookimpl
def ganzoo_commands(subparsers: argparse._SubParsersAction) -> None:
    """``ganzoo traverse RUN_DIR``: the paper's latent traversal figure."""
    from ganzoo_plugins.infogan.command import add_traverse

    add_traverse(subparsers)
