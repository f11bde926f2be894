"""CycleGAN (Zhu, Park, Isola & Efros 2017) as a model plugin: unpaired translation between two image domains."""

from ganzoo import IMAGE_DOMAINS, Key, ModelSpec, hookimpl

GANZOO_PLUGIN_API = "2"


@hookimpl
def ganzoo_models() -> list[ModelSpec]:
    """The CycleGAN model spec: trains on ``image-domains`` data (the ``domains`` dataset)."""
    return [
        ModelSpec(
            "cyclegan",
            "CycleGAN: two generators and two PatchGAN discriminators, cycle and identity losses (A <-> B)",
            "ganzoo_plugins.cyclegan.model:CycleGAN",
            paper="1703.10593",
            data_kinds=(IMAGE_DOMAINS,),
            keys={
                "g_channels": Key(64, "generator width (channels of its first convolution)", low=1, high=4096),
                "g_blocks": Key(9, "residual blocks in each generator (9 at 256 px, 6 at 128 px)", low=0, high=64),
                "d_channels": Key(64, "PatchGAN discriminator width", low=1, high=4096),
                "d_layers": Key(3, "strided layers of the PatchGAN discriminator (3: 70x70 patches)", low=1, high=8),
                "cycle_weight": Key(10.0, "lambda, the weight of the cycle-consistency L1 loss", low=0),
                "identity_weight": Key(0.5, "identity L1 loss weight, as a fraction of lambda (0: off)", low=0),
                "pool_size": Key(
                    50, "past fakes kept per domain to show the discriminators (0: none)", low=0, high=10_000
                ),
            },
            defaults={
                "loss": "least_squares",
                "train": {
                    "lr": 2e-4,
                    "betas": [0.5, 0.999],
                    "batch_size": 1,
                    "lr_schedule": "linear",
                    "lr_decay_start": 0.5,
                },
            },
            test_config={
                "data": {"name": "domains", "a": "digits", "b": "digits"},
                "model": {"g_channels": 4, "g_blocks": 1, "d_channels": 4, "d_layers": 2},
                "train": {"batch_size": 4},
            },
        )
    ]
