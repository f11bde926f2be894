"""InfoGAN's update rule: a GAN step plus the mutual-information term on the codes, minimised by D/Q and G.

As in the authors' code, the info term enters both players' losses: it trains the Q head and the body
it shares with the discriminator on the discriminator step, and the generator on the generator step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ganzoo import DataInfo, GANModule, StepContext, UserError, create_loss

from ganzoo.nn import DCGANDiscriminator as Discriminator
from ganzoo.nn import DCGANGenerator as Generator
from ganzoo.nn import init_weights

TRAVERSE_RANGE = (-2.0, 2.0)  # the paper's figures sweep continuous codes beyond their U(-1, 1) prior


class QHead(nn.Module):
    """Q(c | x) on the discriminator's features: categorical logits, Gaussian means (and log-stds)."""

    def __init__(self, in_channels: int, size: int, categories: int, continuous: int, learn_std: bool) -> None:
        super().__init__()
        self.categories, self.continuous, self.learn_std = categories, continuous, learn_std
        outputs = categories + continuous * (2 if learn_std else 1)
        self.net = nn.Sequential(nn.Conv2d(in_channels, 128, size, 1, 0, bias=False), nn.BatchNorm2d(128),
                                 nn.LeakyReLU(0.2, True), nn.Conv2d(128, outputs, 1))
        init_weights(self)

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        out = self.net(features).flatten(1).float()
        logits, mean = out[:, :self.categories], out[:, self.categories:self.categories + self.continuous]
        log_std = out[:, self.categories + self.continuous:].clamp(-5, 2) if self.learn_std else None
        return logits, mean, log_std


class InfoGAN(GANModule):
    """Chen et al. 2016: latent = [z ~ N(0, 1), one_hot(c_cat ~ Cat(K)), c_cont ~ U(-1, 1)]."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        m = config["model"]
        self.z_dim, self.categories, self.continuous = int(m["z_dim"]), int(m["categories"]), int(m["continuous_codes"])
        if self.categories < 2:
            raise UserError(f"model.categories must be at least 2, got {self.categories}")
        channels, size = info.shape[0], info.shape[-1]
        self.generator = Generator(self.z_dim + self.categories + self.continuous, channels, size, int(m["g_channels"]))
        self.discriminator = Discriminator(channels, size, int(m["d_channels"]))
        self.q_head = QHead(self.discriminator.feature_channels, self.discriminator.feature_size, self.categories,
                            self.continuous, bool(m["learn_std"]))
        self.loss = create_loss(config["loss"], role="adversarial")
        self.info_loss = create_loss("info", categorical_weight=float(m["categorical_weight"]),
                                     continuous_weight=float(m["continuous_weight"]))

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        train = self.config["train"]
        betas = tuple(train["betas"])
        d_params = list(self.discriminator.parameters()) + list(self.q_head.parameters())
        return {"generator": torch.optim.Adam(self.generator.parameters(), lr=float(self.config["model"]["g_lr"]),
                                              betas=betas),
                "discriminator": torch.optim.Adam(d_params, lr=float(train["lr"]), betas=betas)}

    def codes(self, n: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Noise z, categorical codes (indices) and continuous codes drawn from their priors."""
        z = torch.randn(n, self.z_dim, device=self.device, generator=generator)
        cat = torch.randint(0, self.categories, (n,), device=self.device, generator=generator)
        cont = torch.rand(n, self.continuous, device=self.device, generator=generator) * 2 - 1
        return z, cat, cont

    def generate(self, z: torch.Tensor, cat: torch.Tensor, cont: torch.Tensor) -> torch.Tensor:
        """G([z, one_hot(cat), cont])."""
        return self.generator(torch.cat([z, F.one_hot(cat, self.categories).to(z.dtype), cont], dim=1))

    def _scores_and_q(self, images: torch.Tensor) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
        features = self.discriminator.features(images)
        return self.discriminator.head(features).flatten(), self.q_head(features)

    def training_step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        opt = ctx.optimizers
        real = ctx.next_batch()["image"]
        z, cat, cont = self.codes(real.shape[0])
        with ctx.autocast():
            fake = self.generate(z, cat, cont)
            real_scores = self.discriminator(real)
            fake_scores, q_fake = self._scores_and_q(fake.detach())
        d_info = self.info_loss(q_fake[0], cat, q_fake[1], cont, q_fake[2])
        d_adv = self.loss.discriminator_loss(real_scores, fake_scores)
        penalty = self.loss.penalty(self.discriminator, real, fake.detach())
        d_loss = d_adv + d_info + (penalty if penalty is not None else 0)
        ctx.optimize(opt["discriminator"], d_loss)
        with ctx.autocast():
            gen_scores, q_gen = self._scores_and_q(fake)
        g_info = self.info_loss(q_gen[0], cat, q_gen[1], cont, q_gen[2])
        g_adv = self.loss.generator_loss(gen_scores)
        ctx.optimize(opt["generator"], g_adv + g_info)
        with torch.no_grad():
            q_accuracy = (q_gen[0].argmax(1) == cat).float().mean()
        return {"d_loss": d_adv.detach(), "g_loss": g_adv.detach(), "info_loss": g_info.detach(),
                "q_accuracy": q_accuracy, "d_real": real_scores.detach().float().mean(),
                "d_fake": fake_scores.detach().float().mean()}

    def sample(self, n: int, generator: torch.Generator | None = None, code: int | torch.Tensor | None = None,
               **conditions: Any) -> dict[str, torch.Tensor]:
        """``n`` images with their categorical ``code`` (given, or drawn) and continuous codes."""
        z, cat, cont = self.codes(n, generator)
        if code is not None:
            cat = torch.as_tensor(code, dtype=torch.long, device=self.device).expand(n)
            if cat.min() < 0 or cat.max() >= self.categories:
                raise UserError(f"categorical code must be in 0..{self.categories - 1}")
        return {"image": self.generate(z, cat, cont), "code": cat, "continuous": cont}

    def sample_grid(self, n: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, int]:
        """One row per categorical value, ``n // categories`` samples per row."""
        per_row = max(1, n // self.categories)
        codes = torch.arange(self.categories, device=self.device).repeat_interleave(per_row)
        z, _, cont = self.codes(len(codes), generator)
        return self.generate(z, codes, cont), per_row

    def traversal_grid(self, steps: int = 10, code: int = 0,
                       generator: torch.Generator | None = None) -> tuple[torch.Tensor, int]:
        """The paper's figure: rows are categorical values, columns sweep continuous code ``code`` over
        -2..2, with the noise and the other continuous codes fixed (at a random draw and 0)."""
        if not 0 <= code < self.continuous:
            raise UserError(f"continuous code {code} does not exist; this model has codes 0..{self.continuous - 1}")
        z = torch.randn(1, self.z_dim, device=self.device, generator=generator).expand(self.categories * steps, -1)
        cat = torch.arange(self.categories, device=self.device).repeat_interleave(steps)
        cont = torch.zeros(self.categories * steps, self.continuous, device=self.device)
        cont[:, code] = torch.linspace(*TRAVERSE_RANGE, steps, device=self.device).repeat(self.categories)
        return self.generate(z, cat, cont), steps
