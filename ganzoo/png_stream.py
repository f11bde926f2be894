"""A PNG written row band by row band, so an image far larger than memory can be produced.

Pillow encodes a PNG from a whole image in memory; this writes the same format (8-bit RGB, filter 0,
one zlib stream split over IDAT chunks) from successive bands of rows, to a temp file renamed into place
when complete.
"""

from __future__ import annotations

import os
import struct
import tempfile
import zlib
from pathlib import Path
from types import TracebackType

import numpy as np


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


class PNGStream:
    """``with PNGStream(path, width, height) as png: png.write(rows)`` for H x W x 3 uint8 bands, top to bottom."""

    def __init__(self, path: Path, width: int, height: int, level: int = 6) -> None:
        self.path, self.width, self.height, self.rows = path, width, height, 0
        self._compress = zlib.compressobj(level)
        fd, self._tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self._file = os.fdopen(fd, "wb")
        header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
        self._file.write(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header))

    def write(self, band: np.ndarray) -> None:
        """Append rows (N x width x 3 uint8)."""
        if band.dtype != np.uint8 or band.shape[1:] != (self.width, 3):
            raise ValueError(f"expected N x {self.width} x 3 uint8 rows, got {band.shape} {band.dtype}")
        filtered = np.zeros((band.shape[0], self.width * 3 + 1), dtype=np.uint8)  # filter byte 0 (none)
        filtered[:, 1:] = band.reshape(band.shape[0], -1)
        data = self._compress.compress(filtered.tobytes())
        if data:
            self._file.write(_chunk(b"IDAT", data))
        self.rows += band.shape[0]

    def __enter__(self) -> PNGStream:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            if kind is None:
                if self.rows != self.height:
                    raise ValueError(f"wrote {self.rows} rows of {self.height}")
                self._file.write(_chunk(b"IDAT", self._compress.flush()) + _chunk(b"IEND", b""))
                self._file.flush()
                os.fsync(self._file.fileno())
            self._file.close()
            if kind is None:
                os.replace(self._tmp, self.path)
        finally:
            Path(self._tmp).unlink(missing_ok=True)
