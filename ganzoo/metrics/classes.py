"""Metrics from a classifier's view of generated images: Inception-Score-style score, class coverage
and class-conditional accuracy (did a conditional generator draw the class it was asked for?)."""

from __future__ import annotations

import math
import warnings

import torch
from torchmetrics.image.inception import InceptionScore

from ganzoo.metrics.distances import PrecomputedFeatures

COVERAGE_SHARE = 0.01  # a class counts as covered when it gets at least 1% of the samples


def inception_score(logits: torch.Tensor, splits: int = 10) -> float:
    """exp(E KL(p(y|x) || p(y))) over ``splits`` splits (torchmetrics), here on the domain classifier."""
    with warnings.catch_warnings():  # torchmetrics warns that IS keeps features: here they are small
        warnings.simplefilter("ignore", UserWarning)
        metric = InceptionScore(feature=PrecomputedFeatures(logits.shape[1]), splits=splits)
    metric.update(logits.double())
    mean, _ = metric.compute()
    return float(mean)


def class_coverage(predicted: torch.Tensor, num_classes: int) -> dict[str, float]:
    """``classes``: classes with >= 1% of the samples; ``class_kl``: KL(histogram || uniform)."""
    histogram = torch.bincount(predicted.cpu(), minlength=num_classes).double() / len(predicted)
    present = histogram > 0
    kl = float((histogram[present] * (histogram[present] * num_classes).log()).sum())
    return {
        "classes": float((histogram >= COVERAGE_SHARE).sum()),
        "class_kl": max(kl, 0.0) if math.isfinite(kl) else math.log(num_classes),
    }


def class_accuracy(predicted: torch.Tensor, requested: torch.Tensor) -> float:
    """Share of samples the classifier assigns to the class the generator was conditioned on, in %."""
    return 100.0 * float((predicted.cpu() == requested.cpu()).double().mean())
