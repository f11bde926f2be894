"""ACGAN (Odena et al. 2017) on the shared step: G(z, y) is the DCGAN generator on [z, one_hot(y)]; D is the
DCGAN discriminator with a second, auxiliary head that predicts the class. D minimises the adversarial loss
plus the class cross-entropy on real and on fake images, G its adversarial loss plus the class cross-entropy
of its fakes under their intended labels (the paper's L_S + L_C and L_C - L_S)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ganzoo import ConditionalGAN, DataInfo
from ganzoo.nn import DCGANDiscriminator, DCGANGenerator


class AuxiliaryClassifierDiscriminator(nn.Module):
    """image -> (real/fake score (N,), class logits (N x classes)) from one shared DCGAN body."""

    def __init__(self, channels: int, size: int, base: int, norm: str, num_classes: int) -> None:
        super().__init__()
        self.net = DCGANDiscriminator(channels, size, base, norm=norm)
        self.classifier = nn.Linear(self.net.feature_channels * self.net.feature_size**2, num_classes)

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.net.features(images)
        return self.net.head(features).flatten(), self.classifier(features.flatten(1))


class ACGAN(ConditionalGAN):
    """Class-conditional generator, unconditional discriminator with an auxiliary classifier."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        m = config["model"]
        channels, size = info.shape[0], info.shape[-1]
        self.z_dim, self.class_weight = m["z_dim"], m["class_weight"]
        self.generator = DCGANGenerator(self.z_dim + self.num_classes, channels, size, m["g_channels"])
        self.discriminator = AuxiliaryClassifierDiscriminator(
            channels, size, m["d_channels"], m["d_norm"], self.num_classes
        )

    def generate(self, draw: dict[str, torch.Tensor]) -> torch.Tensor:
        z = draw["z"]
        return self.generator(torch.cat([z, F.one_hot(draw["label"], self.num_classes).to(z.dtype)], dim=1))

    def discriminate(
        self, x: torch.Tensor, conditions: Mapping[str, torch.Tensor]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """D never sees the label: it returns (scores, class logits)."""
        return self.discriminator(x)

    def class_loss(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """The weighted auxiliary cross-entropy, in float32."""
        return self.class_weight * F.cross_entropy(logits.float(), labels)

    def real_terms(self, conditions: Mapping[str, torch.Tensor], side: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"class": self.class_loss(side, conditions["label"])}

    def extra_terms(
        self, player: str, draw: dict[str, torch.Tensor], fake: torch.Tensor, side: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        return {"class": self.class_loss(side, draw["label"])}

    def step_logs(
        self, logs: dict[str, torch.Tensor], draw: dict[str, torch.Tensor], fake: torch.Tensor, side: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        """How often D's auxiliary head names the intended class of G's fakes."""
        return {"fake_class_accuracy": (side.detach().argmax(1) == draw["label"]).float().mean()}
