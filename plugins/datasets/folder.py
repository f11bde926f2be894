"""Any folder of images, or a .zip of one, as a dataset (``data.path``); class subfolders become labels.

Layout: images are found recursively (hidden files and ``__MACOSX`` skipped). While every image lies
under one and the same subfolder (a zip of a folder), that subfolder is taken as the root. With
``data.labels: auto`` the set is labelled when every image lies in a subfolder of the root and there are
at least two: the top-level subfolder, in name order, is the class (as torchvision's ``ImageFolder``). A
flat or mixed folder is unlabelled; ``data.labels: none`` ignores subfolders.

Labelled or not is known only once the files are listed, but models and datasets are matched on their
specs before loading. So the spec stays kind ``image`` with ``num_classes = 0`` and declares
``labels: auto`` in its defaults, which ``DatasetSpec.provides`` reads as "may be labelled": labelled
models (CGAN) are offered the folder and refuse it when it loads with ``DataInfo.num_classes == 0``.
One spec for one kind of files, rather than a second spec that differs only in a promise.

Pixels: any size and mode (1, L, P, RGB, RGBA, 16-bit I;16 / I scaled from 0..65535, CMYK...) becomes
``data.channels`` (1 or 3), upright by its EXIF orientation, transparency composited on white, the
shorter side resized to ``data.image_size`` and centre-cropped, values in [-1, 1]. Every file is decoded
whole before training and all that fail are reported in one line, so a truncated file never crashes a
DataLoader worker mid-run.

Memory: up to ``data.max_in_memory`` images are held as one float tensor like the other datasets; more
stream through the trainer's DataLoader workers, each decoding its files (memory bounded by the batch).
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import numpy as np
import torch
from PIL import Image, ImageOps
from torch.utils.data import Dataset
from torchvision.datasets.folder import IMG_EXTENSIONS
from torchvision.transforms.v2 import functional as TF

from ganzoo import IMAGE, DataInfo, LoadedData, UserError

LABELS = ("auto", "none")
SIXTEEN_BIT = {"I", "I;16", "I;16B", "I;16L", "I;16N"}
SHOWN_FAILURES = 3
USAGE = "--set data.path=DIR (a folder of images, or a .zip of one)"


class ImageFiles:
    """The image files under a folder or inside a .zip, listed recursively and opened by relative name."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.is_zip = path.is_file()
        if self.is_zip and not zipfile.is_zipfile(path):
            raise UserError(f"data.path {path} is a file but not a .zip archive; {USAGE}")
        if not self.is_zip and not path.is_dir():
            raise UserError(f"data.path {path} does not exist; {USAGE}")
        if self.is_zip:
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if not n.endswith("/")]
        else:
            names = [p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()]
        self.names = sorted(n for n in names if _is_image(n))
        if not self.names:
            raise UserError(f"no images ({', '.join(IMG_EXTENSIONS)}) in {path}; {USAGE}")
        self._archive: zipfile.ZipFile | None = None
        self._pid = 0

    def open(self, name: str) -> BinaryIO:
        """The bytes of file ``name``; each process opens the archive itself (DataLoader workers fork)."""
        if not self.is_zip:
            return open(self.path / name, "rb")
        if self._archive is None or self._pid != os.getpid():
            self._archive, self._pid = zipfile.ZipFile(self.path), os.getpid()
        return io.BytesIO(self._archive.read(name))

    def __getstate__(self) -> dict[str, Any]:  # an open archive does not pickle: workers reopen it
        return {**self.__dict__, "_archive": None}


def _is_image(name: str) -> bool:
    parts = PurePosixPath(name).parts
    hidden = any(p.startswith(".") or p == "__MACOSX" for p in parts)
    return not hidden and name.lower().endswith(IMG_EXTENSIONS)


def class_labels(names: list[str], mode: str) -> tuple[list[str], list[int]]:
    """Class names and one label per file from the top-level subfolders, or ``([], [])`` when unlabelled."""
    parts = [PurePosixPath(n).parts for n in names]
    depth = 0
    while all(len(p) > depth + 1 for p in parts) and len({p[depth] for p in parts}) == 1:
        depth += 1  # every image under one subfolder: it is the real root
    classes = sorted({p[depth] for p in parts})
    if mode == "none" or any(len(p) == depth + 1 for p in parts) or len(classes) < 2:
        return [], []
    index = {c: i for i, c in enumerate(classes)}
    return classes, [index[p[depth]] for p in parts]


def to_channels(image: Image.Image, channels: int) -> Image.Image:
    """Any PIL mode -> L (1 channel) or RGB (3): 16-bit scaled to 8 bits, transparency composited on white."""
    if image.mode in SIXTEEN_BIT:
        pixels = np.asarray(image, dtype=np.float64) / 257
        image = Image.fromarray(pixels.round().clip(0, 255).astype(np.uint8))
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    return image.convert("L" if channels == 1 else "RGB")


