"""DCGAN's update rule: one discriminator step, then one generator step, per training step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ganzoo import DataInfo, GANModule, StepContext, create_loss

from ganzoo.nn import DCGANDiscriminator as Discriminator
from ganzoo.nn import DCGANGenerator as Generator


class DCGAN(GANModule):
    """Radford et al. 2015: BN+ReLU generator with tanh output, LeakyReLU(0.2) discriminator."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        m = config["model"]
        channels, size = info.shape[0], info.shape[-1]
        self.z_dim = int(m["z_dim"])
        self.generator = Generator(self.z_dim, channels, size, int(m["g_channels"]))
        self.discriminator = Discriminator(channels, size, int(m["d_channels"]))
        self.loss = create_loss(config["loss"], role="adversarial")

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"generator": self.adam(self.generator.parameters()),
                "discriminator": self.adam(self.discriminator.parameters())}

    def noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Standard normal latent vectors on this module's device."""
        return torch.randn(n, self.z_dim, device=self.device, generator=generator)

    def training_step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        opt = ctx.optimizers
        real = ctx.next_batch()["image"]
        z = self.noise(real.shape[0])
        with ctx.autocast():
            fake = self.generator(z)
            real_scores = self.discriminator(real)
            fake_scores = self.discriminator(fake.detach())
        d_loss = self.loss.discriminator_loss(real_scores, fake_scores)
        penalty = self.loss.penalty(self.discriminator, real, fake.detach())
        if penalty is not None:
            d_loss = d_loss + penalty
        ctx.optimize(opt["discriminator"], d_loss)
        with ctx.autocast():
            gen_scores = self.discriminator(fake)
        g_loss = self.loss.generator_loss(gen_scores)
        ctx.optimize(opt["generator"], g_loss)
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach(),
                "d_real": real_scores.detach().float().mean(), "d_fake": fake_scores.detach().float().mean()}

    def sample(self, n: int, generator: torch.Generator | None = None, **conditions: Any) -> dict[str, torch.Tensor]:
        return {"image": self.generator(self.noise(n, generator))}
