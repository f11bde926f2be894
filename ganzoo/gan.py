"""The adversarial step, written once: every image, vector and SR GAN trains through ``AdversarialGAN``.

One trainer step is ``train.d_steps`` discriminator updates, each on a fresh real batch, then one
generator update on the last fakes. D minimises the configured loss plugin's objective plus its penalty
(WGAN-GP), R1/R2 (``train.r1``/``r2``) and any extra terms; G minimises ``adversarial_weight`` times its
adversarial loss plus extra terms. A model supplies networks and overrides only what differs: how a
draw of generator inputs is made (``draw``), how inputs reach the networks (``generate``,
``discriminate``), extra loss terms (InfoGAN's mutual information, SRGAN's content loss; ACGAN's class
loss on real images through ``real_terms``, or ``real_image_terms`` when a term needs the real images) and
extra logs.

Conditions (class labels) reach both networks. During training, fakes take the real batch's
conditions, so each real/fake pair of a penalty shares its class, and the label marginal is the data's.

Every model logs the same keys: ``d_loss`` (the whole D objective), ``d_adv``, ``d_penalty``, ``g_loss``
(the whole G objective), ``g_adv``, ``d_real`` and ``d_fake`` (mean raw scores), each extra term as
``d_<name>``/``g_<name>``; D values are means over the step's D updates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from ganzoo.data import DataInfo
from ganzoo.errors import UserError, short
from ganzoo.module import GANModule
from ganzoo.trainer.context import StepContext

Scores = torch.Tensor
Draw = dict[str, torch.Tensor]


class AdversarialGAN(GANModule):
    """Base of adversarial models: ``self.generator``, ``self.discriminator``, ``self.loss`` and the step.

    Subclasses set ``z_dim`` (or override ``draw``), build the two networks and call
    ``super().__init__(config, info)`` first, which creates the loss from the ``loss`` key.
    """

    data_key = "image"  # the batch key of real samples ("x" for vectors, "hr" for super-resolution)
    condition_keys: tuple[str, ...] = ()  # batch keys passed to both networks, in this order (e.g. label)
    adversarial_weight = 1.0  # weight of G's adversarial term beside its extra terms
    z_dim = 0
    # built by each subclass (annotations only: nn.Module registers them when assigned)
    generator: nn.Module
    discriminator: nn.Module

    def __init__(self, config: Mapping[str, Any], info: DataInfo, **loss_options: Any) -> None:
        super().__init__(config, info)
        from ganzoo import create_loss

        self.loss = create_loss(config["loss"], role="adversarial", **loss_options)

    # What a model overrides -----------------------------------------------------------------------
    def draw(
        self,
        n: int,
        generator: torch.Generator | None = None,
        batch: Mapping[str, torch.Tensor] | None = None,
        **given: Any,
    ) -> Draw:
        """Inputs of ``n`` generated samples: latent ``z``, plus conditions taken from ``given``, else from
        the real ``batch`` (training), else drawn by ``draw_conditions``."""
        draw = {"z": self.latent(n, generator)}
        for key in self.condition_keys:
            if given.get(key) is not None:
                draw[key] = self.check_condition(key, given[key], n)
            elif batch is not None:
                draw[key] = batch[key]
        missing = [key for key in self.condition_keys if key not in draw]
        if missing:
            draw.update(self.draw_conditions(n, generator, missing))
        return draw

    def latent(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Standard normal latent vectors of ``z_dim`` on this module's device."""
        return torch.randn(n, self.z_dim, device=self.device, generator=generator)

    def draw_conditions(self, n: int, generator: torch.Generator | None, keys: list[str]) -> Draw:
        """Conditions of ``n`` samples drawn from their prior (a conditional model overrides this)."""
        raise NotImplementedError(f"{type(self).__name__} declares conditions {keys} but cannot draw them")

    def check_condition(self, key: str, value: Any, n: int) -> torch.Tensor:
        """A given condition as a tensor of ``n`` (a conditional model validates its range here)."""
        tensor = torch.as_tensor(value, device=self.device)
        return tensor.expand(n) if tensor.ndim == 0 else tensor

    def generate(self, draw: Draw) -> torch.Tensor:
        """G's samples for ``draw``: ``generator(z, *conditions)``."""
        return self.generator(draw["z"], *(draw[key] for key in self.condition_keys))

    def discriminate(self, x: torch.Tensor, conditions: Mapping[str, torch.Tensor]) -> Scores | tuple[Scores, Any]:
        """D's raw scores of ``x`` (and optionally side outputs, e.g. InfoGAN's Q head, for extra terms)."""
        return self.discriminator(x, *(conditions[key] for key in self.condition_keys))

    def real_batch(self, batch: Mapping[str, torch.Tensor]) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Real samples of a batch and their conditions."""
        return batch[self.data_key], {key: batch[key] for key in self.condition_keys}

    def extra_terms(self, player: str, draw: Draw, fake: torch.Tensor, side: Any) -> dict[str, torch.Tensor]:
        """Named extra loss terms of ``player`` (``discriminator`` or ``generator``) on the fakes; called
        under autocast, so return them cast to float32."""
        return {}

    def real_terms(self, conditions: Mapping[str, torch.Tensor], side: Any) -> dict[str, torch.Tensor]:
        """Named extra D loss terms on the real batch's side outputs (ACGAN's class loss on real images);
        called under autocast, so return them cast to float32."""
        return {}

    def real_image_terms(
        self, real: torch.Tensor, conditions: Mapping[str, torch.Tensor], side: Any
    ) -> dict[str, torch.Tensor]:
        """``real_terms`` for terms that also look at the real images D saw (after ``train.augment``), such
        as InfoGAN's consistency of Q under translation; by default ``real_terms``."""
        return self.real_terms(conditions, side)

    def step_logs(
        self, logs: dict[str, torch.Tensor], draw: Draw, fake: torch.Tensor, side: Any
    ) -> dict[str, torch.Tensor]:
        """Extra values to log after the step (e.g. InfoGAN's Q accuracy), from the generator update's data."""
        return {}

    def after_discriminator_update(self) -> None:
        """Called after every D update (e.g. WGAN's weight clipping)."""

    def discriminator_networks(self) -> tuple[nn.Module, ...]:
        """The networks frozen during the generator update (D and anything only D's optimizer trains)."""
        return (self.discriminator,)

    # The step -------------------------------------------------------------------------------------
    def training_step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        d_steps = ctx.policy.d_steps
        d_logs: dict[str, torch.Tensor] = {}
        for index in range(d_steps):
            batch = ctx.next_batch()
            real, real_conditions = self.real_batch(batch)
            draw = self.draw(real.shape[0], batch=batch)
            with torch.set_grad_enabled(index == d_steps - 1), ctx.autocast():
                fake = self.generate(draw)  # the last D update's fakes also train G: one G forward per step
            for key, value in self._discriminator_update(ctx, real, real_conditions, draw, fake.detach()).items():
                d_logs[key] = d_logs[key] + value / d_steps if key in d_logs else value / d_steps
        fake_conditions = {key: draw[key] for key in self.condition_keys}
        with ctx.frozen(*self.discriminator_networks()), ctx.autocast():
            scores, side = _split(self.discriminate(ctx.augment(fake), fake_conditions))
            extras = self.extra_terms("generator", draw, fake, side)
        g_adv = self.loss.generator_loss(scores)
        g_loss = self.adversarial_weight * g_adv + sum(extras.values(), torch.zeros((), device=g_adv.device))
        ctx.optimize(ctx.optimizers["generator"], g_loss)
        logs = {
            **d_logs,
            "g_loss": g_loss.detach(),
            "g_adv": g_adv.detach(),
            **{f"g_{name}": value.detach() for name, value in extras.items()},
        }
        logs.update(self.step_logs(logs, draw, fake.detach(), side))
        return logs

    def _discriminator_update(
        self,
        ctx: StepContext,
        real: torch.Tensor,
        real_conditions: Mapping[str, torch.Tensor],
        draw: Draw,
        fake: torch.Tensor,
    ) -> dict[str, torch.Tensor]:
        fake_conditions = {key: draw[key] for key in self.condition_keys}
        real_seen, fake_seen = ctx.augment(real), ctx.augment(fake)
        with ctx.autocast():
            real_scores, real_side = _split(self.discriminate(real_seen, real_conditions))
            fake_scores, side = _split(self.discriminate(fake_seen, fake_conditions))
            extras = self.extra_terms("discriminator", draw, fake, side)
            extras.update(
                {
                    f"real_{name}": value
                    for name, value in self.real_image_terms(real_seen, real_conditions, real_side).items()
                }
            )
        d_adv = self.loss.discriminator_loss(real_scores, fake_scores)
        penalty = self._penalty(ctx, real_seen, fake_seen, real_conditions)
        d_loss = d_adv + penalty + sum(extras.values(), torch.zeros((), device=d_adv.device))
        ctx.optimize(ctx.optimizers["discriminator"], d_loss)
        self.after_discriminator_update()
        return {
            "d_loss": d_loss.detach(),
            "d_adv": d_adv.detach(),
            "d_penalty": penalty.detach(),
            "d_real": real_scores.detach().float().mean(),
            "d_fake": fake_scores.detach().float().mean(),
            **{f"d_{name}": value.detach() for name, value in extras.items()},
        }

    def _penalty(
        self, ctx: StepContext, real: torch.Tensor, fake: torch.Tensor, conditions: Mapping[str, torch.Tensor]
    ) -> torch.Tensor:
        """The loss plugin's penalty plus R1/R2, on what D saw, under the real batch's conditions."""

        def critic(x: torch.Tensor) -> torch.Tensor:
            return _split(self.discriminate(x, conditions))[0]

        total = torch.zeros((), device=real.device)
        penalty = self.loss.penalty(critic, real, fake)
        if penalty is not None:
            total = total + penalty
        if ctx.policy.r1 > 0 or ctx.policy.r2 > 0:
            from ganzoo.penalties import r1_penalty, r2_penalty

            if ctx.policy.r1 > 0:
                total = total + r1_penalty(critic, real, ctx.policy.r1)
            if ctx.policy.r2 > 0:
                total = total + r2_penalty(critic, fake, ctx.policy.r2)
        return total

    def sample(self, n: int, generator: torch.Generator | None = None, **conditions: Any) -> dict[str, torch.Tensor]:
        """``n`` samples under ``data_key`` (conditions given, else drawn), with their conditions beside."""
        draw = self.draw(n, generator, **conditions)
        return {
            self.data_key if self.data_key != "hr" else "image": self.generate(draw),
            **{key: draw[key] for key in self.condition_keys},
        }


