"""InfoGAN on the shared step: the mutual-information term on the codes is an extra term of both players.

As in the authors' code, the info term enters both players' losses: it trains the Q head and the body
it shares with the discriminator on the discriminator step, and the generator on the generator step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ganzoo import AdversarialGAN, DataInfo, UserError, create_loss
from ganzoo.nn import DCGANDiscriminator, DCGANGenerator
from ganzoo.nn.augment import random_translation
from ganzoo_plugins.infogan.networks import PaperDiscriminator, PaperGenerator, QHead

TRAVERSE_RANGE = (-2.0, 2.0)  # the paper's figures sweep continuous codes beyond their U(-1, 1) prior


class InfoGAN(AdversarialGAN):
    """Chen et al. 2016: latent = [z ~ N(0, 1) or U(-1, 1), one_hot(c_cat ~ Cat(K)), c_cont ~ U(-1, 1)]."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        m = config["model"]
        self.z_dim, self.categories, self.continuous = m["z_dim"], m["categories"], m["continuous_codes"]
        self.uniform_noise, self.noise_scale = m["noise"] == "uniform", m["noise_scale"]
        self.real_info_weight, self.consistency_weight = m["real_info_weight"], m["consistency_weight"]
        channels, size = info.shape[0], info.shape[-1]
        latent = self.z_dim + self.categories + self.continuous
        self.backbone = ("paper" if size == 28 else "dcgan") if m["backbone"] == "auto" else m["backbone"]
        if self.backbone == "paper":
            if tuple(info.shape[1:]) != (28, 28):
                raise UserError(
                    f"infogan's paper networks are for 28x28 images, got {info.shape[1]}x{info.shape[2]}; "
                    f"set model.backbone=dcgan or data.image_size=28"
                )
            self.generator = PaperGenerator(latent, channels)
            self.discriminator = PaperDiscriminator(channels)
            self.q_head = QHead.on_vector(
                PaperDiscriminator.feature_width, self.categories, self.continuous, m["learn_std"]
            )
        else:
            self.generator = DCGANGenerator(latent, channels, size, m["g_channels"])
            self.discriminator = DCGANDiscriminator(channels, size, m["d_channels"])
            self.q_head = QHead.on_map(
                self.discriminator.feature_channels,
                self.discriminator.feature_size,
                self.categories,
                self.continuous,
                m["learn_std"],
            )
        self.info_loss = create_loss(
            "info",
            role="mutual-information",
            categorical_weight=m["categorical_weight"],
            continuous_weight=m["continuous_weight"],
        )

    def parameter_groups(self) -> dict[str, tuple[str, Any]]:
        """The Q head trains with the discriminator, whose body it shares."""
        return {
            "generator": ("generator", self.generator.parameters()),
            "discriminator": ("discriminator", [*self.discriminator.parameters(), *self.q_head.parameters()]),
        }

    def discriminator_networks(self) -> tuple[nn.Module, ...]:
        return (self.discriminator, self.q_head)

    def codes(
        self, n: int, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Noise z, categorical codes (indices) and continuous codes drawn from their priors."""
        if self.uniform_noise:
            z = torch.rand(n, self.z_dim, device=self.device, generator=generator) * 2 - 1
        else:
            z = torch.randn(n, self.z_dim, device=self.device, generator=generator)
        z = z * self.noise_scale
        cat = torch.randint(0, self.categories, (n,), device=self.device, generator=generator)
        cont = torch.rand(n, self.continuous, device=self.device, generator=generator) * 2 - 1
        return z, cat, cont

    def draw(
        self,
        n: int,
        generator: torch.Generator | None = None,
        batch: Mapping[str, torch.Tensor] | None = None,
        **given: Any,
    ) -> dict[str, torch.Tensor]:
        """Noise and codes from their priors; a given categorical ``code`` (int or tensor) replaces the drawn one."""
        z, cat, cont = self.codes(n, generator)
        if given.get("code") is not None:
            cat = torch.as_tensor(given["code"], dtype=torch.long, device=self.device).expand(n)
            if cat.min() < 0 or cat.max() >= self.categories:
                raise UserError(f"categorical code must be in 0..{self.categories - 1}")
        return {"z": z, "code": cat, "continuous": cont}

    def generate(self, draw: dict[str, torch.Tensor]) -> torch.Tensor:
        """G([z, one_hot(code), continuous])."""
        z = draw["z"]
        return self.generator(
            torch.cat([z, F.one_hot(draw["code"], self.categories).to(z.dtype), draw["continuous"]], dim=1)
        )

    def discriminate(self, x: torch.Tensor, conditions: Mapping[str, torch.Tensor]) -> tuple[torch.Tensor, Any]:
        """Scores and Q's code estimates from one pass through the shared body."""
        features = self.discriminator.features(x)
        return self.discriminator.head(features).flatten(), self.q_head(features)

    def extra_terms(
        self, player: str, draw: dict[str, torch.Tensor], fake: torch.Tensor, side: Any
    ) -> dict[str, torch.Tensor]:
        """The mutual-information term, in both players' objectives (as in the authors' code)."""
        logits, mean, log_std = side
        return {"info": self.info_loss(logits, draw["code"], mean, draw["continuous"], log_std)}

    def real_image_terms(
        self, real: torch.Tensor, conditions: Mapping[str, torch.Tensor], side: Any
    ) -> dict[str, torch.Tensor]:
        """Optional terms on real images: Q's information with the code (``model.real_info_weight``) and its
        consistency under a random translation (``model.consistency_weight``); both 0 in the paper."""
        terms = {}
        if self.real_info_weight:
            terms["info"] = self.real_info_weight * self.info_loss.real_information(side[0])
        if self.consistency_weight:
            # shifts of up to 2 pixels at 28 (1/14 of a side), the border filled with the background (-1)
            view = random_translation(real + 1, ratio=1 / 14) - 1
            view_logits = self.q_head(self.discriminator.features(view))[0]
            terms["consistency"] = self.consistency_weight * self.info_loss.consistency(side[0], view_logits)
        return terms

    def step_logs(
        self, logs: dict[str, torch.Tensor], draw: dict[str, torch.Tensor], fake: torch.Tensor, side: Any
    ) -> dict[str, torch.Tensor]:
        """How often Q recovers the categorical code of the generator update's fakes."""
        return {"q_accuracy": (side[0].detach().argmax(1) == draw["code"]).float().mean()}

    def sample(
        self,
        n: int,
        generator: torch.Generator | None = None,
        code: int | torch.Tensor | None = None,
        **conditions: Any,
    ) -> dict[str, torch.Tensor]:
        """``n`` images with their categorical ``code`` (given, or drawn) and continuous codes."""
        draw = self.draw(n, generator, code=code)
        return {"image": self.generate(draw), "code": draw["code"], "continuous": draw["continuous"]}

    def sample_grid(self, n: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, int]:
        """One row per categorical value, ``n // categories`` samples per row."""
        per_row = max(1, n // self.categories)
        codes = torch.arange(self.categories, device=self.device).repeat_interleave(per_row)
        z, _, cont = self.codes(len(codes), generator)
        return self.generate({"z": z, "code": codes, "continuous": cont}), per_row

    def traversal_grid(
        self, steps: int = 10, code: int = 0, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, int]:
        """The paper's figure: rows are categorical values, columns sweep continuous code ``code`` over
        -2..2, with the noise and the other continuous codes fixed (at a random draw and 0)."""
        if not 0 <= code < self.continuous:
            raise UserError(f"continuous code {code} does not exist; this model has codes 0..{self.continuous - 1}")
        z = torch.randn(1, self.z_dim, device=self.device, generator=generator).expand(self.categories * steps, -1)
        cat = torch.arange(self.categories, device=self.device).repeat_interleave(steps)
        cont = torch.zeros(self.categories * steps, self.continuous, device=self.device)
        cont[:, code] = torch.linspace(*TRAVERSE_RANGE, steps, device=self.device).repeat(self.categories)
        return self.generate({"z": z, "code": cat, "continuous": cont}), steps
