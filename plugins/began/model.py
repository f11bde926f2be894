"""BEGAN (Berthelot et al. 2017): D is an autoencoder, L(v) = mean |v - D(v)|, and the equilibrium
control k_t balances its two goals:

    L_D = L(x) - k_t L(G(z)),   L_G = L(G(z)),   k_{t+1} = clip(k_t + lambda_k (gamma L(x) - L(G(z))), 0, 1),

with the convergence measure M_global = L(x) + |gamma L(x) - L(G(z))| logged as ``m_global``. k_t is a
buffer (kept in checkpoints) updated from the means over every DDP process (``ctx.reduce_mean``), so it
stays equal on every rank. The objective is BEGAN's own, so ``training_step`` is overridden and the spec
takes no ``loss``; the networks are ``ganzoo.nn``'s DCGAN blocks (encoder body, decoder = generator).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch
from torch import nn

from ganzoo import DataInfo, GANModule, StepContext
from ganzoo.nn import DCGANDiscriminator, DCGANGenerator


class AutoencoderDiscriminator(nn.Module):
    """image -> DCGAN encoder body -> linear to h -> DCGAN decoder -> reconstruction in [-1, 1]."""

    def __init__(self, channels: int, size: int, hidden: int, d_channels: int, g_channels: int, norm: str) -> None:
        super().__init__()
        encoder = DCGANDiscriminator(channels, size, d_channels, norm="none")
        self.encoder = encoder.body
        self.bottleneck = nn.Linear(encoder.feature_channels * encoder.feature_size**2, hidden)
        self.decoder = DCGANGenerator(hidden, channels, size, g_channels, norm=norm)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.bottleneck(self.encoder(images).flatten(1)))


def reconstruction_loss(autoencoder: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """L(v) = mean |v - D(v)|, in float32."""
    return (images.float() - autoencoder(images).float()).abs().mean()


class BEGAN(GANModule):
    """DCGAN generator, autoencoder discriminator, k_t and M_global as buffers."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        m = config["model"]
        channels, size = info.shape[0], info.shape[-1]
        self.z_dim, self.gamma, self.lambda_k = m["z_dim"], m["gamma"], m["lambda_k"]
        self.generator = DCGANGenerator(self.z_dim, channels, size, m["g_channels"], norm=m["g_norm"])
        self.discriminator = AutoencoderDiscriminator(
            channels, size, m["hidden"], m["d_channels"], m["g_channels"], m["d_norm"]
        )
        self.register_buffer("k", torch.zeros(()))

    def latent(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Uniform latent vectors in [-1, 1], as in the paper."""
        return torch.rand(n, self.z_dim, device=self.device, generator=generator) * 2 - 1

    @torch.no_grad()
    def update_k(
        self, real_loss: torch.Tensor, fake_loss: torch.Tensor, reduce_mean: Callable[[torch.Tensor], torch.Tensor]
    ) -> torch.Tensor:
        """Step k_t with the losses averaged over every process; returns M_global of those averages."""
        real_loss, fake_loss = reduce_mean(torch.stack([real_loss.detach(), fake_loss.detach()]).float())
        balance = self.gamma * real_loss - fake_loss
        self.k.copy_((self.k + self.lambda_k * balance).clamp(0, 1))
        return real_loss + balance.abs()

    def training_step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        d_steps, d_loss = ctx.policy.d_steps, torch.zeros((), device=self.device)
        for index in range(d_steps):
            real = ctx.next_batch()["image"]
            with torch.set_grad_enabled(index == d_steps - 1), ctx.autocast():
                fake = self.generator(self.latent(real.shape[0]))
            with ctx.autocast():
                real_loss = reconstruction_loss(self.discriminator, real)
                fake_loss_d = reconstruction_loss(self.discriminator, fake.detach())
            loss = real_loss - self.k * fake_loss_d
            ctx.optimize(ctx.optimizers["discriminator"], loss)
            d_loss = d_loss + loss.detach() / d_steps
        with ctx.frozen(self.discriminator), ctx.autocast():
            fake_loss = reconstruction_loss(self.discriminator, fake)
        ctx.optimize(ctx.optimizers["generator"], fake_loss)
        k_used = self.k.clone()
        m_global = self.update_k(real_loss, fake_loss, ctx.reduce_mean)
        return {
            "d_loss": d_loss,
            "g_loss": fake_loss.detach(),
            "d_real": real_loss.detach(),
            "d_fake": fake_loss_d.detach(),
            "k": k_used,
            "m_global": m_global,
        }

    def sample(self, n: int, generator: torch.Generator | None = None, **conditions: Any) -> dict[str, torch.Tensor]:
        return {"image": self.generator(self.latent(n, generator))}
