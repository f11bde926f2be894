"""The plugin's own tests: ganzoo's contract kit on every kind of data it accepts, plus the loss values."""

from __future__ import annotations

import pytest
import torch
from ganzoo_lsgan.losses import PearsonCoding, ZeroOneCoding

from ganzoo.testing import check_dataset_plugin, check_loss_plugin, check_model_plugin, check_plugin_loaded


def test_registered_through_the_entry_point() -> None:
    check_plugin_loaded("ganzoo-lsgan", models=["lsgan"])


@pytest.mark.parametrize("dataset", ["digits", "lsgan-mog"])
def test_model_meets_the_contract(dataset: str) -> None:
    report = check_model_plugin("lsgan", dataset=dataset)
    assert report.dataset == dataset and set(report.logs["adversarial"]) >= {"d_loss", "g_loss"}


@pytest.mark.parametrize("name", ["lsgan-01", "lsgan-pearson"])
def test_losses_meet_the_contract(name: str) -> None:
    check_loss_plugin(name)


def test_dataset_meets_the_contract() -> None:
    data = check_dataset_plugin("lsgan-mog", {"size": 400, "modes": 4})
    points = data.tensors["x"]
    assert points.shape == (400, 2)
    assert torch.allclose(points.norm(dim=1).mean(), torch.tensor(2.0), atol=0.05)


def test_least_squares_targets_match_the_paper() -> None:
    real, fake = torch.tensor([1.0, 0.0]), torch.tensor([0.5, -1.0])
    zero_one, pearson = ZeroOneCoding(), PearsonCoding()
    # 0-1 coding: 1/2 mean((real - 1)^2) + 1/2 mean(fake^2) = 1/2 * 0.5 + 1/2 * 0.625
    assert zero_one.discriminator_loss(real, fake).item() == pytest.approx(0.5625)
    assert zero_one.generator_loss(fake).item() == pytest.approx(0.5 * (0.25 + 4.0) / 2)
    # a=-1, b=1, c=0: 1/2 mean((real - 1)^2) + 1/2 mean((fake + 1)^2) = 1/2 * 0.5 + 1/2 * 1.125
    assert pearson.discriminator_loss(real, fake).item() == pytest.approx(0.8125)
    assert pearson.generator_loss(fake).item() == pytest.approx(0.5 * (0.25 + 1.0) / 2)
