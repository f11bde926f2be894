"""R1/R2 gradient penalties against hand-computed values, their gradients, and half-precision inputs."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ganzoo import UserError
from ganzoo.penalties import r1_penalty, r2_penalty


def _linear_critic(weights: tuple[float, ...] = (1.0, -2.0, 0.5)) -> nn.Linear:
    critic = nn.Linear(len(weights), 1)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([weights]))
        critic.bias.fill_(7.0)
    return critic


@pytest.mark.parametrize("penalty", [r1_penalty, r2_penalty])
def test_linear_critic_penalty_is_half_gamma_times_squared_weight_norm(penalty) -> None:
    critic = _linear_critic()
    samples = torch.randn(5, 3, generator=torch.Generator().manual_seed(0))
    # grad_x (w.x + b) = w for every sample; ||w||^2 = 1 + 4 + 0.25 = 5.25
    value = penalty(critic, samples, gamma=10.0)
    assert value.dtype == torch.float32 and value.ndim == 0
    assert value.item() == pytest.approx(10.0 / 2 * 5.25, rel=1e-6)


def test_quadratic_critic_penalty_matches_hand_computation() -> None:
    def critic(x: torch.Tensor) -> torch.Tensor:  # D(x) = x1^2 + 0.5 x2^2, grad = (2 x1, x2)
        return x[:, 0] ** 2 + 0.5 * x[:, 1] ** 2

    samples = torch.tensor([[1.0, 2.0], [3.0, 0.0]])
    # ||(2, 2)||^2 = 8, ||(6, 0)||^2 = 36, mean 22; gamma/2 = 1
    assert r1_penalty(critic, samples, gamma=2.0).item() == pytest.approx(22.0)
    assert r2_penalty(critic, samples, gamma=0.5).item() == pytest.approx(5.5)


def test_penalty_gradient_reaches_the_critic_parameters_and_not_the_samples() -> None:
    critic = _linear_critic()
    fake = torch.randn(4, 3, requires_grad=True)
    value = r2_penalty(critic, fake * 2, gamma=4.0)
    weight_grad, bias_grad = torch.autograd.grad(value, [critic.weight, critic.bias], allow_unused=True)
    # d/dw (gamma/2 ||w||^2) = gamma * w; the bias does not enter the input gradient
    assert torch.allclose(weight_grad, 4.0 * critic.weight)
    assert bias_grad is None or torch.all(bias_grad == 0)
    assert value.grad_fn is not None and fake.grad is None


def test_conv_critic_penalty_backpropagates_finite_gradients() -> None:
    critic = nn.Sequential(nn.Conv2d(3, 4, 3), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(4 * 6 * 6, 1))
    real = torch.rand(2, 3, 8, 8) * 2 - 1
    r1_penalty(critic, real, gamma=1.0).backward()
    weight_grads = [critic[0].weight.grad, critic[3].weight.grad]  # biases do not enter grad_x D
    assert all(g is not None and torch.isfinite(g).all() and g.abs().sum() > 0 for g in weight_grads)


def test_bf16_inputs_under_autocast_give_the_float32_value() -> None:
    weights = (1.001, -2.003, 0.5007)  # not representable in bf16: a bf16 backward would be off by ~1e-3
    critic = _linear_critic(weights)
    real = torch.randn(6, 3).to(torch.bfloat16)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        value = r1_penalty(critic, real, gamma=1.0)
    assert value.dtype == torch.float32
    assert value.item() == pytest.approx(0.5 * sum(w * w for w in weights), rel=1e-6)


def test_negative_gamma_is_a_user_error() -> None:
    with pytest.raises(UserError, match="gamma must be a number >= 0"):
        r1_penalty(_linear_critic(), torch.zeros(1, 3), gamma=-1.0)
