"""Loggers named by ``train.loggers``: ``metrics.jsonl`` is always written (resume, plots, ``ganzoo runs`` and
the bench harness read it), ``tensorboard`` adds event files under ``RUN_DIR/tensorboard/``.

A logger is a ``Callback`` overriding ``on_log``/``on_samples``/``on_fit_end``; the trainer calls those on
rank 0 only, so a third-party logger (W&B) is written the same way and passed in ``callbacks``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ganzoo.errors import UserError
from ganzoo.trainer.callbacks import Callback

if TYPE_CHECKING:
    from ganzoo.trainer.loop import Trainer

LOGGERS = ("jsonl", "tensorboard")
TENSORBOARD = "tensorboard"  # the folder under the run directory, and the logger's name
NOT_SCALARS = {"step", "phase", "time"}


class TensorBoardLogger(Callback):
    """Scalars of every log row, sample grids as images and text samples as text, in TensorBoard event files."""

    def __init__(self, log_dir: Path, resume_step: int = 0) -> None:
        from torch.utils.tensorboard import SummaryWriter

        # purge_step hides events a killed run wrote after its last checkpoint, as metrics.jsonl is truncated
        self.writer = SummaryWriter(str(log_dir), purge_step=resume_step + 1 if resume_step else None)

    def on_log(self, trainer: Trainer, record: dict[str, Any]) -> None:
        step = int(record["step"])
        for key, value in record.items():
            if key not in NOT_SCALARS and isinstance(value, (int, float)) and not isinstance(value, bool):
                self.writer.add_scalar(f"{record.get('phase') or 'train'}/{key}", value, step)
        self.writer.flush()

    def on_samples(self, trainer: Trainer, path: Path) -> None:
        tag = "samples/final" if path.stem == "final" else "samples"
        if path.suffix == ".png":
            import numpy as np
            from PIL import Image

            with Image.open(path) as image:
                pixels = np.asarray(image.convert("RGB"))
            self.writer.add_image(tag, pixels, trainer.step, dataformats="HWC")
        else:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            self.writer.add_text(tag, "\n".join(f"    {line}" for line in lines), trainer.step)  # markdown code
        self.writer.flush()

    def on_fit_end(self, trainer: Trainer) -> None:
        self.writer.close()


def check_loggers(names: Sequence[str]) -> None:
    """Refuse an unknown logger name, or ``tensorboard`` without its package, in one line."""
    unknown = [name for name in names if name not in LOGGERS]
    if unknown:
        raise UserError(f"train.loggers: unknown logger {unknown[0]!r}; choose from {', '.join(LOGGERS)}")
    if TENSORBOARD in names:
        try:
            import tensorboard  # noqa: F401
        except ImportError:
            raise UserError('train.loggers: tensorboard is not installed; pip install "ganzoo[tensorboard]"') from None


def build_loggers(names: Sequence[str], run_dir: Path, resume_step: int, is_main: bool) -> list[Callback]:
    """The callbacks of the extra loggers ``names`` asks for (none off rank 0); checked on every rank."""
    check_loggers(names)
    if not is_main:
        return []
    return [TensorBoardLogger(run_dir / TENSORBOARD, resume_step)] if TENSORBOARD in names else []
