"""The view of the trainer a GAN module gets during one step: batches, autocast, backward, optimizer steps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from ganzoo.trainer.nonfinite import NonFiniteGuard
from ganzoo.trainer.policy import StepPolicy
from ganzoo.trainer.precision import autocast


class StepContext:
    """Passed to ``GANModule.training_step``; hides device, precision, gradient scaling and DDP.

    ``optimizers`` are the module's own, by the names its parameter groups (or ``configure_optimizers``)
    gave them; ``policy`` is the shared training policy (D steps, clipping, augmentation, R1/R2).
    """

    def __init__(
        self,
        next_batch: Callable[[], dict[str, torch.Tensor]],
        device: torch.device,
        precision: str,
        scaler: torch.amp.GradScaler | None,
        optimizers: dict[str, torch.optim.Optimizer],
        policy: StepPolicy | None = None,
        reduce_mean: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ) -> None:
        self._next_batch = next_batch
        self.optimizers = optimizers
        self.device = device
        self.precision = precision
        self.scaler = scaler
        self.policy = policy or StepPolicy()
        self._reduce_mean = reduce_mean
        self._augment: Callable[[torch.Tensor], torch.Tensor] | None = None
        self.step = 0
        self.phase = ""
        self.guard: NonFiniteGuard | None = None  # set by the trainer: NaN/inf checks before each update
        if self.policy.augment:
            from ganzoo.nn.augment import DiffAugment

            self._augment = DiffAugment(self.policy.augment)

    def next_batch(self) -> dict[str, torch.Tensor]:
        """A fresh batch of real data on the training device (call it again for each critic step)."""
        return self._next_batch()

    @contextmanager
    def autocast(self) -> Iterator[None]:
        """Run network forwards inside this; compute losses in float32 outside it (or cast to float)."""
        with autocast(self.device, self.precision):
            yield

    def backward(self, loss: torch.Tensor) -> None:
        """Backpropagate ``loss``, scaled when fp16 needs it."""
        if self.guard is not None:
            self.guard.saw_loss(loss)
        (self.scaler.scale(loss) if self.scaler is not None else loss).backward()

    def step_optimizer(self, optimizer: torch.optim.Optimizer) -> None:
        """Apply an optimizer step (clipped to ``train.grad_clip``; unscaling and skipping non-finite steps
        under fp16)."""
        if self.guard is not None and not self.guard.allow_update(optimizer, self.step):
            optimizer.zero_grad(set_to_none=True)
            return
        if self.policy.grad_clip > 0:
            self.clip_gradients(optimizer, self.policy.grad_clip)
        if self.scaler is not None:
            self.scaler.step(optimizer)
        else:
            optimizer.step()

    def optimize(self, optimizer: torch.optim.Optimizer, loss: torch.Tensor) -> None:
        """Zero the gradients of ``optimizer``'s parameters, backpropagate ``loss`` and step."""
        optimizer.zero_grad(set_to_none=True)
        self.backward(loss)
        self.step_optimizer(optimizer)

    def clip_gradients(self, optimizer: torch.optim.Optimizer, max_norm: float) -> torch.Tensor:
        """Clip the gradient norm of ``optimizer``'s parameters to ``max_norm`` (unscaled first under fp16);
        returns the norm before clipping."""
        if self.scaler is not None:
            self.scaler.unscale_(optimizer)
        parameters = [p for group in optimizer.param_groups for p in group["params"] if p.grad is not None]
        return torch.nn.utils.clip_grad_norm_(parameters, max_norm)

    @contextmanager
    def frozen(self, *networks: nn.Module) -> Iterator[None]:
        """Inside, ``networks`` compute no parameter gradients (e.g. D during the generator's update);
        a DDP replica also skips its gradient synchronisation there."""
        with ExitStack() as stack:
            for network in networks:
                if isinstance(network, DistributedDataParallel):
                    stack.enter_context(network.no_sync())
                states = [(p, p.requires_grad) for p in network.parameters()]
                network.requires_grad_(False)
                stack.callback(_restore_requires_grad, states)
            yield

    def augment(self, images: torch.Tensor) -> torch.Tensor:
        """``train.augment``'s differentiable augmentation of what D sees (identity when off)."""
        return images if self._augment is None else self._augment(images)

    def reduce_mean(self, value: torch.Tensor) -> torch.Tensor:
        """The mean of ``value`` over every DDP process (itself on one process): keeps model-held state
        such as BEGAN's k_t equal on every rank."""
        return value if self._reduce_mean is None else self._reduce_mean(value)


def _restore_requires_grad(states: list[tuple[nn.Parameter, bool]]) -> None:
    """Give each parameter back the ``requires_grad`` it had (``StepContext.frozen``'s exit)."""
    for parameter, flag in states:
        parameter.requires_grad_(flag)
