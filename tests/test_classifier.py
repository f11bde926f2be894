"""The MNIST classifier behind class-accuracy and FID-style metrics: accurate, cached, size-agnostic."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import torch

from ganzoo import UserError
from ganzoo.metrics import classifier as clf
from ganzoo.registry import get_registry


def test_mnist_classifier_is_accurate_on_the_real_test_split(mnist_classifier: clf.DigitClassifier) -> None:
    assert mnist_classifier.test_accuracy >= 0.98
    assert not mnist_classifier.training


def test_it_takes_28_and_32_pixel_images(mnist_classifier: clf.DigitClassifier) -> None:
    for size in (28, 32):
        images = torch.rand(5, 1, size, size) * 2 - 1
        assert mnist_classifier(images).shape == (5, 10)
        assert mnist_classifier.features(images).shape == (5, 128)


def test_trained_once_then_loaded_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clf.CACHE_ENV, str(tmp_path))
    registry = get_registry()
    monkeypatch.setitem(
        registry.specs["datasets"], "digits", dataclasses.replace(registry.dataset("digits"), classifier_epochs=1)
    )
    first = clf.load_classifier("digits")
    assert (tmp_path / "classifiers" / "digits-32.pt").is_file()
    assert 0.5 < first.test_accuracy <= 1.0

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cached classifier was retrained")

    monkeypatch.setattr(clf, "train_classifier", no_training)
    second = clf.load_classifier("digits")
    assert second.test_accuracy == first.test_accuracy
    images = torch.rand(4, 1, 32, 32) * 2 - 1
    assert torch.equal(first(images), second(images))


def test_class_fractions_sum_to_one(mnist_classifier: clf.DigitClassifier) -> None:
    fractions = clf.class_fractions(mnist_classifier, torch.rand(20, 1, 28, 28) * 2 - 1)
    assert fractions.shape == (10,) and fractions.sum().item() == pytest.approx(1.0)


def test_confusion_matrix_counts_true_against_predicted(mnist_classifier: clf.DigitClassifier) -> None:
    images = torch.rand(30, 1, 28, 28) * 2 - 1
    predicted = mnist_classifier.predict(images)
    labels = torch.arange(30) % 10
    matrix = clf.confusion_matrix(mnist_classifier, images, labels)
    assert matrix.shape == (10, 10) and matrix.sum().item() == 30
    assert matrix.sum(1).tolist() == [3] * 10  # each row holds one true class
    assert matrix.diagonal().sum().item() == (predicted == labels).sum().item()
    assert matrix[labels[0], predicted[0]] >= 1


def test_unknown_dataset_is_a_user_error() -> None:
    with pytest.raises(UserError, match="no digit classifier"):
        clf.load_classifier("cifar10")
