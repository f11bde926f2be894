"""CycleGAN (Zhu et al. 2017): G: A -> B and F: B -> A trained against D_B and D_A (the ``loss`` plugin,
least squares by default as in the paper), with the cycle loss lambda (|F(G(a)) - a|_1 + |G(F(b)) - b|_1)
and the identity loss identity_weight * lambda (|G(b) - b|_1 + |F(a) - a|_1). D sees fakes through a pool
of 50 past ones. One trainer step is one G update, then ``train.d_steps`` D updates (the first on this
step's fakes, the others on fresh batches). The objective spans four networks, so ``training_step`` is
its own; the networks are ``generator`` (both translators) and ``discriminator`` (both critics), so the
trainer's policy (EMA of the generators, freezing, DDP wrapping) applies unchanged.

A trained model translates: ``translate(images, "a2b")``, or ``sample(n, a=IMAGES)`` / ``sample(n, b=IMAGES)``.
Without images, ``sample`` translates the real A images it kept from its first batch (a preview buffer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F

from ganzoo import DataInfo, GANModule, StepContext, UserError, create_loss
from ganzoo_plugins.cyclegan.networks import DIRECTIONS, DOMAINS, Critics, ImagePool, Translators

PREVIEW = 8  # real images per domain kept for grids and unconditioned samples


class CycleGAN(GANModule):
    """Two translators, two PatchGAN critics, two image pools and a preview of real images (buffers)."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        m = config["model"]
        channels = info.shape[0]
        self.loss = create_loss(config["loss"], role="adversarial")
        self.cycle_weight, self.identity_weight = m["cycle_weight"], m["identity_weight"]
        self.generator = Translators(channels, m["g_channels"], m["g_blocks"])
        self.discriminator = Critics(channels, m["d_channels"], m["d_layers"])
        self.pool_a, self.pool_b = ImagePool(m["pool_size"], info.shape), ImagePool(m["pool_size"], info.shape)
        self.register_buffer("preview_a", torch.zeros(PREVIEW, *info.shape))
        self.register_buffer("preview_b", torch.zeros(PREVIEW, *info.shape))
        self.register_buffer("preview_ready", torch.zeros((), dtype=torch.bool))

    def cycle_losses(self, real_a: torch.Tensor, real_b: torch.Tensor) -> dict[str, torch.Tensor]:
        """The fakes G(a), F(b) and the weighted cycle and identity L1 losses (float32)."""
        fake_b, fake_a = self.generator(real_a, "a2b"), self.generator(real_b, "b2a")
        cycle = F.l1_loss(self.generator(fake_b, "b2a").float(), real_a.float()) + F.l1_loss(
            self.generator(fake_a, "a2b").float(), real_b.float()
        )
        out = {"fake_a": fake_a, "fake_b": fake_b, "cycle": self.cycle_weight * cycle}
        if self.identity_weight > 0:
            identity = F.l1_loss(self.generator(real_b, "a2b").float(), real_b.float()) + F.l1_loss(
                self.generator(real_a, "b2a").float(), real_a.float()
            )
            out["identity"] = self.identity_weight * self.cycle_weight * identity
        return out

    def training_step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        batch = ctx.next_batch()
        real_a, real_b = batch["a"], batch["b"]
        self._keep_preview(real_a, real_b)
        with ctx.autocast():
            out = self.cycle_losses(real_a, real_b)
        with ctx.frozen(self.discriminator), ctx.autocast():
            score_a = self.discriminator(ctx.augment(out["fake_a"]), "a")
            score_b = self.discriminator(ctx.augment(out["fake_b"]), "b")
        g_adv = self.loss.generator_loss(score_a) + self.loss.generator_loss(score_b)
        g_extra = out["cycle"] + out.get("identity", torch.zeros((), device=g_adv.device))
        ctx.optimize(ctx.optimizers["generator"], g_adv + g_extra)
        logs = {"g_loss": (g_adv + g_extra).detach(), "g_adv": g_adv.detach(), "g_cycle": out["cycle"].detach()}
        if "identity" in out:
            logs["g_identity"] = out["identity"].detach()
        fakes = {"a": out["fake_a"].detach(), "b": out["fake_b"].detach()}
        d_steps = ctx.policy.d_steps
        for index in range(d_steps):
            if index:
                batch = ctx.next_batch()
                with torch.no_grad(), ctx.autocast():
                    fakes = {"a": self.generator(batch["b"], "b2a"), "b": self.generator(batch["a"], "a2b")}
            for key, value in self._discriminator_update(ctx, batch, fakes).items():
                logs[key] = logs.get(key, 0) + value / d_steps
        return logs

    def _discriminator_update(
        self, ctx: StepContext, batch: Mapping[str, torch.Tensor], fakes: Mapping[str, torch.Tensor]
    ) -> dict[str, torch.Tensor]:
        """One update of both critics on real images and pooled fakes of their domain."""
        shown = {"a": self.pool_a.query(fakes["a"]), "b": self.pool_b.query(fakes["b"])}
        d_adv = penalty = torch.zeros((), device=self.device)
        real_mean = fake_mean = torch.zeros((), device=self.device)
        for domain in DOMAINS:
            real, fake = ctx.augment(batch[domain]), ctx.augment(shown[domain])
            with ctx.autocast():
                real_scores, fake_scores = self.discriminator(real, domain), self.discriminator(fake, domain)
            d_adv = d_adv + self.loss.discriminator_loss(real_scores, fake_scores)
            extra = self.loss.penalty(lambda x, domain=domain: self.discriminator(x, domain), real, fake)
            penalty = penalty + (extra if extra is not None else 0)
            real_mean = real_mean + real_scores.detach().float().mean() / 2
            fake_mean = fake_mean + fake_scores.detach().float().mean() / 2
        ctx.optimize(ctx.optimizers["discriminator"], d_adv + penalty)
        return {
            "d_loss": (d_adv + penalty).detach(),
            "d_adv": d_adv.detach(),
            "d_penalty": penalty.detach(),
            "d_real": real_mean,
            "d_fake": fake_mean,
        }

    @torch.no_grad()
    def _keep_preview(self, real_a: torch.Tensor, real_b: torch.Tensor) -> None:
        """Keep the first batch's real images (cycled to ``PREVIEW``) for grids and unconditioned samples."""
        if not self.preview_ready:
            index = torch.arange(PREVIEW, device=real_a.device) % len(real_a)
            self.preview_a.copy_(real_a[index])
            self.preview_b.copy_(real_b[index % len(real_b)])
            self.preview_ready.fill_(True)

    def translate(self, images: torch.Tensor, direction: str = "a2b") -> torch.Tensor:
        """Map images (N x C x H x W, or one C x H x W, in [-1, 1]) from A to B (``a2b``) or B to A (``b2a``)."""
        if direction not in DIRECTIONS:
            raise UserError(f"direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
        images = torch.as_tensor(images, device=self.device).float()
        images = images.unsqueeze(0) if images.ndim == 3 else images
        if tuple(images.shape[1:]) != tuple(self.info.shape):
            raise UserError(
                f"cyclegan translates {'x'.join(map(str, self.info.shape))} images (C x H x W), "
                f"got {'x'.join(map(str, images.shape[1:]))}"
            )
        return self.generator(images, direction)

    def sample(
        self,
        n: int,
        generator: torch.Generator | None = None,
        a: torch.Tensor | None = None,
        b: torch.Tensor | None = None,
    ) -> dict[str, torch.Tensor]:
        """Translations of ``a`` (A -> B) or ``b`` (B -> A) under ``image``, the sources beside; with neither,
        of ``n`` preview A images."""
        if a is not None and b is not None:
            raise UserError("cyclegan translates one domain at a time: give a=IMAGES or b=IMAGES, not both")
        if a is None and b is None:
            if not self.preview_ready:
                raise UserError(
                    "cyclegan samples by translating images: give a=IMAGES or b=IMAGES (it keeps "
                    "preview images only once it has trained)"
                )
            a = self.preview_a[torch.arange(n, device=self.device) % PREVIEW]
        key, source = ("a", a) if a is not None else ("b", b)
        source = torch.as_tensor(source, device=self.device).float()
        translated = self.translate(source, "a2b" if key == "a" else "b2a")
        if len(translated) != n:
            raise UserError(f"sample(n={n}) was given {len(translated)} images; n must be their count")
        return {"image": translated, key: source.reshape(translated.shape)}

    def sample_grid(self, n: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, int]:
        """Rows of real a, G(a), real b, F(b) for the preview images (``n // 4`` rows, at least one)."""
        rows = min(PREVIEW, max(1, n // 4))
        a, b = self.preview_a[:rows], self.preview_b[:rows]
        columns = [a, self.translate(a, "a2b"), b, self.translate(b, "b2a")]
        return torch.stack(columns, dim=1).flatten(0, 1), 4
