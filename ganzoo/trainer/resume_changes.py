"""What ``--resume`` may change: a setting either takes effect or is refused, never silently ignored.

Learning rates and Adam betas (``train.lr``, ``train.betas``, and any ``*_lr`` / ``*_betas`` key such as
InfoGAN's ``model.g_lr``) are written into the optimizers' param groups after their state is loaded;
lengths, logging, sampling, checkpointing, precision and device are read afresh anyway. Anything else
(network sizes, data, seed, loss, batch size) shapes the run itself and is refused, naming the key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import torch

from ganzoo.errors import UserError, short

# Keys the trainer reads afresh on every start, so a resumed run simply uses the new value.
RESUMABLE = {
    "device",
    "train.steps",
    "train.log_every",
    "train.sample_every",
    "train.checkpoint_every",
    "train.num_samples",
    "train.loggers",
    "train.on_nonfinite",
    "train.precision",
    "train.compile",
    "train.channels_last",
    "train.find_unused_parameters",
    "data.root",
    "data.download",
    # the shared training policy, applied by the trainer from the config at every start
    "train.d_steps",
    "train.lr_schedule",
    "train.lr_decay_start",
    "train.grad_clip",
    "train.ema_decay",
    "train.augment",
    "train.r1",
    "train.r2",
}
OPTIMIZER_SETTINGS = ("lr", "betas")


def _flat(node: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in node.items():
        if isinstance(value, Mapping):
            yield from _flat(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", list(value) if isinstance(value, (list, tuple)) else value


def is_optimizer_setting(key: str) -> bool:
    """A learning rate or betas key (``train.lr``, ``model.g_lr``, ``model.d_betas``...)."""
    last = key.rsplit(".", 1)[-1]
    return any(last == name or last.endswith(f"_{name}") for name in OPTIMIZER_SETTINGS)


def changed_settings(saved: Mapping[str, Any], new: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """``(key, saved value, new value)`` for every key whose value differs."""
    before, after = dict(_flat(saved)), dict(_flat(new))
    return [(key, before.get(key), value) for key, value in after.items() if before.get(key) != value]


def check_resume_changes(saved: Mapping[str, Any], new: Mapping[str, Any], run_dir: Path) -> list[str]:
    """The changed keys as ``key old -> new`` lines; a key that cannot change on resume is a ``UserError``."""
    changes = changed_settings(saved, new)
    for key, old, value in changes:
        if key not in RESUMABLE and not is_optimizer_setting(key):
            raise UserError(
                f"cannot resume {run_dir} with '{key}' changed ({short(old)} -> {short(value)}): it "
                f"fixes the networks, data or training of the run; drop that change, or start a new "
                f"run without --resume"
            )
    return [f"{key} {short(old)} -> {short(value)}" for key, old, value in changes]


def load_optimizer(optimizer: torch.optim.Optimizer, state: Mapping[str, Any], apply_settings: bool) -> None:
    """Load ``state`` into ``optimizer``; with ``apply_settings``, keep the lr and betas it was built with
    (from the resumed run's config) instead of the saved ones."""
    kept = (*OPTIMIZER_SETTINGS, "base_lr")  # base_lr: the rate a schedule scales (trainer.policy.RateSetter)
    built = [{k: group[k] for k in kept if k in group} for group in optimizer.param_groups]
    optimizer.load_state_dict(dict(state))
    if apply_settings:
        for group, settings in zip(optimizer.param_groups, built):
            group.update(settings)


def optimizer_settings_changed(saved: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether a learning rate or betas key differs between the saved and the resumed config."""
    return any(is_optimizer_setting(key) for key, _, _ in changed_settings(saved, new))
