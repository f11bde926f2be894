"""Write MNIST-format (IDX) files for tests: a big-endian magic number and shape, then the bytes."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np


def write_idx(path: Path, array: np.ndarray) -> None:
    """``array`` (3-d images or 1-d labels) as the IDX file ``path``, as MNIST ships them."""
    magic = 2051 if array.ndim == 3 else 2049
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())
