"""Distances between two sets of features: FID and KID (torchmetrics) and improved precision/recall.

Features are extracted once per set and handed to torchmetrics through ``PrecomputedFeatures``, a
feature module that passes its input through, so FID, KID and precision/recall share one extraction
and the real set's features are computed once per benchmark cell. Precision/recall follow
Kynkaanniemi et al. 2019: each real (fake) feature's ball reaches its k-th nearest real (fake) neighbour;
precision is the share of fakes inside some real ball, recall the share of reals inside some fake ball.
"""

from __future__ import annotations

import warnings

import torch
from torch import nn
from torchmetrics.image.fid import FrechetInceptionDistance
from torchmetrics.image.kid import KernelInceptionDistance

CHUNK = 2048  # rows of the distance matrix computed at once, to bound memory


class PrecomputedFeatures(nn.Module):
    """An identity "feature extractor" for torchmetrics: its inputs already are features."""

    def __init__(self, num_features: int) -> None:
        super().__init__()
        self.num_features = num_features

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return features


def fid(real: torch.Tensor, fake: torch.Tensor) -> float:
    """Frechet distance between Gaussians fitted to the two feature sets (N x D each)."""
    metric = FrechetInceptionDistance(feature=PrecomputedFeatures(real.shape[1]))
    metric.update(real.double(), real=True)
    metric.update(fake.double(), real=False)
    return float(metric.compute())


def kid(real: torch.Tensor, fake: torch.Tensor, subsets: int = 50, subset_size: int = 1000) -> float:
    """Kernel distance (cubic polynomial kernel MMD), averaged over random subsets of both sets."""
    size = min(subset_size, len(real), len(fake))
    with warnings.catch_warnings():  # torchmetrics warns that KID keeps features: here they are small
        warnings.simplefilter("ignore", UserWarning)
        metric = KernelInceptionDistance(feature=PrecomputedFeatures(real.shape[1]), subsets=subsets, subset_size=size)
    metric.update(real.float(), real=True)
    metric.update(fake.float(), real=False)
    mean, _ = metric.compute()
    return float(mean)


def _kth_neighbour_radii(features: torch.Tensor, k: int) -> torch.Tensor:
    """Distance of each row to its k-th nearest other row (the row itself is excluded)."""
    radii = []
    for start in range(0, len(features), CHUNK):
        distances = torch.cdist(features[start : start + CHUNK], features)
        radii.append(distances.kthvalue(k + 1, dim=1).values)
    return torch.cat(radii)


def _coverage(manifold: torch.Tensor, radii: torch.Tensor, queries: torch.Tensor) -> float:
    """Share of ``queries`` inside at least one ball (centre ``manifold[i]``, radius ``radii[i]``)."""
    inside = []
    for start in range(0, len(queries), CHUNK):
        distances = torch.cdist(queries[start : start + CHUNK], manifold)
        inside.append((distances <= radii.unsqueeze(0)).any(dim=1))
    return float(torch.cat(inside).double().mean())


def precision_recall(real: torch.Tensor, fake: torch.Tensor, k: int = 3) -> tuple[float, float]:
    """Improved precision and recall (Kynkaanniemi et al. 2019) with k-nearest-neighbour balls."""
    if min(len(real), len(fake)) <= k:
        raise ValueError(f"precision/recall with k={k} needs more than {k} samples in each set")
    real, fake = real.float(), fake.float()
    precision = _coverage(real, _kth_neighbour_radii(real, k), fake)
    recall = _coverage(fake, _kth_neighbour_radii(fake, k), real)
    return precision, recall


def energy_distance(real: torch.Tensor, fake: torch.Tensor) -> float:
    """Energy distance 2 E|X - Y| - E|X - X'| - E|Y - Y'| (Szekely & Rizzo) between two point sets; 0 iff equal
    in distribution, for vectors of any dimension."""
    real, fake = real.double().flatten(1), fake.double().flatten(1)
    return float(2 * torch.cdist(real, fake).mean() - torch.cdist(real, real).mean() - torch.cdist(fake, fake).mean())


def mmd_rbf(real: torch.Tensor, fake: torch.Tensor) -> float:
    """Squared MMD with a Gaussian kernel whose bandwidth is the median real-to-real distance (biased estimate)."""
    real, fake = real.double().flatten(1), fake.double().flatten(1)
    within = torch.cdist(real, real)
    bandwidth = within[within > 0].median().clamp(min=1e-12) if (within > 0).any() else torch.tensor(1.0).double()

    def kernel(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.exp(-(torch.cdist(a, b) ** 2) / (2 * bandwidth**2)).mean()

    return float(kernel(real, real) + kernel(fake, fake) - 2 * kernel(real, fake))
