"""Content losses for super-resolution (role ``content``): pixel MSE, and the paper's VGG54 feature loss.

Both take ``(sr, hr)`` image batches in [-1, 1] and return a float32 scalar.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models import VGG19_Weights
from torchvision.models.vgg import cfgs, make_layers

from ganzoo import UserError

RELU5_4 = 36  # torchvision's vgg19().features[:36] ends with the ReLU after conv5_4 (the paper's phi_5,4)
FEATURE_SCALE = 1 / 12.75  # the paper rescales VGG feature maps so the loss is comparable to pixel MSE
WEIGHTS = VGG19_Weights.IMAGENET1K_V1


class PixelMSE(nn.Module):
    """Mean squared error between pixels (SRResNet's objective, and SRGAN-MSE's content loss)."""

    def forward(self, sr: torch.Tensor, hr: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(sr.float(), hr.float())


def imagenet_weights_path() -> Path:
    """Where torch hub keeps (and torchvision looks for) the VGG19 ImageNet weights file."""
    return Path(torch.hub.get_dir()) / "checkpoints" / Path(WEIGHTS.url).name


def load_imagenet_state() -> dict[str, torch.Tensor]:
    """The VGG19 ImageNet state dict from the torch hub cache, downloading it when online."""
    path = imagenet_weights_path()
    try:
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            torch.hub.download_url_to_file(WEIGHTS.url, str(path), progress=False)
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # offline, a refused download, or a truncated file: all need the same fix
        raise UserError(
            f"the vgg content loss needs torchvision's VGG19 ImageNet weights {path.name}, which "
            f"could not be loaded or downloaded; download {WEIGHTS.url} and put it at {path} "
            f"(or set model.vgg_weights=PATH/TO/{path.name})"
        ) from None


def _features_only(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The ``features.*`` entries of a full VGG19 state dict, renamed for the convolutional part alone."""
    return {key.removeprefix("features."): value for key, value in state.items() if key.startswith("features.")}


class VGGFeatureLoss(nn.Module):
    """MSE between VGG19 relu5_4 feature maps of SR and HR (the paper's VGG54), on ImageNet-normalised input.

    ``weights``: ``imagenet`` (torch hub cache, else download), a path to a VGG19 state dict, or ``random``
    (untrained features: only for tests and smoke runs, where the loss mechanics matter, not its meaning).
    """

    mean: torch.Tensor  # buffers, registered in __init__
    std: torch.Tensor

    def __init__(self, weights: str = "imagenet") -> None:
        super().__init__()
        features = make_layers(cfgs["E"])  # VGG19's convolutional part only (its classifier is never used)
        if weights == "imagenet":
            features.load_state_dict(_features_only(load_imagenet_state()))
        elif weights != "random":
            path = Path(weights).expanduser()
            if not path.is_file():
                raise UserError(
                    f"model.vgg_weights={weights!r} is not a file; use imagenet, random or a path to "
                    f"{imagenet_weights_path().name}"
                )
            features.load_state_dict(_features_only(torch.load(path, map_location="cpu", weights_only=True)))
        self.features = features[:RELU5_4].eval().requires_grad_(False)
        self.register_buffer("mean", torch.tensor(WEIGHTS.transforms().mean).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(WEIGHTS.transforms().std).view(1, 3, 1, 1))

    def train(self, mode: bool = True) -> VGGFeatureLoss:
        """Stay in eval mode: the feature extractor is frozen."""
        return super().train(False)

    def _features(self, image: torch.Tensor) -> torch.Tensor:
        return self.features(((image + 1) / 2 - self.mean) / self.std) * FEATURE_SCALE

    def forward(self, sr: torch.Tensor, hr: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            target = self._features(hr)
        return F.mse_loss(self._features(sr).float(), target.float())
