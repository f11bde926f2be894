"""Metrics on cases whose answer is known: identical sets, shifted sets, disjoint sets, real halves vs noise."""

from __future__ import annotations

import math

import pytest
import torch

from ganzoo.errors import UserError
from ganzoo.metrics.classes import class_accuracy, class_coverage, inception_score
from ganzoo.metrics.distances import fid, kid, precision_recall
from ganzoo.metrics.features import extract, inception_weights_path, load_extractor
from ganzoo.metrics.modes import mixture_scores


def gaussian(n: int, dim: int, seed: int) -> torch.Tensor:
    return torch.randn(n, dim, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def test_fid_is_zero_for_identical_sets_and_the_squared_shift_for_shifted_ones() -> None:
    real = gaussian(2000, 8, 0)
    assert abs(fid(real, real)) < 1e-6
    shift = torch.full((8,), 0.5, dtype=torch.float64)
    # Same covariance, means 0.5 apart per dimension: FID = ||shift||^2 = 8 * 0.25 exactly.
    assert fid(real, real + shift) == pytest.approx(2.0, rel=1e-6)
    assert fid(real, gaussian(2000, 8, 1)) < 0.05


def test_kid_is_near_zero_for_one_distribution_and_large_for_another() -> None:
    real, same, other = gaussian(600, 8, 0), gaussian(600, 8, 1), gaussian(600, 8, 2) * 3 + 1
    assert abs(kid(real, same, subsets=10, subset_size=300)) < 0.02
    assert kid(real, other, subsets=10, subset_size=300) > 1.0


def test_precision_recall_on_identical_disjoint_and_half_covered_sets() -> None:
    centres = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])
    noise = gaussian(800, 2, 3).float() * 0.3
    real = centres.repeat_interleave(200, dim=0) + noise
    assert precision_recall(real, real) == (1.0, 1.0)
    precision, recall = precision_recall(real, real + 100)
    assert precision == 0.0 and recall == 0.0
    # Fakes on two of the four clusters: all of them are realistic, half of the real set is covered.
    fake = centres[:2].repeat_interleave(200, dim=0) + gaussian(400, 2, 4).float() * 0.3
    precision, recall = precision_recall(real, fake)
    assert precision > 0.95
    assert recall == pytest.approx(0.5, abs=0.05)


def test_mixture_scores_of_real_collapsed_and_missing_samples() -> None:
    from ganzoo_plugins.toy.mixtures import grid_means

    means, std = grid_means(5, 2.0), 0.05
    real = means.repeat(100, 1) + std * gaussian(2500, 2, 0).float()
    scores = mixture_scores(real, means, std)
    assert scores["modes"] == 25
    assert scores["hq"] == pytest.approx(100 * (1 - math.exp(-4.5)), abs=1.0)  # P(r <= 3 sigma) in 2D
    assert scores["mode_kl"] < 0.01
    collapsed = mixture_scores(means[:1].repeat(2500, 1), means, std)
    assert (collapsed["modes"], collapsed["hq"]) == (1, 100.0)
    assert collapsed["mode_kl"] == pytest.approx(math.log(25))
    assert mixture_scores(torch.full((100, 2), 1.0), means, std)["hq"] == 0.0


def test_class_metrics_on_known_predictions() -> None:
    confident = torch.eye(10).repeat(50, 1) * 50
    assert inception_score(confident, splits=1) == pytest.approx(10.0, rel=1e-3)
    one_class = torch.zeros(500, 10).index_fill_(1, torch.tensor([3]), 50.0)
    assert inception_score(one_class, splits=1) == pytest.approx(1.0, abs=1e-3)
    coverage = class_coverage(torch.tensor([0] * 990 + [1] * 10), 10)
    assert coverage["classes"] == 2
    assert coverage["class_kl"] > 2.0
    assert class_coverage(torch.arange(10).repeat(10), 10) == {"classes": 10.0, "class_kl": 0.0}
    assert class_accuracy(torch.tensor([1, 2, 3, 4]), torch.tensor([1, 2, 0, 0])) == 50.0


def test_real_mnist_halves_are_close_and_noise_is_far(data_dir) -> None:
    from ganzoo.registry import get_registry

    spec = get_registry().dataset("mnist")
    images = spec.build({**spec.defaults, "name": "mnist", "root": str(data_dir), "split": "test"}).tensors["image"]
    images = torch.nn.functional.avg_pool2d(images, 2)  # 14 x 14 pixels keep the test fast
    pixels = load_extractor("pixels", "mnist", (1, 14, 14))
    first, second = extract(pixels, images[:5000]), extract(pixels, images[5000:])
    noise = extract(pixels, torch.rand(5000, 1, 14, 14, generator=torch.Generator().manual_seed(0)) * 2 - 1)
    halves, far = fid(first, second), fid(first, noise)
    assert halves < 0.05 * far
    assert min(precision_recall(first[:1000], second[:1000])) > 0.5
    assert max(precision_recall(first[:1000], noise[:1000])) < 0.01


def test_domain_classifier_features_separate_real_digits_from_noise() -> None:
    from ganzoo.registry import get_registry

    spec = get_registry().dataset("digits")
    images = spec.build({**spec.defaults, "name": "digits", "root": None}).tensors["image"]
    classifier = load_extractor("classifier", "digits", (1, 32, 32))
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))
    first, second = extract(classifier, images[order[:800]]), extract(classifier, images[order[800:1600]])
    noise = extract(classifier, torch.rand(800, 1, 32, 32, generator=torch.Generator().manual_seed(0)) * 2 - 1)
    assert fid(first, second) < 0.05 * fid(first, noise)
    logits = extract(classifier.logits, images[order[:1000]])
    assert class_coverage(logits.argmax(1), 10)["classes"] == 10
    assert inception_score(logits) > 5


def test_inception_features_without_weights_are_one_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    with pytest.raises(UserError, match="FID Inception weights not found") as info:
        load_extractor("inception", "cifar10", (3, 32, 32))
    assert "\n" not in str(info.value)
    with pytest.raises(UserError, match="unknown feature extractor"):
        load_extractor("vgg", "cifar10", (3, 32, 32))


@pytest.mark.skipif(
    not inception_weights_path().is_file(), reason=f"FID Inception weights not found at {inception_weights_path()}"
)
def test_inception_features_are_2048_dimensional() -> None:
    features = extract(load_extractor("inception", "cifar10", (3, 32, 32)), torch.rand(4, 3, 32, 32) * 2 - 1)
    assert features.shape == (4, 2048)
