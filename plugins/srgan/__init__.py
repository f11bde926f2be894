"""SRGAN (Ledig et al. 2017) as a model plugin, with the content losses it uses (``mse``, ``vgg``)."""

from ganzoo import IMAGE_PAIRS, LossSpec, ModelSpec, hookimpl


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
            defaults={
                "model": {"blocks": 16, "channels": 64, "d_channels": 64, "d_dense": 1024,
                          "pretrain_steps": 1000, "content_loss": "mse", "vgg_weights": "imagenet",
                          "adversarial_weight": 1e-3, "grid_crops": 8,
                          "bicubic_residual": False},
                "data": {"name": "sr-pairs"},
                "loss": "bce",
                "train": {"lr": 1e-4, "betas": [0.9, 0.999], "batch_size": 16},
            },
            test_config={"model": {"blocks": 1, "channels": 8, "d_channels": 8, "d_dense": 16, "pretrain_steps": 1,
                                   "grid_crops": 2},
                         "data": {"hr_size": 24}},
        )
    ]


@hookimpl
def ganzoo_losses() -> list[LossSpec]:
    """Content losses for image-to-image models (``model.content_loss``)."""
    return [
        LossSpec("mse", "Pixel-wise mean squared error (SRResNet; SRGAN-MSE)",
                 "ganzoo_plugins.srgan.content:PixelMSE", paper="1609.04802", role="content"),
        LossSpec("vgg", "MSE of VGG19 relu5_4 features with ImageNet weights (SRGAN's VGG54)",
                 "ganzoo_plugins.srgan.content:VGGFeatureLoss", paper="1609.04802", role="content"),
    ]
