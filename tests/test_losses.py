"""Adversarial losses against hand-computed values."""

from __future__ import annotations

import math

import pytest
import torch

from ganzoo import create_loss


def test_bce_on_known_logits() -> None:
    loss = create_loss("bce")
    real, fake = torch.tensor([0.0, 2.0]), torch.tensor([0.0, -1.0])

    def sp(x: float) -> float:  # softplus
        return math.log1p(math.exp(x))

    expected_d = (sp(-0.0) + sp(-2.0)) / 2 + (sp(0.0) + sp(-1.0)) / 2
    assert loss.discriminator_loss(real, fake).item() == pytest.approx(expected_d, rel=1e-6)
    assert loss.generator_loss(fake).item() == pytest.approx((sp(-0.0) + sp(1.0)) / 2, rel=1e-6)


def test_hinge_on_known_scores() -> None:
    loss = create_loss("hinge")
    real, fake = torch.tensor([0.5, 2.0]), torch.tensor([-2.0, 0.25])
    assert loss.discriminator_loss(real, fake).item() == pytest.approx((0.5 + 0.0) / 2 + (0.0 + 1.25) / 2)
    assert loss.generator_loss(fake).item() == pytest.approx(0.875)


def test_losses_compute_in_float32_from_bfloat16_scores() -> None:
    scores = torch.tensor([1.0, -1.0], dtype=torch.bfloat16)
    assert create_loss("bce").discriminator_loss(scores, scores).dtype == torch.float32


def test_a_loss_of_another_role_is_refused_when_a_role_is_asked_for() -> None:
    from ganzoo import UserError

    with pytest.raises(UserError, match="loss 'info' is not a fitting adversarial loss"):
        create_loss("info", role="adversarial")
    assert create_loss("hinge", role="adversarial") is not None
