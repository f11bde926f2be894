"""SeqGAN (Yu et al. 2017): an LSTM generator trained as a policy with REINFORCE, its per-token rewards
estimated by Monte Carlo rollouts scored by a CNN discriminator.

Phases: ``mle`` (generator pre-training by maximum likelihood, ``model.mle_steps`` steps of one batch),
``discriminator`` (pre-training, ``model.d_pretrain_steps`` d-steps), then ``adversarial`` (the rest of
``train.steps``, which counts every phase's steps as for every model, each ``model.g_steps`` policy-gradient
updates and ``train.d_steps`` d-steps). A d-step samples
``model.d_batches`` batches of fresh negatives, draws as many real batches and trains the discriminator
``model.k_epochs`` epochs over them. The rollout policy is a delayed copy of the generator: after every
generator update it moves ``1 - model.rollout_update_rate`` of the way to the generator's weights.
MLE and policy-gradient updates use two Adam optimizers (``generator`` and ``policy``), as the authors' code does.
``model.reward_baseline`` subtracts the batch's mean reward at each position (a variance-reducing baseline
the paper does not use; off by default). ``model.mle_only`` makes all of ``train.steps`` MLE steps (the
MLE baseline at equal generator size).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F

from ganzoo import DataInfo, GANModule, Phase, StepContext, UserError, create_loss
from ganzoo.text import LSTMLanguageModel, decode, detokenize
from ganzoo_plugins.seqgan.discriminator import Discriminator
from ganzoo_plugins.seqgan.rollout import rollout_rewards


class SeqGAN(GANModule):
    """Generator, discriminator and the delayed rollout copy of the generator, with SeqGAN's phases."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        m = config["model"]
        extras = info.extras
        vocab_size, length = int(extras["vocab_size"]), int(info.shape[0])
        self.pad_id = int(extras.get("pad_id", -1))
        self.stop_ids = [i for i in (self.pad_id, int(extras.get("eos_id", -1))) if i >= 0]
        self.generator = LSTMLanguageModel(vocab_size, m["embed_dim"], m["hidden_dim"], length, int(extras["start_id"]))
        for param in self.generator.parameters():  # N(0, 0.1), as the paper's code initialises it
            torch.nn.init.normal_(param, 0.0, 0.1)
        self.discriminator = Discriminator(
            vocab_size, length, m["d_embed_dim"], m["d_filter_sizes"], m["d_num_filters"], m["d_dropout"]
        )
        self.rollout_policy = copy.deepcopy(self.generator).requires_grad_(False)
        self.register_buffer("rollout_ready", torch.zeros((), dtype=torch.bool))
        self.policy_loss = create_loss(config["loss"])
        if getattr(self.policy_loss, "role", "") != "policy":
            raise UserError(
                f"seqgan trains its generator with a policy loss, not '{config['loss']}'; "
                f"use --set loss=policy_gradient"
            )

    def phases(self) -> list[Phase]:
        """MLE, D pre-training, then adversarial steps: ``train.steps`` counts all of them, like every model."""
        m, total = self.config["model"], self.config["train"]["steps"]
        if m["mle_only"]:
            return [Phase("mle", total)]
        mle = min(m["mle_steps"], total)
        pretrain = min(m["d_pretrain_steps"], total - mle)
        phases = [Phase("mle", mle), Phase("discriminator", pretrain), Phase("adversarial", total - mle - pretrain)]
        return [p for p in phases if p.steps > 0]

    def parameter_groups(self) -> dict[str, tuple[str, Any]]:
        """MLE and policy-gradient updates get separate optimizer states (as the authors' code): PG
        gradients are far larger than MLE's, and MLE's second moments would turn them into oversized steps."""
        return {
            "generator": ("generator", self.generator.parameters()),
            "policy": ("generator", self.generator.parameters()),
            "discriminator": ("discriminator", self.discriminator.parameters()),
        }

    def training_step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        if ctx.phase == "mle":
            return self._mle_step(ctx)
        if ctx.phase == "discriminator":
            return {"d_loss": self._d_step(ctx)}
        return self._adversarial_step(ctx)

    def _update(self, ctx: StepContext, name: str, loss: torch.Tensor) -> None:
        """Backward and step (clipped to ``train.grad_clip`` by the trainer, 5 as the authors' code)."""
        ctx.optimize(ctx.optimizers[name], loss)

    def _mle_step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        tokens = ctx.next_batch()["tokens"]
        with ctx.autocast():
            loss = self.generator.nll(tokens)
        self._update(ctx, "generator", loss)
        return {"mle_loss": loss.detach()}

    def _d_step(self, ctx: StepContext) -> torch.Tensor:
        """One d-step: fresh negatives and real batches, ``k_epochs`` passes of minibatch updates."""
        m = self.config["model"]
        batches = m["d_batches"]
        real = [ctx.next_batch()["tokens"] for _ in range(batches)]
        size = real[0].shape[0]
        fake = self.generator.sample(size * batches).split(size)
        targets = torch.cat([torch.ones(size, device=self.device), torch.zeros(size, device=self.device)])
        loss = torch.zeros((), device=self.device)
        for _ in range(m["k_epochs"]):
            for i in torch.randperm(batches).tolist():
                with ctx.autocast():
                    logits = self.discriminator(torch.cat([real[i], fake[i]]))
                head = self.discriminator.head
                loss = F.binary_cross_entropy_with_logits(logits.float(), targets) + m["d_l2"] * 0.5 * (
                    head.weight.square().sum() + head.bias.square().sum()
                )
                self._update(ctx, "discriminator", loss)
        return loss.detach()

    @torch.no_grad()
    def real_probability(self, tokens: torch.Tensor, ctx: StepContext | None = None) -> torch.Tensor:
        """The discriminator's probability that ``tokens`` are real, without dropout: the reward. Only
        this scoring runs under the trainer's autocast; rollouts sample in float32."""
        was_training = self.discriminator.training
        self.discriminator.eval()
        if ctx is None:
            logits = self.discriminator(tokens)
        else:
            with ctx.autocast():
                logits = self.discriminator(tokens)
        probability = torch.sigmoid(logits.float())
        self.discriminator.train(was_training)
        return probability

    @torch.no_grad()
    def _sync_rollout(self, rate: float) -> None:
        """rollout <- rate * rollout + (1 - rate) * generator (rate 0 copies the generator)."""
        for mine, theirs in zip(self.rollout_policy.parameters(), self.generator.parameters()):
            mine.mul_(rate).add_(theirs, alpha=1 - rate)

    def _adversarial_step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        m = self.config["model"]
        if not self.rollout_ready:
            self._sync_rollout(0.0)
            self.rollout_ready.fill_(True)
        size = self.config["train"]["batch_size"]
        g_loss = reward = torch.zeros((), device=self.device)
        for _ in range(m["g_steps"]):
            fake = self.generator.sample(size)
            rewards = rollout_rewards(
                self.rollout_policy,
                lambda seqs: self.real_probability(seqs, ctx),
                fake,
                m["rollout_num"],
                chunk_rows=m["rollout_chunk"],
            )
            if m["reward_baseline"]:  # not in the paper: REINFORCE with the batch's mean reward per position
                rewards = rewards - rewards.mean(dim=0, keepdim=True)
            with ctx.autocast():
                log_probs = self.generator.log_probs(fake)
            g_loss = self.policy_loss.generator_loss(log_probs, rewards)
            self._update(ctx, "policy", g_loss)
            self._sync_rollout(m["rollout_update_rate"])
            reward = rewards.mean()
        d_loss = torch.zeros((), device=self.device)
        for _ in range(ctx.policy.d_steps):
            d_loss = self._d_step(ctx)
        return {"g_loss": g_loss.detach(), "d_loss": d_loss, "reward": reward.detach()}

    def sample(self, n: int, generator: torch.Generator | None = None, **conditions: Any) -> dict[str, torch.Tensor]:
        return {"tokens": self.generator.sample(n, generator=generator)}

    def decode(self, tokens: torch.Tensor) -> list[str]:
        """Token ids (N x L) as text, each cut at its first ``<eos>``/``<pad>``."""
        vocab = self.info.extras.get("vocab") or []
        return [detokenize(decode(row, vocab, self.stop_ids)) for row in tokens.tolist()]

    def sample_text(self, n: int, generator: torch.Generator | None = None) -> list[str]:
        return self.decode(self.sample(n, generator)["tokens"])
