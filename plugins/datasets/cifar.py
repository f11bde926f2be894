"""CIFAR-10's python-version batch files, read without running code from them.

The batches are pickles; a stock ``pickle.load`` calls whatever a file names, so a folder from a mirror
or a colleague could run commands. ``SafeUnpickler`` admits only what the format needs (numpy array
reconstruction and ``_codecs.encode``, which protocol-2 pickles use for bytes); anything else is refused
before it is called. Reads whichever splits are present (the shared copy holds only ``test_batch``).
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from ganzoo import UserError

FOLDER = "cifar-10-batches-py"
TRAIN_FILES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_FILES = ("test_batch",)
META = "batches.meta"
URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
ARCHIVE_MD5 = "c58f30108f718f92721af3b95e74349a"
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),
}


class SafeUnpickler(pickle.Unpickler):
    """An unpickler whose ``find_class`` admits only numpy array reconstruction and ``_codecs.encode``."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"it asks for {module}.{name}"[:120])
        return super().find_class(module, name)


def safe_load(path: Path) -> Any:
    """Unpickle ``path`` with ``SafeUnpickler`` (latin1 for Python 2 strings); any failure is one ``UserError``."""
    try:
        data = path.read_bytes()
        return SafeUnpickler(io.BytesIO(data), encoding="latin1").load()
    except pickle.UnpicklingError as exc:
        if str(exc).startswith("it asks for"):
            raise UserError(
                f"cifar10 file {path} was refused: it holds objects that could run code ({exc}); "
                f"replace it with the official file"
            ) from None
        raise _corrupt(path, exc) from None
    except Exception as exc:  # a damaged pickle raises anything from EOFError to TypeError
        raise _corrupt(path, exc) from None


def _corrupt(path: Path, exc: BaseException) -> UserError:
    return UserError(
        f"cifar10 file {path} is corrupt or truncated ({type(exc).__name__}); replace it with the official file"
    )


def _batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One batch file as N x 32 x 32 x 3 uint8 images and N labels."""
    entry = safe_load(path)
    data = entry.get("data") if isinstance(entry, dict) else None
    labels = entry.get("labels", entry.get("fine_labels")) if isinstance(entry, dict) else None
    if not isinstance(data, np.ndarray) or data.ndim != 2 or data.shape[1] != 3072 or labels is None:
        raise UserError(
            f"cifar10 file {path} is not a CIFAR-10 batch (no 'data' of N x 3072 and 'labels'); "
            f"replace it with the official file"
        )
    labels = np.asarray(labels)
    if (
        labels.shape != (len(data),)
        or not np.issubdtype(labels.dtype, np.integer)
        or (len(labels) and not 0 <= labels.min() <= labels.max() < 10)
    ):
        raise UserError(
            f"cifar10 file {path} has labels that do not match its images; replace it with the official file"
        )
    return data.astype(np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), labels.astype(np.int64)


def present_files(folder: Path, train: bool) -> bool:
    """Whether every batch file of the split and the metadata are in ``folder``."""
    return all((folder / name).is_file() for name in (*(TRAIN_FILES if train else TEST_FILES), META))


def read_split(folder: Path, train: bool) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Images, labels and class names of one split from ``folder``."""
    parts = [_batch(folder / name) for name in (TRAIN_FILES if train else TEST_FILES)]
    meta = safe_load(folder / META)
    classes = meta.get("label_names") if isinstance(meta, dict) else None
    if not isinstance(classes, list):
        raise UserError(f"cifar10 file {folder / META} holds no label_names; replace it with the official file")
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), [str(c) for c in classes]


def download(root: Path) -> None:
    """Fetch and unpack the official archive into ``root`` (checked against its md5)."""
    from torchvision.datasets.utils import download_and_extract_archive

    download_and_extract_archive(URL, str(root), filename="cifar-10-python.tar.gz", md5=ARCHIVE_MD5)
