"""WGAN-GP's update rule, the paper's Algorithm 1: ``n_critic`` critic steps, each on a fresh real batch,
then one generator step. The critic avoids batch norm (it would break the per-sample gradient penalty)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ganzoo import DataInfo, GANModule, StepContext, UserError, create_loss

from ganzoo.nn import DCGANDiscriminator as Discriminator
from ganzoo.nn import DCGANGenerator as Generator

CRITIC_NORMS = ("layer", "none")


class WGANGP(GANModule):
    """Generator as in DCGAN; critic with layer norm (or none) and a linear output; ``loss`` adds the penalty."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        m = config["model"]
        if m["critic_norm"] not in CRITIC_NORMS:
            raise UserError(f"model.critic_norm must be one of {', '.join(CRITIC_NORMS)} (batch norm breaks the "
                            f"gradient penalty), got {m['critic_norm']!r}")
        if int(m["n_critic"]) < 1:
            raise UserError(f"model.n_critic must be at least 1, got {m['n_critic']}")
        channels, size = info.shape[0], info.shape[-1]
        self.z_dim, self.n_critic = int(m["z_dim"]), int(m["n_critic"])
        self.generator = Generator(self.z_dim, channels, size, int(m["g_channels"]))
        self.critic = Discriminator(channels, size, int(m["d_channels"]), norm=m["critic_norm"])
        options = {"gp_weight": float(m["gp_weight"])} if config["loss"] == "wasserstein_gp" else {}
        self.loss = create_loss(config["loss"], role="adversarial", **options)

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"generator": self.adam(self.generator.parameters()),
                "critic": self.adam(self.critic.parameters())}

    def noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Standard normal latent vectors on this module's device."""
        return torch.randn(n, self.z_dim, device=self.device, generator=generator)

    def training_step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        opt = ctx.optimizers
        estimates, penalties = [], []
        for _ in range(self.n_critic):
            real = ctx.next_batch()["image"]
            with torch.no_grad(), ctx.autocast():
                fake = self.generator(self.noise(real.shape[0]))
            with ctx.autocast():
                real_scores, fake_scores = self.critic(real), self.critic(fake)
            critic_loss = self.loss.discriminator_loss(real_scores, fake_scores)
            penalty = self.loss.penalty(self.critic, real, fake)
            total = critic_loss + penalty if penalty is not None else critic_loss
            ctx.optimize(opt["critic"], total)
            estimates.append((real_scores.detach().float().mean() - fake_scores.detach().float().mean()))
            penalties.append(penalty.detach() if penalty is not None else torch.zeros((), device=real.device))
        self.critic.requires_grad_(False)
        with ctx.autocast():
            g_scores = self.critic(self.generator(self.noise(real.shape[0])))
        g_loss = self.loss.generator_loss(g_scores)
        ctx.optimize(opt["generator"], g_loss)
        self.critic.requires_grad_(True)
        return {"wasserstein": torch.stack(estimates).mean(), "gradient_penalty": torch.stack(penalties).mean(),
                "d_loss": total.detach(), "g_loss": g_loss.detach()}

    def sample(self, n: int, generator: torch.Generator | None = None, **conditions: Any) -> dict[str, torch.Tensor]:
        return {"image": self.generator(self.noise(n, generator))}