class ConditionalGAN(AdversarialGAN):
    """Base of label-conditional models: uniform labels for free samples, range-checked given ones,
    and a grid of one row per class."""

    condition_keys = ("label",)

    def __init__(self, config: Mapping[str, Any], info: DataInfo, **loss_options: Any) -> None:
        super().__init__(config, info, **loss_options)
        if info.num_classes < 2:
            raise UserError(
                f"model '{config['model']['name']}' needs class labels, but dataset '{info.name}' has "
                f"none; pick a labelled --dataset (a folder dataset is labelled by class subfolders)"
            )
        self.num_classes = info.num_classes

    def draw_conditions(self, n: int, generator: torch.Generator | None, keys: list[str]) -> dict[str, torch.Tensor]:
        return {"label": torch.randint(0, self.num_classes, (n,), device=self.device, generator=generator)}

    def check_condition(self, key: str, value: Any, n: int) -> torch.Tensor:
        if isinstance(value, int) and not 0 <= value < self.num_classes:  # before torch: 2**70 overflows it
            raise UserError(
                f"label must be in 0..{self.num_classes - 1} for dataset '{self.info.name}', got {short(value)}"
            )
        labels = super().check_condition(key, value, n).long()
        bad = labels[(labels < 0) | (labels >= self.num_classes)]
        if len(bad):
            raise UserError(
                f"label must be in 0..{self.num_classes - 1} for dataset '{self.info.name}', got {bad[0].item()}"
            )
        return labels

    def sample_grid(self, n: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, int]:
        """One row per class, ``n // classes`` samples per row (at least one)."""
        per_class = max(1, n // self.num_classes)
        labels = torch.arange(self.num_classes).repeat_interleave(per_class)
        return self.sample(len(labels), generator, label=labels)["image"], per_class


def _split(output: Scores | tuple[Scores, Any]) -> tuple[Scores, Any]:
    """(scores, side outputs) of a ``discriminate`` result."""
    return output if isinstance(output, tuple) else (output, None)
