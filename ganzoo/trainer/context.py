"""The view of the trainer a GAN module gets during one step: batches, autocast, backward, optimizer steps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch

from ganzoo.trainer.nonfinite import NonFiniteGuard
from ganzoo.trainer.precision import autocast


class StepContext:
    """Passed to ``GANModule.training_step``; hides device, precision and gradient scaling.

    ``optimizers`` are the module's own, by the names ``configure_optimizers`` gave them.
    """

    def __init__(self, next_batch: Callable[[], dict[str, torch.Tensor]], device: torch.device,
                 precision: str, scaler: torch.amp.GradScaler | None,
                 optimizers: dict[str, torch.optim.Optimizer]) -> None:
        self._next_batch = next_batch
        self.optimizers = optimizers
        self.device = device
        self.precision = precision
        self.scaler = scaler
        self.step = 0
        self.phase = ""
        self.guard: NonFiniteGuard | None = None  # set by the trainer: NaN/inf checks before each update

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
        """Apply an optimizer step (unscaling and skipping non-finite steps under fp16)."""
        if self.guard is not None and not self.guard.allow_update(optimizer, self.step):
            optimizer.zero_grad(set_to_none=True)
            return
        if self.scaler is not None:
            self.scaler.step(optimizer)
        else:
            optimizer.step()

    def optimize(self, optimizer: torch.optim.Optimizer, loss: torch.Tensor) -> None:
        """Zero the gradients of ``optimizer``'s parameters, backpropagate ``loss`` and step."""
        optimizer.zero_grad(set_to_none=True)
        self.backward(loss)
        self.step_optimizer(optimizer)
