"""SRGAN in two phases: SRResNet pre-training on pixel MSE, then the shared adversarial step where the
generator minimises ``content + adversarial_weight * adversarial`` (the paper's perceptual loss).

``train.steps`` is the whole run; the first ``model.pretrain_steps`` of them are the MSE phase (a run
with ``pretrain_steps >= train.steps`` trains SRResNet alone). Batches hold ``lr`` and ``hr`` in [-1, 1].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F

from ganzoo import AdversarialGAN, DataInfo, Phase, StepContext, UserError, create_loss
from ganzoo_plugins.srgan.networks import Discriminator, SRResNet

PRETRAIN, ADVERSARIAL = "pretrain", "adversarial"


def batch_psnr(sr: torch.Tensor, hr: torch.Tensor) -> torch.Tensor:
    """PSNR (dB, RGB, no border crop) of a batch in [-1, 1]: a cheap training-time progress signal."""
    mse = F.mse_loss(sr.detach().float().clamp(-1, 1), hr.float())
    return 10 * torch.log10(4.0 / mse.clamp_min(1e-12))


class SRGAN(AdversarialGAN):
    """SRResNet generator and VGG-style discriminator (Ledig et al. 2017), sizes from ``model.*``."""

    data_key = "hr"

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        m = config["model"]
        size = int(info.shape[-1])
        if size == 0:
            raise UserError(
                f"dataset '{info.name}' holds whole images of different sizes (for evaluation); train "
                f"on --dataset sr-pairs, or set data.hr_size (e.g. 96) to train on random crops"
            )
        self.scale = int(info.extras.get("scale", 4))
        self.generator = SRResNet(self.scale, m["channels"], m["blocks"], info.shape[0], m["bicubic_residual"])
        self.discriminator = Discriminator(size, m["d_channels"], m["d_dense"], info.shape[0])
        options = {"weights": m["vgg_weights"]} if m["content_loss"] == "vgg" else {}
        # Not a child module: frozen VGG weights stay out of checkpoints and optimizers; moved on use.
        object.__setattr__(self, "content_loss", create_loss(m["content_loss"], role="content", **options))
        self.adversarial_weight = m["adversarial_weight"]
        crops, channels, lr_size = m["grid_crops"], info.shape[0], size // self.scale
        # Fixed crops for the sample grid, taken from the first batch and kept in checkpoints.
        self.register_buffer("grid_lr", torch.zeros(crops, channels, lr_size, lr_size))
        self.register_buffer("grid_hr", torch.zeros(crops, channels, size, size))
        self.register_buffer("grid_count", torch.zeros((), dtype=torch.long))

    def phases(self) -> list[Phase]:
        total = self.config["train"]["steps"]
        pretrain = min(self.config["model"]["pretrain_steps"], total)
        phases = [Phase(PRETRAIN, pretrain)] if pretrain else []
        return phases + ([Phase(ADVERSARIAL, total - pretrain)] if total > pretrain else [])

    def _remember_grid(self, lr: torch.Tensor, hr: torch.Tensor) -> None:
        if int(self.grid_count) == 0:
            n = min(len(lr), len(self.grid_lr))
            self.grid_lr[:n] = lr[:n].detach().float()
            self.grid_hr[:n] = hr[:n].detach().float()
            self.grid_count.fill_(n)

    def draw(
        self,
        n: int,
        generator: torch.Generator | None = None,
        batch: Mapping[str, torch.Tensor] | None = None,
        **given: Any,
    ) -> dict[str, torch.Tensor]:
        """The generator's input is the batch's LR crops (their HR crops ride along for the content loss)."""
        if batch is None:
            raise UserError("srgan generates from LR images; pass them, e.g. `ganzoo upscale RUN_DIR IMAGE.png`")
        self._remember_grid(batch["lr"], batch["hr"])
        return {"lr": batch["lr"], "hr": batch["hr"]}

    def generate(self, draw: dict[str, torch.Tensor]) -> torch.Tensor:
        return self.generator(draw["lr"])

    def extra_terms(
        self, player: str, draw: dict[str, torch.Tensor], fake: torch.Tensor, side: Any
    ) -> dict[str, torch.Tensor]:
        """The content loss (MSE or VGG features) against the HR crops, for the generator."""
        if player != "generator":
            return {}
        return {"content": self.content_loss.to(fake.device)(fake, draw["hr"]).float()}

    def step_logs(
        self, logs: dict[str, torch.Tensor], draw: dict[str, torch.Tensor], fake: torch.Tensor, side: Any
    ) -> dict[str, torch.Tensor]:
        return {"psnr": batch_psnr(fake, draw["hr"])}

    def training_step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        """MSE pre-training of SRResNet in the first phase, the shared adversarial step after it."""
        if ctx.phase != PRETRAIN:
            return super().training_step(ctx)
        batch = ctx.next_batch()
        lr, hr = batch["lr"], batch["hr"]
        self._remember_grid(lr, hr)
        with ctx.autocast():
            sr = self.generator(lr)
        mse = F.mse_loss(sr.float(), hr.float())
        ctx.optimize(ctx.optimizers["generator"], mse)
        return {"mse_loss": mse.detach(), "psnr": batch_psnr(sr, hr)}

    def upscale(self, lr: torch.Tensor) -> torch.Tensor:
        """Super-resolve LR images in [-1, 1] (any size) to ``scale`` times their size, clamped to [-1, 1]."""
        return self.generator(lr).clamp(-1, 1)

    def sample(self, n: int, generator: torch.Generator | None = None, **conditions: Any) -> dict[str, torch.Tensor]:
        """SR images of ``conditions["lr"]`` (N x 3 x h x w in [-1, 1]), else of the stored grid crops."""
        lr = conditions.get("lr")
        if lr is None:
            count = int(self.grid_count)
            if count == 0:
                raise UserError(
                    "this SRGAN has no stored crops yet (it was never trained); pass LR images, e.g. "
                    "`ganzoo upscale RUN_DIR IMAGE.png -o OUT.png`"
                )
            lr = self.grid_lr[torch.arange(n, device=self.grid_lr.device) % count]
        return {"image": self.upscale(lr.to(self.device)), "lr": lr}

    def sample_grid(self, n: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, int]:
        """Rows of (bicubic, SR, HR) for the stored crops: how far the model is beyond bicubic."""
        count = min(int(self.grid_count), max(1, n // 3))
        lr, hr = self.grid_lr[:count], self.grid_hr[:count]
        bicubic = F.interpolate(lr, scale_factor=self.scale, mode="bicubic", align_corners=False).clamp(-1, 1)
        sr = self.upscale(lr).to(hr.dtype)
        return torch.stack([bicubic, sr, hr], dim=1).flatten(0, 1), 3
