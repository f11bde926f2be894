"""Random state for evaluation apart from training's: an evaluation must never change the run it observes.

``isolated_rng`` saves torch's CPU (and the given CUDA devices') generator, Python's ``random`` and NumPy's
global state, and restores them afterwards; with ``seed`` torch's CPU generator is seeded inside, so what
a metric draws (torchmetrics' KID and IS subsets come from torch's global generator) is fixed too.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator

import numpy as np
import torch


def cuda_devices(device: torch.device) -> list[torch.device]:
    """The CUDA devices whose generators an evaluation on ``device`` may draw from (none on the CPU)."""
    return [device] if device.type == "cuda" else []


@contextlib.contextmanager
def isolated_rng(device: torch.device | None = None, seed: int | None = None) -> Iterator[None]:
    """Run the block on forked torch, Python and NumPy random state; ``seed`` seeds torch's CPU generator."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        with torch.random.fork_rng(devices=[] if device is None else cuda_devices(device)):
            if seed is not None:
                torch.default_generator.manual_seed(seed)
            yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
