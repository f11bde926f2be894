"""WGAN: the paper's Algorithm 1 (RMSprop 5e-5, five critic updates, weights clipped to [-0.01, 0.01] after each)
and the ``wasserstein`` loss without penalty."""

from __future__ import annotations

import pytest
import torch
from zoo_support import build, context, images

from ganzoo import create_loss

SMALL = ("model.g_channels=8", "model.d_channels=8", "train.lr=0.05")  # a large rate pushes weights past c


def test_algorithm_1_defaults() -> None:
    module = build("wgan")
    assert module.config["loss"] == "wasserstein" and module.config["train"]["d_steps"] == 5
    optimizer = module.configure_optimizers()["discriminator"]
    assert isinstance(optimizer, torch.optim.RMSprop) and optimizer.param_groups[0]["lr"] == pytest.approx(5e-5)


def test_critic_weights_stay_within_the_clip_after_every_update() -> None:
    module = build("wgan", *SMALL)
    ctx = context(module, lambda: {"image": images(8)})
    before = [p.detach().clone() for p in module.discriminator.parameters()]
    seen = []
    original = module.after_discriminator_update

    def check() -> None:
        original()
        seen.append(max(p.abs().max().item() for p in module.discriminator.parameters()))

    module.after_discriminator_update = check
    logs = module.training_step(ctx)
    assert len(seen) == 5 and max(seen) <= 0.01
    assert any(not torch.equal(a, b) for a, b in zip(before, module.discriminator.parameters()))
    assert sum((p.abs() == 0.01).sum().item() for p in module.discriminator.parameters()) > 0  # the clip was hit
    assert logs["wasserstein"] == pytest.approx((logs["d_real"] - logs["d_fake"]).item())


def test_wasserstein_loss_has_no_penalty() -> None:
    loss = create_loss("wasserstein", role="adversarial")
    real, fake = torch.tensor([2.0, 4.0]), torch.tensor([1.0, -1.0])
    assert loss.discriminator_loss(real, fake).item() == pytest.approx(-3.0)
    assert loss.generator_loss(fake).item() == pytest.approx(0.0)
    assert loss.penalty(lambda x: x.sum(), real, fake) is None