def decode(files: ImageFiles, name: str, channels: int, size: int) -> torch.Tensor:
    """File ``name`` decoded whole -> uint8 ``channels x size x size`` (shorter side resized, centre crop)."""
    with files.open(name) as handle, Image.open(handle) as opened:
        opened.load()  # decodes every byte: truncated or corrupt data fails here, not in a worker
        image = to_channels(ImageOps.exif_transpose(opened), channels)  # photos stored rotated stand upright
    image = TF.center_crop(TF.resize(image, [size], antialias=True), [size, size])
    return TF.pil_to_tensor(image)


def to_model_range(pixels: torch.Tensor) -> torch.Tensor:
    """uint8 pixels -> float in [-1, 1]."""
    return pixels.float() / 127.5 - 1


class FolderImages(Dataset):
    """Map-style dataset that decodes file ``i`` on access: ``{"image": C x S x S in [-1, 1], "label"}``."""

    def __init__(self, files: ImageFiles, names: list[str], labels: list[int], channels: int, size: int) -> None:
        self.files, self.names, self.channels, self.size = files, names, channels, size
        self.labels = torch.tensor(labels, dtype=torch.long) if labels else None

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        item = {"image": to_model_range(decode(self.files, self.names[index], self.channels, self.size))}
        if self.labels is not None:
            item["label"] = self.labels[index]
        return item


def _options(cfg: Mapping[str, Any]) -> tuple[Path, int, int, str]:
    if not cfg.get("path"):
        raise UserError(f"dataset 'folder' needs the images' location: {USAGE}")
    channels, size, labels = int(cfg["channels"]), int(cfg["image_size"]), str(cfg["labels"])
    if channels not in (1, 3):
        raise UserError(f"data.channels must be 1 (grey) or 3 (RGB), got {channels}")
    if size < 1:
        raise UserError("data.image_size must be at least 1 for an image folder (its images differ in size)")
    if labels not in LABELS:
        raise UserError(f"data.labels must be one of {', '.join(LABELS)}, got {labels!r}")
    return Path(str(cfg["path"])).expanduser(), channels, size, labels


def _limited(count: int, limit: int) -> list[int]:
    """A fixed random subset of ``limit`` indices in file order (files are often grouped by class), or all."""
    if not limit or limit >= count:
        return list(range(count))
    return sorted(torch.randperm(count, generator=torch.Generator().manual_seed(0))[:limit].tolist())


def _decode_all(dataset: FolderImages, keep: bool) -> list[torch.Tensor]:
    """Decode every file (in threads: PIL decodes without the GIL); one UserError naming all that fail."""

    def attempt(name: str) -> torch.Tensor | str:
        try:
            return decode(dataset.files, name, dataset.channels, dataset.size)
        except Exception as exc:  # PIL reports damage as OSError, SyntaxError, ValueError, zlib/zip errors...
            return f"{name} ({str(exc).splitlines()[0][:60] if str(exc) else type(exc).__name__})"

    decoded, failures = [], []
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        for result in pool.map(attempt, dataset.names):
            if isinstance(result, str):
                failures.append(result)
            elif keep:
                decoded.append(result)
    if failures:
        more = f", and {len(failures) - SHOWN_FAILURES} more" if len(failures) > SHOWN_FAILURES else ""
        raise UserError(
            f"{len(failures)} of {len(dataset)} images in {dataset.files.path} cannot be read: "
            f"{', '.join(failures[:SHOWN_FAILURES])}{more}; remove or replace them"
        )
    return decoded


def load_folder(cfg: Mapping[str, Any]) -> LoadedData:
    """The images under ``data.path`` (a folder or a .zip), labelled by class subfolder when it has them."""
    path, channels, size, labels_mode = _options(cfg)
    files = ImageFiles(path)
    classes, labels = class_labels(files.names, labels_mode)
    keep = _limited(len(files.names), int(cfg["limit"]))
    names = [files.names[i] for i in keep]
    dataset = FolderImages(files, names, [labels[i] for i in keep] if classes else [], channels, size)
    in_memory = len(dataset) <= int(cfg["max_in_memory"])
    decoded = _decode_all(dataset, keep=in_memory)
    info = DataInfo("folder", IMAGE, (channels, size, size), num_classes=len(classes), extras={"classes": classes})
    what = f"{len(classes)} classes" if classes else "unlabelled"
    description = f"{len(dataset)} images in {path}, {what}, {'in memory' if in_memory else 'streamed'}"
    if not in_memory:
        return LoadedData(info, dataset=dataset, description=description)
    tensors = {"image": to_model_range(torch.stack(decoded))}
    if dataset.labels is not None:
        tensors["label"] = dataset.labels
    return LoadedData(info, tensors=tensors, description=description)
