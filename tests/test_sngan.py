"""SNGAN: ResNet networks at 28 and 32 px, spectral norm keeping D's layers near unit spectral norm, the papers'
policy (hinge, n_dis 5, Adam(2e-4, 0, 0.9), linear decay), and a projection term that depends on the label."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn.utils import parametrize
from zoo_support import build, context, images, labelled_batch

from ganzoo import IMAGE, DataInfo

SMALL = ("model.z_dim=16", "model.g_channels=8", "model.d_channels=8")


def test_the_papers_policy_is_the_default() -> None:
    module = build("sngan", *SMALL)
    train = module.config["train"]
    assert module.config["loss"] == "hinge" and train["d_steps"] == 5 and train["lr_schedule"] == "linear"
    group = module.configure_optimizers()["discriminator"].param_groups[0]
    assert isinstance(module.configure_optimizers()["discriminator"], torch.optim.Adam)
    assert group["lr"] == pytest.approx(2e-4) and tuple(group["betas"]) == (0.0, 0.9)


@pytest.mark.parametrize("size", [28, 32])
def test_generator_and_discriminator_at_28_and_32_px(size: int) -> None:
    module = build("sngan", *SMALL, info=DataInfo("x", IMAGE, (3, size, size)))
    fake = module.sample(4)["image"]
    assert fake.shape == (4, 3, size, size) and fake.abs().max() <= 1
    assert module.discriminate(fake, {}).shape == (4,)


def test_every_discriminator_weight_has_spectral_norm_near_one() -> None:
    module = build("sngan", *SMALL)
    layers = [m for m in module.discriminator.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    assert layers and all(parametrize.is_parametrized(m, "weight") for m in layers)
    for _ in range(30):  # each training-mode forward runs one power iteration
        module.discriminator(images(4))
    for layer in layers:
        sigma = torch.linalg.matrix_norm(layer.weight.detach().flatten(1), ord=2).item()
        assert sigma == pytest.approx(1.0, abs=0.05)
    assert not any(parametrize.is_parametrized(m) for m in module.generator.modules())


def test_projection_term_depends_on_the_label() -> None:
    module = build("sngan-projection", *SMALL).eval()
    x = images(4)
    d = module.discriminator
    with torch.no_grad():
        by_label = [d(x, torch.full((4,), k)) for k in range(3)]
        phi = d.features(x)
        for k, scores in enumerate(by_label):
            expected = d.linear(phi).flatten() + (d.embed(torch.full((4,), k)) * phi).sum(1)
            torch.testing.assert_close(scores, expected)
    assert not torch.allclose(by_label[0], by_label[1])


def test_the_conditional_generator_uses_class_conditional_batch_norm() -> None:
    module = build("sngan-projection", *SMALL).eval()
    z = torch.randn(2, 16)
    with torch.no_grad():
        module.generator.blocks[0].norm1.gain.weight[3].mul_(3)  # any change of class 3's gain shows in its samples
        a, b = module.generator(z, torch.tensor([3, 3])), module.generator(z, torch.tensor([4, 4]))
    assert not torch.allclose(a, b)


def test_a_step_runs_five_discriminator_updates() -> None:
    module = build("sngan-projection", *SMALL)
    calls = []

    def batch() -> dict[str, torch.Tensor]:
        calls.append(1)
        return labelled_batch()

    logs = module.training_step(context(module, batch))
    assert len(calls) == 5 and {"d_loss", "g_loss", "d_real", "d_fake"} <= logs.keys()
