"""Mode metrics of Gaussian-mixture toys, as in the VEEGAN and PacGAN papers.

A sample is *high quality* when it lies within 3 standard deviations of its nearest centre. A mode is
*recovered* when it receives at least ``min_share`` (20%) of its uniform share of high-quality samples:
PacGAN's rule of 20 of 2,500 samples on the 25-mode grid, scaled to any sample count and mode count.
``mode_kl`` is KL(q || uniform) of the histogram q of every sample's nearest centre (0 when all modes
are hit equally; log K when everything falls into one mode).
"""

from __future__ import annotations

import math

import torch


def mixture_scores(samples: torch.Tensor, means: torch.Tensor, std: float, min_share: float = 0.2) -> dict[str, float]:
    """``modes`` recovered, ``hq`` (% high-quality samples) and ``mode_kl`` for ``samples`` (N x D)."""
    samples, means = samples.detach().double().cpu(), torch.as_tensor(means).double()
    distances = torch.cdist(samples, means)
    nearest_distance, nearest = distances.min(dim=1)
    high_quality = nearest_distance <= 3 * std
    k = len(means)
    hq_counts = torch.bincount(nearest[high_quality], minlength=k)
    recovered = int((hq_counts >= max(1.0, min_share * len(samples) / k)).sum())
    histogram = torch.bincount(nearest, minlength=k).double() / len(samples)
    present = histogram > 0
    kl = float((histogram[present] * (histogram[present] * k).log()).sum())
    return {
        "modes": float(recovered),
        "hq": 100.0 * float(high_quality.double().mean()),
        "mode_kl": max(kl, 0.0) if math.isfinite(kl) else math.log(k),
    }
