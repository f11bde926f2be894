"""wasserstein_gp, least_squares and info losses against hand-computed values."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from ganzoo import create_loss
from ganzoo.registry import get_registry
from ganzoo_plugins.losses.wasserstein import gradient_penalty


def _linear_critic(weight: torch.Tensor) -> nn.Module:
    critic = nn.Sequential(nn.Flatten(), nn.Linear(weight.numel(), 1))
    with torch.no_grad():
        critic[1].weight.copy_(weight.reshape(1, -1))
        critic[1].bias.fill_(0.3)
    return critic


def test_the_new_losses_are_registered() -> None:
    names = {spec.name for spec in get_registry().list("losses")}
    assert {"wasserstein_gp", "least_squares", "info"} <= names
    assert get_registry().loss("info").role == "mutual-information"


def test_gradient_penalty_of_a_linear_critic_is_its_weight_norm_minus_one_squared() -> None:
    # A linear critic's input gradient is its weight everywhere: GP = (||w|| - 1)^2 = (5 - 1)^2 = 16.
    weight = torch.tensor([3.0, 0.0, 4.0, 0.0]).reshape(1, 2, 2)
    critic = _linear_critic(weight)
    real, fake = torch.randn(8, 1, 2, 2), torch.randn(8, 1, 2, 2)
    assert gradient_penalty(critic, real, fake).item() == pytest.approx(16.0, rel=1e-6)
    loss = create_loss("wasserstein_gp")
    assert loss.penalty(critic, real, fake).item() == pytest.approx(160.0, rel=1e-6)


def test_gradient_penalty_backpropagates_into_the_critic() -> None:
    critic = _linear_critic(torch.tensor([0.6, 0.0, 0.0, 0.0]))
    penalty = gradient_penalty(critic, torch.randn(4, 1, 2, 2), torch.randn(4, 1, 2, 2))
    penalty.backward()
    # d/dw (||w|| - 1)^2 = 2 (||w|| - 1) w / ||w|| = 2 * (-0.4) * [1, 0, 0, 0]
    expected = torch.tensor([[-0.8, 0.0, 0.0, 0.0]])
    assert torch.allclose(critic[1].weight.grad, expected, atol=1e-6)


def test_gradient_penalty_is_float32_under_bfloat16_autocast() -> None:
    critic = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 1))
    real, fake = torch.randn(6, 1, 4, 4), torch.randn(6, 1, 4, 4)
    torch.manual_seed(0)
    reference = gradient_penalty(critic, real, fake)
    torch.manual_seed(0)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        mixed = gradient_penalty(critic, real.bfloat16(), fake.bfloat16())
    assert mixed.dtype == torch.float32
    assert mixed.item() == pytest.approx(reference.item(), rel=1e-2)


def test_wasserstein_scores() -> None:
    loss = create_loss("wasserstein_gp")
    real, fake = torch.tensor([1.0, 3.0]), torch.tensor([-1.0, 0.5])
    assert loss.discriminator_loss(real, fake).item() == pytest.approx(-0.25 - 2.0)
    assert loss.generator_loss(fake).item() == pytest.approx(0.25)


def test_least_squares_on_known_scores() -> None:
    loss = create_loss("least_squares")
    real, fake = torch.tensor([1.0, 0.0, 3.0]), torch.tensor([0.0, 2.0])
    # D: 0.5 * mean(0, 1, 4) + 0.5 * mean(0, 4) = 5/6 + 1; G: 0.5 * mean(1, 1) = 0.5
    assert loss.discriminator_loss(real, fake).item() == pytest.approx(5 / 6 + 1.0)
    assert loss.generator_loss(fake).item() == pytest.approx(0.5)
    assert loss.penalty(None, real, fake) is None


def test_info_loss_on_known_logits_and_codes() -> None:
    info = create_loss("info")
    assert (info.categorical_weight, info.continuous_weight) == (1.0, 0.1)
    logits = torch.log(torch.tensor([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]]))
    codes = torch.tensor([0, 2])
    expected_ce = -(math.log(0.5) + math.log(0.8)) / 2
    assert info.categorical(logits, codes).item() == pytest.approx(expected_ce, rel=1e-6)
    mean, cont = torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 1.0]])
    # fixed std 1: per dimension 0.5 log(2 pi) + 0.5 (c - mu)^2, summed over the two dimensions
    expected_nll = math.log(2 * math.pi) + 0.5
    assert info.continuous(mean, cont).item() == pytest.approx(expected_nll, rel=1e-6)
    # learned std: log(2) + 0.5 log(2 pi) + 0.5 (1 / 2)^2 for the first dimension
    log_std = torch.tensor([[math.log(2.0), 0.0]])
    expected_learned = math.log(2.0) + math.log(2 * math.pi) + 0.125
    assert info.continuous(mean, cont, log_std).item() == pytest.approx(expected_learned, rel=1e-6)
    total = info(logits[:1], codes[:1], mean, cont)
    assert total.item() == pytest.approx(-math.log(0.5) + 0.1 * expected_nll, rel=1e-6)
    weighted = create_loss("info", categorical_weight=2.0, continuous_weight=0.0)
    assert weighted(logits, codes, mean.expand(2, 2), cont.expand(2, 2)).item() == pytest.approx(2 * expected_ce)


def test_dcgan_trains_with_the_wasserstein_gp_loss(in_tmp, cli) -> None:
    code, _, err = cli(
        "run",
        "dcgan",
        "--out",
        "wgp",
        "--set",
        "loss=wasserstein_gp",
        "--set",
        "train.steps=3",
        "--set",
        "model.g_channels=8",
        "--set",
        "model.d_channels=8",
        "--set",
        "train.batch_size=16",
        "--no-progress",
    )
    assert code == 0, err
