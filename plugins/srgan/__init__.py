"""SRGAN (Ledig et al. 2017) as a model plugin, with the content losses it uses (``mse``, ``vgg``)."""

import argparse

from ganzoo import IMAGE_PAIRS, Key, LossSpec, ModelSpec, hookimpl

GANZOO_PLUGIN_API = "2"


@hookimpl
def ganzoo_models() -> list[ModelSpec]:
    """The SRGAN model spec: SRResNet pre-training with MSE, then content + 1e-3 x adversarial loss."""
    return [
        ModelSpec(
            "srgan",
            "Photo-realistic 4x super-resolution: SRResNet generator, VGG-style discriminator",
            "ganzoo_plugins.srgan.model:SRGAN",
            paper="1609.04802",
            data_kinds=(IMAGE_PAIRS,),
            keys={
                "blocks": Key(16, "residual blocks of SRResNet", low=1, high=256),
                "channels": Key(64, "SRResNet width", low=1, high=1024),
                "d_channels": Key(64, "discriminator width", low=1, high=1024),
                "d_dense": Key(1024, "discriminator dense layer width", low=1, high=100_000),
                "pretrain_steps": Key(1000, "MSE pre-training steps at the start of train.steps", low=0),
                "content_loss": Key("mse", "content loss plugin of the generator (`ganzoo list losses`)"),
                "vgg_weights": Key("imagenet", "VGG19 weights of the vgg content loss", choices=("imagenet", "random")),
                "adversarial_weight": Key(1e-3, "weight of the adversarial term beside the content loss", low=0),
                "grid_crops": Key(8, "fixed crops shown in sample grids", low=1, high=256),
                "bicubic_residual": Key(False, "the generator predicts a residual over bicubic upsampling"),
            },
            defaults={
                "data": {"name": "sr-pairs"},
                "loss": "bce",
                "train": {"lr": 1e-4, "betas": [0.9, 0.999], "batch_size": 16},
            },
            test_config={
                "model": {
                    "blocks": 1,
                    "channels": 8,
                    "d_channels": 8,
                    "d_dense": 16,
                    "pretrain_steps": 1,
                    "grid_crops": 2,
                },
                "data": {"hr_size": 24},
            },
        )
    ]


@hookimpl
def ganzoo_losses() -> list[LossSpec]:
    """Content losses for image-to-image models (``model.content_loss``)."""
    return [
        LossSpec(
            "mse",
            "Pixel-wise mean squared error (SRResNet; SRGAN-MSE)",
            "ganzoo_plugins.srgan.content:PixelMSE",
            paper="1609.04802",
            role="content",
        ),
        LossSpec(
            "vgg",
            "MSE of VGG19 relu5_4 features with ImageNet weights (SRGAN's VGG54)",
            "ganzoo_plugins.srgan.content:VGGFeatureLoss",
            paper="1609.04802",
            role="content",
        ),
    ]


@hookimpl
def ganzoo_commands(subparsers: argparse._SubParsersAction) -> None:
    """``ganzoo upscale RUN_DIR IMAGE -o OUT``: super-resolve an image, tile by tile."""
    from ganzoo_plugins.srgan.command import add_upscale

    add_upscale(subparsers)
