"""LSGAN's update rule: one discriminator step, then one generator step, with a least-squares loss.

The loss comes from the registry by name (``loss: lsgan-01`` by default), so ``--set loss=lsgan-pearson``
or any other adversarial loss plugin switches it. The module never moves data, loads files or loops:
the ganzoo trainer does all of that.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch

from ganzoo import IMAGE, DataInfo, GANModule, StepContext, create_loss
from ganzoo.nn import mlp
from ganzoo.render import density_image

from ganzoo_lsgan.networks import ImageDiscriminator, ImageGenerator


class LSGAN(GANModule):
    """Mao et al. 2017: convolutional networks for images, MLPs for vectors (the batch key ``x``)."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        m = config["model"]
        self.z_dim = int(m["z_dim"])
        self.images = info.kind == IMAGE
        self.batch_key = "image" if self.images else "x"
        if self.images:
            channels, size = info.shape[0], info.shape[-1]
            self.generator = ImageGenerator(self.z_dim, channels, size, int(m["g_channels"]))
            self.discriminator = ImageDiscriminator(channels, size, int(m["d_channels"]))
        else:
            features, hidden, depth = math.prod(info.shape), int(m["hidden"]), int(m["depth"])
            self.generator = mlp(self.z_dim, hidden, depth, features)
            self.discriminator = mlp(features, hidden, depth, 1)
        self.loss = create_loss(config["loss"])

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        lr, betas = float(self.config["train"]["lr"]), tuple(self.config["train"]["betas"])
        return {"generator": torch.optim.Adam(self.generator.parameters(), lr=lr, betas=betas),
                "discriminator": torch.optim.Adam(self.discriminator.parameters(), lr=lr, betas=betas)}

    def noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Standard normal latent vectors on this module's device."""
        return torch.randn(n, self.z_dim, device=self.device, generator=generator)

    def score(self, x: torch.Tensor) -> torch.Tensor:
        """Raw discriminator output per sample (no sigmoid: the least-squares targets are a, b, c)."""
        return self.discriminator(x).flatten()

    def training_step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        opt = ctx.optimizers
        real = ctx.next_batch()[self.batch_key]
        with ctx.autocast():
            fake = self.generator(self.noise(real.shape[0]))
            real_scores, fake_scores = self.score(real), self.score(fake.detach())
        d_loss = self.loss.discriminator_loss(real_scores, fake_scores)
        penalty = self.loss.penalty(self.score, real, fake.detach())
        if penalty is not None:
            d_loss = d_loss + penalty
        ctx.optimize(opt["discriminator"], d_loss)
        with ctx.autocast():
            gen_scores = self.score(fake)
        g_loss = self.loss.generator_loss(gen_scores)
        ctx.optimize(opt["generator"], g_loss)
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach(),
                "d_real": real_scores.detach().float().mean(), "d_fake": fake_scores.detach().float().mean()}

    def sample(self, n: int, generator: torch.Generator | None = None, **conditions: Any) -> dict[str, torch.Tensor]:
        out = self.generator(self.noise(n, generator))
        return {"image": out} if self.images else {"x": out}

    def sample_grid(self, n: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, int]:
        """Images as a grid; for 2D points one density picture of 2,000 samples over the data's extent."""
        if self.images:
            return super().sample_grid(n, generator)
        points = self.sample(2000, generator)["x"][:, :2].float().cpu()
        means = torch.tensor(self.info.extras.get("means", [[1.0, 1.0]]))
        extent = float(means.abs().max()) + 10 * float(self.info.extras.get("std", 0.1))
        return density_image(points, extent), 1
