"""MLP generator and discriminator and their alternating update (``d_steps`` critic steps per G step).

``lr_decay`` decays both learning rates linearly to zero at the last step, which lets the samples settle
onto sharp modes instead of oscillating around them; ``lr_decay_start`` (a fraction of the steps) holds
the rate constant until then, so that the modes are found first and sharpened after.

``pack`` > 1 is PacGAN's packing (Lin et al. 2018, arXiv 1712.04086): the discriminator judges ``pack``
samples concatenated, which penalises a generator whose samples look alike (mode collapse).

Vectors train as they are (batch key ``x``); images are flattened, and the generator ends in tanh so
its output lies in the image range [-1, 1].
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from ganzoo import IMAGE, DataInfo, GANModule, StepContext, UserError, create_loss
from ganzoo.nn import leaky_relu, mlp
from ganzoo.render import density_image


class VanillaGAN(GANModule):
    """Goodfellow et al. 2014 with ReLU generator and LeakyReLU discriminator MLPs."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        m = config["model"]
        self.images = info.kind == IMAGE
        self.z_dim = int(m["z_dim"])
        self.d_steps, self.pack = int(m["d_steps"]), int(m["pack"])
        if self.d_steps < 1 or self.pack < 1:
            raise UserError(f"model.d_steps and model.pack must be >= 1, got {self.d_steps} and {self.pack}")
        if int(config["train"]["batch_size"]) % self.pack:
            raise UserError(f"train.batch_size must be a multiple of model.pack={self.pack}")
        self.batch_key = "image" if self.images else "x"
        features = math.prod(info.shape)
        hidden, depth = int(m["hidden"]), int(m["depth"])
        self.generator = mlp(self.z_dim, hidden, depth, features, nn.ReLU)
        self.discriminator = mlp(features * self.pack, hidden, depth, 1, leaky_relu)
        self.loss = create_loss(config["loss"])
        self.lr_decay, self.base_lr = bool(m["lr_decay"]), float(config["train"]["lr"])
        self.lr_decay_start = float(m["lr_decay_start"])
        if not 0.0 <= self.lr_decay_start < 1.0:
            raise UserError("model.lr_decay_start must be a fraction of the steps in [0, 1), "
                            f"got {self.lr_decay_start}")

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"generator": self.adam(self.generator.parameters()),
                "discriminator": self.adam(self.discriminator.parameters())}

    def _decay_learning_rates(self, ctx: StepContext) -> None:
        """Constant rate until ``lr_decay_start`` of the steps, then linear decay to zero at the last step."""
        total = sum(phase.steps for phase in self.phases())
        start = self.lr_decay_start * total
        factor = min(1.0, max(0.0, 1 - (ctx.step - 1 - start) / (total - start)))
        for optimizer in ctx.optimizers.values():
            for group in optimizer.param_groups:
                group["lr"] = self.base_lr * factor

    def generate(self, z: torch.Tensor) -> torch.Tensor:
        """Map noise to samples shaped like the data (flattened images are reshaped, squashed by tanh)."""
        out = self.generator(z)
        return torch.tanh(out).reshape(-1, *self.info.shape) if self.images else out

    def critic(self, x: torch.Tensor) -> torch.Tensor:
        """Discriminator score per pack of ``pack`` consecutive samples (raw logit or critic value)."""
        return self.discriminator(x.reshape(x.shape[0] // self.pack, -1)).flatten()

    def noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Standard normal latent vectors on this module's device."""
        return torch.randn(n, self.z_dim, device=self.device, generator=generator)

    def training_step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        opt = ctx.optimizers
        if self.lr_decay:
            self._decay_learning_rates(ctx)
        for _ in range(self.d_steps):
            real = ctx.next_batch()[self.batch_key]
            with ctx.autocast():
                fake = self.generate(self.noise(real.shape[0])).detach()
                real_scores, fake_scores = self.critic(real), self.critic(fake)
            d_loss = self.loss.discriminator_loss(real_scores, fake_scores)
            penalty = self.loss.penalty(self.critic, real, fake)
            if penalty is not None:
                d_loss = d_loss + penalty
            ctx.optimize(opt["discriminator"], d_loss)
        with ctx.autocast():
            gen_scores = self.critic(self.generate(self.noise(real.shape[0])))
        g_loss = self.loss.generator_loss(gen_scores)
        ctx.optimize(opt["generator"], g_loss)
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach(),
                "d_real": real_scores.detach().float().mean(), "d_fake": fake_scores.detach().float().mean()}

    def sample(self, n: int, generator: torch.Generator | None = None, **conditions: Any) -> dict[str, torch.Tensor]:
        out = self.generate(self.noise(n, generator))
        return {"image": out} if self.images else {"x": out}

    def sample_grid(self, n: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, int]:
        """Images as a grid; for vectors one density picture (first two coordinates) of 2,000 samples over
        the data's extent."""
        if self.images:
            return super().sample_grid(n, generator)
        points = self.sample(2000, generator)["x"][:, :2]
        means = torch.tensor(self.info.extras.get("means", [[0.0, 0.0]]))
        extent = float(means.abs().max()) + 10 * float(self.info.extras.get("std", 0.1))
        return density_image(points, max(extent, 1.0)), 1
