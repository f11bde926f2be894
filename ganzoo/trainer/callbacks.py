"""Callbacks let tools (the benchmark harness, evaluators, loggers) act during training without owning the loop.

A logger (TensorBoard, or a third party's W&B) is a callback that overrides ``on_log`` and ``on_samples``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ganzoo.trainer.loop import Trainer


class Callback:
    """Override what you need; each method gets the trainer (``step``, ``module``, ``run_dir``, ...)."""

    def on_step_end(self, trainer: Trainer) -> None:
        """After every training step (and after that step's logging, samples and checkpoint)."""

    def on_phase_end(self, trainer: Trainer, phase: str) -> None:
        """After the last step of the phase called ``phase`` (``adversarial`` for one-phase models; SeqGAN's ``mle``,
        ``discriminator`` and ``adversarial``), right after that step's ``on_step_end``."""

    def on_log(self, trainer: Trainer, record: dict[str, Any]) -> None:
        """After a row is appended to ``metrics.jsonl`` (rank 0 only): ``step``, ``phase``, losses, throughput."""

    def on_samples(self, trainer: Trainer, path: Path) -> None:
        """After a sample file is written (rank 0 only): a PNG grid, or a text file of one sample per line."""

    def on_fit_end(self, trainer: Trainer) -> None:
        """After the final checkpoint, samples and plots are written."""
