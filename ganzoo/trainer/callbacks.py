"""Callbacks let tools (the benchmark harness, evaluators) act during training without owning the loop."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ganzoo.trainer.loop import Trainer


class Callback:
    """Override what you need; each method gets the trainer (``step``, ``module``, ``run_dir``, ...)."""

    def on_step_end(self, trainer: Trainer) -> None:
        """After every training step (and after that step's logging, samples and checkpoint)."""

    def on_fit_end(self, trainer: Trainer) -> None:
        """After the final checkpoint, samples and plots are written."""
