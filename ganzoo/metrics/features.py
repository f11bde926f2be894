"""Feature extractors for FID, KID and precision/recall: images in [-1, 1] -> N x D features.

- ``inception``: the standard FID Inception-v3 (TF-ported 2015-12-05 weights, ``pool3``, 2048-d) through
  torchmetrics / torch-fidelity. Used only when its weights file is already on disk, where torch-fidelity
  caches it (``$TORCH_HOME/hub/checkpoints``); nothing is downloaded.
- ``classifier``: the penultimate layer (128-d) of ganzoo's digit classifier for digits-like data
  (``ganzoo.metrics.classifier``), trained once per dataset and cached.
- ``pixels``: the flattened images; no network, comparable only within one dataset.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch
from rich.console import Console
from torch import nn

from ganzoo.errors import UserError

EXTRACTORS = ("inception", "classifier", "pixels")
INCEPTION_WEIGHTS = "weights-inception-2015-12-05-6726825d.pth"
BATCH = 250


def inception_weights_path() -> Path:
    """Where torch-fidelity (and so torchmetrics) keeps the FID Inception weights once downloaded."""
    return Path(torch.hub.get_dir()) / "checkpoints" / INCEPTION_WEIGHTS


class InceptionFeatures(nn.Module):
    """FID Inception-v3 pool3 features; grey images are repeated to three channels, sizes resized inside."""

    def __init__(self) -> None:
        super().__init__()
        path = inception_weights_path()
        if not path.is_file():
            raise UserError(
                f"FID Inception weights not found at {path}; put torch-fidelity's {INCEPTION_WEIGHTS} "
                f"there (or set TORCH_HOME), or use the classifier or pixels features"
            )
        from torchmetrics.image.fid import NoTrainInceptionV3

        self.net = NoTrainInceptionV3(
            name="inception-v3-compat", features_list=["2048"], feature_extractor_weights_path=str(path)
        )
        self.num_features = 2048

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if images.shape[1] == 1:
            images = images.repeat(1, 3, 1, 1)
        as_bytes = ((images.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
        return self.net(as_bytes).reshape(len(images), -1)


class ClassifierFeatures(nn.Module):
    """The domain classifier's penultimate activations; ``logits`` gives its class scores."""

    def __init__(self, dataset: str, root: str | None = None, console: Console | None = None) -> None:
        super().__init__()
        from ganzoo.metrics.classifier import load_classifier

        self.classifier = load_classifier(dataset, root=root, console=console)
        self.num_features = int(self.classifier.head.in_features)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier.features(images)

    def logits(self, images: torch.Tensor) -> torch.Tensor:
        """Class logits of ``images`` in [-1, 1]."""
        return self.classifier(images)


class PixelFeatures(nn.Module):
    """The images themselves, flattened."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.num_features = int(torch.tensor(shape).prod())

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return images.float().flatten(1)


def load_extractor(
    name: str, dataset: str, shape: tuple[int, ...], root: str | None = None, console: Console | None = None
) -> nn.Module:
    """The extractor called ``name`` for images of ``dataset`` (shape C x H x W), in eval mode."""
    if name == "inception":
        return InceptionFeatures().eval()
    if name == "classifier":
        return ClassifierFeatures(dataset, root, console).eval()
    if name == "pixels":
        return PixelFeatures(shape).eval()
    raise UserError(f"unknown feature extractor '{name}'; use one of {', '.join(EXTRACTORS)}")


@torch.no_grad()
def extract(
    function: Callable[[torch.Tensor], torch.Tensor],
    images: torch.Tensor,
    device: torch.device | str = "cpu",
    batch: int = BATCH,
) -> torch.Tensor:
    """``function`` over ``images`` in batches on ``device``; the result comes back on the CPU as float."""
    outputs = [function(images[i : i + batch].to(device)).float().cpu() for i in range(0, len(images), batch)]
    return torch.cat(outputs)
