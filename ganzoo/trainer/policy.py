"""The training policy every model shares: optimizers, G/D learning rates, schedules, clipping, EMA.

It lives in the trainer, not in models, so that ``train.d_lr``, ``train.lr_schedule`` or ``train.ema``
mean the same for every GAN, a third party's included. A model names its parameter groups and their
role (generator or discriminator); the trainer builds their optimizers and sets their rates each step.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import torch
from torch import nn

GENERATOR, DISCRIMINATOR = "generator", "discriminator"
ROLES = (GENERATOR, DISCRIMINATOR)
ROLE_KEY = "role"  # stored in each optimizer param group (and so in checkpoints)


@dataclass(frozen=True)
class StepPolicy:
    """What one adversarial step needs from ``train.*``: handed to modules through the step context."""

    d_steps: int = 1
    grad_clip: float = 0.0
    augment: str = ""
    r1: float = 0.0
    r2: float = 0.0

    @classmethod
    def from_config(cls, train: Mapping[str, Any]) -> StepPolicy:
        """The policy of a run's ``train`` section (missing keys keep their defaults, for old configs)."""
        return cls(
            int(train.get("d_steps", 1)),
            float(train.get("grad_clip", 0.0)),
            str(train.get("augment", "")),
            float(train.get("r1", 0.0)),
            float(train.get("r2", 0.0)),
        )


def role_lr(train: Mapping[str, Any], role: str) -> float:
    """``train.g_lr`` / ``train.d_lr`` for the role, falling back to ``train.lr``."""
    specific = train.get("g_lr" if role == GENERATOR else "d_lr")
    return float(train["lr"] if specific is None else specific)


def build_optimizer(parameters: Iterable[nn.Parameter], role: str, train: Mapping[str, Any]) -> torch.optim.Optimizer:
    """The configured optimizer (``train.optimizer``) over ``parameters`` at the role's learning rate."""
    if role not in ROLES:
        raise ValueError(f"parameter group role must be one of {ROLES}, got {role!r}")
    name = train.get("optimizer", "adam")
    params = list(parameters)
    group: dict[str, Any] = {"params": params, ROLE_KEY: role}
    lr, decay, momentum = role_lr(train, role), float(train.get("weight_decay", 0.0)), float(train.get("momentum", 0.0))
    if name == "adam":
        betas = cast(tuple[float, float], tuple(float(b) for b in train["betas"]))  # train.betas has length 2
        return torch.optim.Adam(
            [group], lr=lr, betas=betas, weight_decay=decay, **_multi_tensor(params, fused_kernel=True)
        )
    if name == "rmsprop":
        return torch.optim.RMSprop(
            [group], lr=lr, momentum=momentum, weight_decay=decay, **_multi_tensor(params, fused_kernel=False)
        )
    return torch.optim.SGD(
        [group], lr=lr, momentum=momentum, weight_decay=decay, **_multi_tensor(params, fused_kernel=True)
    )


def _multi_tensor(parameters: list[nn.Parameter], fused_kernel: bool) -> dict[str, bool]:
    """One kernel over all parameters (``fused``) where torch has one for the optimizer and the parameters'
    device, else ``foreach``: on a 2-core CPU, Adam's per-tensor loop cost 21 ms a step against 0.5 ms
    fused (benchmarks/utilisation.py). Same update rule; rounding may differ in the last bit."""
    floating = bool(parameters) and all(p.is_floating_point() for p in parameters)
    devices = {p.device.type for p in parameters}
    if fused_kernel and floating and len(devices) == 1 and devices <= {"cpu", "cuda"}:
        return {"fused": True}
    return {"foreach": True} if floating else {}


def lr_factor(train: Mapping[str, Any], step: int, total: int) -> float:
    """The schedule's multiplier at 1-based ``step`` of ``total``: 1 (constant), or held until
    ``lr_decay_start`` of the steps and then linear to zero at the last step."""
    if train.get("lr_schedule", "constant") != "linear":
        return 1.0
    start = float(train.get("lr_decay_start", 0.0)) * total
    return min(1.0, max(0.0, 1 - (step - 1 - start) / max(total - start, 1e-9)))


class RateSetter:
    """Sets every optimizer's learning rate (and betas) from the config before each step.

    Groups built by ``build_optimizer`` carry a role and take ``train.g_lr``/``d_lr``/``lr`` from the
    config, so a resumed run with a new rate applies it. Groups of API-1 optimizers (no role) keep the
    rate they were built with, multiplied by the schedule.
    """

    def __init__(self, optimizers: Mapping[str, torch.optim.Optimizer], train: Mapping[str, Any], total: int) -> None:
        self.optimizers, self.train, self.total = optimizers, train, total
        self.constant = train.get("lr_schedule", "constant") == "constant"
        for optimizer in optimizers.values():
            for group in optimizer.param_groups:
                group.setdefault("base_lr", group["lr"])

    def apply(self, step: int) -> None:
        """Write the rates for 1-based ``step`` into the param groups."""
        factor = lr_factor(self.train, step, self.total)
        for optimizer in self.optimizers.values():
            for group in optimizer.param_groups:
                role = group.get(ROLE_KEY)
                base = role_lr(self.train, role) if role in ROLES else group["base_lr"]
                group["lr"] = base * factor
                if role in ROLES and "betas" in group and "betas" in self.train:
                    group["betas"] = tuple(float(b) for b in self.train["betas"])

    def needs_every_step(self) -> bool:
        """Constant rates are written once; schedules every step."""
        return not self.constant


class GeneratorEMA:
    """An exponential moving average of a generator's weights (buffers copied), with warm-up.

    Until ``start`` steps it copies the generator; after it, decay is ``min(decay, (1 + n) / (10 + n))``
    for the n-th averaged step (TensorFlow's ``num_updates`` warm-up), so early averages do not drag in
    the random initial weights.
    """

    def __init__(self, network: nn.Module, decay: float, start: int = 0) -> None:
        self.average = copy.deepcopy(network).requires_grad_(False)
        self.decay, self.start = decay, start

    @torch.no_grad()
    def update(self, network: nn.Module, step: int) -> None:
        """Move the average towards ``network`` after trainer step ``step``."""
        averaged = step - self.start
        decay = 0.0 if averaged <= 0 else min(self.decay, (1 + averaged) / (10 + averaged))
        mine: list[torch.Tensor] = [p for p in self.average.parameters()]
        theirs = [p.detach() for p in network.parameters()]
        if decay == 0.0:
            torch._foreach_copy_(mine, theirs)
        else:
            torch._foreach_lerp_(mine, theirs, 1 - decay)
        for own, other in zip(self.average.buffers(), network.buffers()):
            own.copy_(other)

    def state_dict(self) -> dict[str, Any]:
        """The averaged weights (a generator state dict)."""
        return self.average.state_dict()

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore the averaged weights."""
        self.average.load_state_dict(state)

    @contextmanager
    def swapped_in(self, module: nn.Module, attribute: str = "generator") -> Iterator[None]:
        """Inside, ``module.<attribute>`` is the average (for sampling, grids and evaluation)."""
        live = getattr(module, attribute)
        self.average.train(live.training)
        setattr(module, attribute, self.average)
        try:
            yield
        finally:
            setattr(module, attribute, live)
