"""BEGAN: the k_t control (proportional update, clamped to [0, 1], from the losses averaged over every rank
through ``ctx.reduce_mean``), M_global logged, the autoencoder loss, and no ``loss`` key."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from zoo_support import build, context, images

SMALL = ("model.g_channels=8", "model.d_channels=8", "model.hidden=8")


def _same(value: torch.Tensor) -> torch.Tensor:
    return value


def test_k_update_rule_and_m_global() -> None:
    module = build("began", *SMALL, "model.gamma=0.5", "model.lambda_k=0.1")
    module.k.fill_(0.3)
    m_global = module.update_k(torch.tensor(0.8), torch.tensor(0.1), _same)
    # balance = 0.5 * 0.8 - 0.1 = 0.3; k = 0.3 + 0.1 * 0.3; M = 0.8 + |0.3|
    assert module.k.item() == pytest.approx(0.33) and m_global.item() == pytest.approx(1.1)


@pytest.mark.parametrize("start, real, fake, expected", [(0.999, 100.0, 0.0, 1.0), (0.001, 0.0, 100.0, 0.0)])
def test_k_is_clamped_to_the_unit_interval(start: float, real: float, fake: float, expected: float) -> None:
    module = build("began", *SMALL, "model.lambda_k=0.5")
    module.k.fill_(start)
    module.update_k(torch.tensor(real), torch.tensor(fake), _same)
    assert module.k.item() == expected


def test_k_follows_the_mean_over_ranks_not_this_ranks_losses() -> None:
    # A fake DDP reduction: another rank saw losses (0.9, 0.0); the mean is what every rank applies.
    module = build("began", *SMALL, "model.gamma=1.0", "model.lambda_k=1.0")
    reduced = []

    def reduce_mean(value: torch.Tensor) -> torch.Tensor:
        reduced.append(value.clone())
        return (value + torch.tensor([0.9, 0.0])) / 2

    ctx = context(module, lambda: {"image": images(8)}, reduce_mean=reduce_mean)
    logs = module.training_step(ctx)
    assert len(reduced) == 1
    mine_real, mine_fake = reduced[0].tolist()
    assert mine_real == pytest.approx(logs["d_real"].item()) and mine_fake == pytest.approx(logs["g_loss"].item())
    mean_real, mean_fake = (mine_real + 0.9) / 2, mine_fake / 2
    assert module.k.item() == pytest.approx(min(1.0, max(0.0, mean_real - mean_fake)))
    assert logs["m_global"].item() == pytest.approx(mean_real + abs(mean_real - mean_fake))
    assert logs["k"].item() == 0.0  # the k this step's D loss used


def test_discriminator_loss_is_the_reconstruction_error_balanced_by_k() -> None:
    module = build("began", *SMALL)
    module.k.fill_(0.5)
    batch = {"image": images(8)}
    logs = module.training_step(context(module, lambda: batch))
    assert logs["d_loss"].item() == pytest.approx((logs["d_real"] - 0.5 * logs["d_fake"]).item(), rel=1e-5)
    assert 0 < logs["d_real"].item() < 2 and module.discriminator(batch["image"]).shape == batch["image"].shape


def test_setting_a_loss_is_a_one_line_error(in_tmp: Path, cli) -> None:
    code, _, err = cli("run", "began", "--set", "loss=hinge", "--set", "train.steps=1", "--no-progress")
    assert code == 2 and "loss" in err and len(err.strip().splitlines()) == 1
