"""The shared trainer: everything that is the same for every GAN."""

from ganzoo.trainer.callbacks import Callback
from ganzoo.trainer.context import StepContext
from ganzoo.trainer.loop import FitResult, Trainer

__all__ = ["Callback", "FitResult", "StepContext", "Trainer"]
