"""NaN and inf guard: a non-finite loss or gradient stops the run (``train.on_nonfinite=stop``, the
default) or skips that optimizer update (``skip``).

Cheap by design. In ``stop`` mode every optimizer update adds a few tiny device ops (the total gradient
norm, a finiteness flag, the first bad step) and no host sync; the trainer reads the flags once at log,
sample and checkpoint steps, so nothing computed after a bad step is ever written. ``skip`` mode must
decide on the host before each update, so it reads one flag per update. Under fp16 the grad scaler
already skips updates with non-finite gradients, so only losses are checked there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import torch
from torch import nn

from ganzoo.errors import UserError

POLICIES = ("stop", "skip")
MAX_SKIPPED_IN_A_ROW = 50  # skip mode gives up when this many consecutive steps all had a skipped update
SHOWN_SKIPS = 10  # skip warnings printed before going quiet


class NonFiniteError(UserError):
    """Training produced NaN or inf; exit code 3 tells it apart from bad input (2)."""

    exit_code = 3


class NonFiniteGuard:
    """Checks each optimizer update's losses and gradients; ``check`` raises for the first bad step."""

    def __init__(
        self,
        module: nn.Module,
        optimizers: Mapping[str, torch.optim.Optimizer],
        policy: str,
        scaled: bool = False,
        warn: Callable[[str], None] = print,
    ) -> None:
        if policy not in POLICIES:
            raise UserError(f"train.on_nonfinite must be one of {', '.join(POLICIES)}, got {policy!r}")
        self.policy = policy
        self.scaled = scaled
        self.warn = warn
        self.optimizers = dict(optimizers)
        self.names = {id(opt): name for name, opt in optimizers.items()}
        self.owner = {id(p): name for name, child in module.named_children() for p in child.parameters()}
        self.first_bad: dict[str, torch.Tensor] = {}  # optimizer -> 2*step + (1 if a loss was bad), 0 = fine
        self.loss_ok: torch.Tensor | None = None
        self.skipped = 0
        self.last_skip_step = 0
        self.skips_in_a_row = 0

    def saw_loss(self, loss: torch.Tensor) -> None:
        """Note whether a loss about to be backpropagated is finite (no sync)."""
        ok = torch.isfinite(loss.detach()).all()
        self.loss_ok = ok if self.loss_ok is None else self.loss_ok & ok

    def allow_update(self, optimizer: torch.optim.Optimizer, step: int) -> bool:
        """Whether to apply ``optimizer``'s update at ``step``; ``False`` only in skip mode."""
        loss_ok, self.loss_ok = self.loss_ok, None
        grads = (
            []
            if self.scaled
            else [p.grad for group in optimizer.param_groups for p in group["params"] if p.grad is not None]
        )
        if loss_ok is None and not grads:
            return True
        ok = loss_ok if loss_ok is not None else torch.ones((), dtype=torch.bool, device=grads[0].device)
        if grads:
            ok = ok & torch.isfinite(torch.nn.utils.get_total_norm(grads)).to(ok.device)
        name = self.names.get(id(optimizer), "optimizer")
        if self.policy == "skip":
            return bool(ok) or self._skip(name, optimizer, step)
        loss_bad = (~loss_ok).long() if loss_ok is not None else 0
        code = torch.where(ok, 0, 2 * step + loss_bad)
        previous = self.first_bad.get(name)
        self.first_bad[name] = code if previous is None else torch.where(previous > 0, previous, code)
        return True

    def _skip(self, name: str, optimizer: torch.optim.Optimizer, step: int) -> bool:
        self.skipped += 1
        if step != self.last_skip_step:
            self.skips_in_a_row = self.skips_in_a_row + 1 if step == self.last_skip_step + 1 else 1
            self.last_skip_step = step
        if self.skips_in_a_row >= MAX_SKIPPED_IN_A_ROW:
            raise NonFiniteError(
                f"step {step}: every one of the last {MAX_SKIPPED_IN_A_ROW} steps had a "
                f"non-finite update ({name} optimizer, network {self._networks(optimizer)}); "
                f"the run stopped, earlier checkpoints are kept; lower train.lr"
            )
        if self.skipped <= SHOWN_SKIPS:
            more = "; further skips are not shown" if self.skipped == SHOWN_SKIPS else ""
            self.warn(
                f"step {step}: skipped the '{name}' update (non-finite loss or gradients in network "
                f"{self._networks(optimizer)}){more}"
            )
        return False

    def check(self) -> None:
        """Raise ``NonFiniteError`` naming the first bad step and network (one host sync, stop mode)."""
        if not self.first_bad:
            return
        names = list(self.first_bad)
        codes = torch.stack([self.first_bad[n].reshape(()) for n in names]).tolist()  # the one sync
        bad = sorted((code, name) for code, name in zip(codes, names) if code > 0)
        if not bad:
            return
        code, name = bad[0]
        step, what = code // 2, "loss" if code % 2 else "gradients"
        networks = self._networks(self.optimizers[name]) if name in self.optimizers else "?"
        raise NonFiniteError(
            f"step {step}: non-finite {what} in the '{name}' update (network {networks}); "
            f"the run stopped and its earlier checkpoints are kept; lower train.lr, or "
            f"--set train.on_nonfinite=skip to skip such updates"
        )

    def _networks(self, optimizer: torch.optim.Optimizer) -> str:
        found = {self.owner.get(id(p), "?") for group in optimizer.param_groups for p in group["params"]}
        return ", ".join(sorted(found))
