"""CGAN's update rule: the DCGAN alternation with real labels for real images and drawn labels for fakes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ganzoo import DataInfo, GANModule, StepContext, UserError, create_loss

from ganzoo_plugins.cgan.networks import (
    ConvConditionalDiscriminator,
    ConvConditionalGenerator,
    MLPConditionalDiscriminator,
    MLPConditionalGenerator,
)

BACKBONES = ("conv", "mlp")


class CGAN(GANModule):
    """Mirza & Osindero 2014: G(z | y) and D(x | y); ``model.backbone`` picks conv (DCGAN) or the paper's MLP."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        m = config["model"]
        if m["backbone"] not in BACKBONES:
            raise UserError(f"model.backbone must be one of {', '.join(BACKBONES)}, got {m['backbone']!r}")
        if info.num_classes < 2:
            raise UserError(f"cgan needs class labels, but dataset '{info.name}' has none; pick a labelled --dataset")
        self.z_dim, self.num_classes = int(m["z_dim"]), info.num_classes
        channels, size = info.shape[0], info.shape[-1]
        if m["backbone"] == "conv":
            self.generator = ConvConditionalGenerator(self.z_dim, self.num_classes, channels, size, int(m["g_channels"]))
            self.discriminator = ConvConditionalDiscriminator(self.num_classes, channels, size, int(m["d_channels"]))
        else:
            self.generator = MLPConditionalGenerator(self.z_dim, self.num_classes, info.shape)
            self.discriminator = MLPConditionalDiscriminator(self.num_classes, info.shape)
        self.loss = create_loss(config["loss"], role="adversarial")

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"generator": self.adam(self.generator.parameters()),
                "discriminator": self.adam(self.discriminator.parameters())}

    def noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Standard normal latent vectors on this module's device."""
        return torch.randn(n, self.z_dim, device=self.device, generator=generator)

    def training_step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        opt = ctx.optimizers
        batch = ctx.next_batch()
        real, labels = batch["image"], batch["label"]
        n = real.shape[0]
        fake_labels = torch.randint(0, self.num_classes, (n,), device=real.device)
        with ctx.autocast():
            fake = self.generator(self.noise(n), fake_labels)
            real_scores = self.discriminator(real, labels)
            fake_scores = self.discriminator(fake.detach(), fake_labels)
        d_loss = self.loss.discriminator_loss(real_scores, fake_scores)
        penalty = self.loss.penalty(lambda x: self.discriminator(x, labels), real, fake.detach())
        if penalty is not None:
            d_loss = d_loss + penalty
        ctx.optimize(opt["discriminator"], d_loss)
        with ctx.autocast():
            gen_scores = self.discriminator(fake, fake_labels)
        g_loss = self.loss.generator_loss(gen_scores)
        ctx.optimize(opt["generator"], g_loss)
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach(),
                "d_real": real_scores.detach().float().mean(), "d_fake": fake_scores.detach().float().mean()}

    def labels(self, n: int, label: int | torch.Tensor | None, generator: torch.Generator | None) -> torch.Tensor:
        """``n`` labels: ``label`` itself (an int for all, or a tensor of n), else uniform random classes."""
        if label is None:
            return torch.randint(0, self.num_classes, (n,), device=self.device, generator=generator)
        labels = torch.as_tensor(label, dtype=torch.long, device=self.device)
        labels = labels.expand(n) if labels.ndim == 0 else labels
        bad = labels[(labels < 0) | (labels >= self.num_classes)]
        if len(bad):
            raise UserError(f"label must be in 0..{self.num_classes - 1} for dataset '{self.info.name}', "
                            f"got {bad[0].item()}")
        return labels

    def sample(self, n: int, generator: torch.Generator | None = None, label: int | torch.Tensor | None = None,
               **conditions: Any) -> dict[str, torch.Tensor]:
        """``n`` images of class ``label`` (or of random classes), with their labels."""
        labels = self.labels(n, label, generator)
        return {"image": self.generator(self.noise(len(labels), generator), labels), "label": labels}

    def sample_grid(self, n: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, int]:
        """One row per class, ``n // classes`` samples per row (at least one)."""
        per_class = max(1, n // self.num_classes)
        labels = torch.arange(self.num_classes).repeat_interleave(per_class)
        return self.sample(len(labels), generator, label=labels)["image"], per_class
