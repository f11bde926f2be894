"""A small CNN digit/clothing classifier (for the datasets whose spec declares ``classifier_epochs``): the
domain feature extractor for class-accuracy and FID-style metrics.

``load_classifier("mnist")`` trains it once on the dataset's training split (about a minute on two CPU
cores), reports its test accuracy, and caches weights and accuracy under ``$GANZOO_CACHE`` (default
``~/.cache/ganzoo``), never in the data folder, which may be read-only.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from rich.console import Console
from torch import nn

from ganzoo.errors import UserError
from ganzoo.trainer.checkpoint import atomic_write

CACHE_ENV = "GANZOO_CACHE"
BATCH_SIZE = 128
SEED = 0


def cache_dir() -> Path:
    """Where ganzoo keeps derived files: ``$GANZOO_CACHE``, else ``~/.cache/ganzoo``."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "ganzoo"


class DigitClassifier(nn.Module):
    """Two small conv blocks and a 128-unit hidden layer; inputs in [-1, 1] of any size are resized to ``size``."""

    def __init__(self, channels: int = 1, size: int = 28, num_classes: int = 10, feature_dim: int = 128) -> None:
        super().__init__()
        self.channels, self.size, self.num_classes = channels, size, num_classes
        self.test_accuracy = float("nan")
        self.body = nn.Sequential(
            nn.Conv2d(channels, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(32 * (size // 4) ** 2, feature_dim),
            nn.ReLU(),
        )
        self.head = nn.Linear(feature_dim, num_classes)

    def _prepare(self, images: torch.Tensor) -> torch.Tensor:
        images = images.float()
        if images.shape[-1] != self.size or images.shape[-2] != self.size:
            images = F.interpolate(
                images, size=(self.size, self.size), mode="bilinear", align_corners=False, antialias=True
            )
        return images

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """Penultimate activations (N x feature_dim), the embedding for FID-style metrics."""
        return self.body(self._prepare(images))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Class logits for images in [-1, 1]."""
        return self.head(self.features(images))

    @torch.no_grad()
    def predict(self, images: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
        """Predicted class indices, evaluated in batches."""
        return torch.cat([self(images[i : i + batch_size]).argmax(1) for i in range(0, len(images), batch_size)])


def _splits(dataset: str, root: str | Path | None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(train images, train labels, test images, test labels) through the registry's dataset spec."""
    from ganzoo.registry import get_registry

    spec = get_registry().dataset(dataset)
    config: dict[str, Any] = {"name": spec.name, **spec.defaults, "root": str(root) if root else None}
    if "split" in config:
        parts = [spec.build({**config, "split": split, "limit": 0}).tensors for split in ("train", "test")]
        return parts[0]["image"], parts[0]["label"], parts[1]["image"], parts[1]["label"]
    # No official test split (scikit-learn's digits): hold out a fixed random fifth.
    tensors = spec.build(config).tensors
    order = torch.randperm(len(tensors["label"]), generator=torch.Generator().manual_seed(SEED))
    cut = len(order) * 4 // 5
    images, labels = tensors["image"], tensors["label"]
    return images[order[:cut]], labels[order[:cut]], images[order[cut:]], labels[order[cut:]]


def train_classifier(
    train_images: torch.Tensor, train_labels: torch.Tensor, epochs: int, num_classes: int = 10
) -> DigitClassifier:
    """Adam with a one-cycle learning rate on shuffled mini-batches, seeded: same data, same weights."""
    generator = torch.Generator().manual_seed(SEED)
    torch.manual_seed(SEED)
    model = DigitClassifier(train_images.shape[1], train_images.shape[-1], num_classes)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    steps_per_epoch = -(-len(train_images) // BATCH_SIZE)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=epochs * steps_per_epoch)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(train_images), generator=generator)
        for start in range(0, len(order), BATCH_SIZE):
            index = order[start : start + BATCH_SIZE]
            loss = F.cross_entropy(model(train_images[index]), train_labels[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
    return model.eval()


def accuracy(model: DigitClassifier, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of ``images`` the model labels correctly."""
    return (model.predict(images) == labels).float().mean().item()


@torch.no_grad()
def confusion_matrix(model: DigitClassifier, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Counts of (true label, predicted label): row ``i`` says what the images of class ``i`` were called."""
    predicted = model.predict(images.cpu())
    pairs = labels.cpu().long() * model.num_classes + predicted
    return torch.bincount(pairs, minlength=model.num_classes**2).reshape(model.num_classes, model.num_classes)


def _from_cache(path: Path) -> DigitClassifier | None:
    if not path.is_file():
        return None
    try:
        state: Mapping[str, Any] = torch.load(path, map_location="cpu", weights_only=True)
        model = DigitClassifier(int(state["channels"]), int(state["size"]), int(state["num_classes"]))
        model.load_state_dict(state["weights"])
    except Exception:  # a stale or corrupt cache entry is simply rebuilt
        return None
    model.test_accuracy = float(state["test_accuracy"])
    return model.eval()


def load_classifier(
    dataset: str = "mnist", root: str | Path | None = None, console: Console | None = None
) -> DigitClassifier:
    """The cached classifier for ``dataset`` (training and caching it first when absent), in eval mode."""
    from ganzoo.registry import get_registry

    registry = get_registry()
    spec, name = registry.dataset(dataset), dataset.lower()
    if not spec.classifier_epochs:
        supported = [s.name for s in registry.list("datasets") if s.classifier_epochs]
        raise UserError(
            f"no digit classifier for dataset '{dataset}' (its spec declares no classifier_epochs); "
            f"use one of {', '.join(supported)}"
        )
    size = int(spec.defaults.get("image_size") or spec.shape[-1])
    path = cache_dir() / "classifiers" / f"{name}-{size}.pt"
    model = _from_cache(path)
    if model is not None:
        return model
    console = console or Console(stderr=True)
    started = time.perf_counter()
    train_images, train_labels, test_images, test_labels = _splits(name, root)
    model = train_classifier(train_images, train_labels, spec.classifier_epochs, spec.num_classes or 10)
    model.test_accuracy = accuracy(model, test_images, test_labels)
    console.print(
        f"classifier for {name} ({size}x{size}): test accuracy {model.test_accuracy:.2%} on "
        f"{len(test_labels)} images, trained in {time.perf_counter() - started:.0f}s -> {path}"
    )
    state = {
        "weights": model.state_dict(),
        "test_accuracy": model.test_accuracy,
        "channels": model.channels,
        "size": model.size,
        "num_classes": model.num_classes,
        "dataset": name,
    }
    atomic_write(path, lambda handle: torch.save(state, handle))
    return model


@torch.no_grad()
def class_fractions(classifier: DigitClassifier, images: torch.Tensor) -> torch.Tensor:
    """The share of ``images`` the classifier puts in each class (mode coverage at a glance)."""
    counts = torch.bincount(classifier.predict(images.cpu()), minlength=classifier.num_classes)
    return counts.float() / len(images)
