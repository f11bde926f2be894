"""Image folders as (bicubic LR, HR) pairs for 4x super-resolution, the way the SR literature makes them.

Each item is ``{"lr": 3 x h x w, "hr": 3 x (h*scale) x (w*scale)}``, both float in [-1, 1] (the zoo's image
range; metrics map back to [0, 1]). With ``hr_size > 0`` an item is a random ``hr_size`` crop (and, with
``augment``, a random flip/90-degree rotation); an epoch is ``crops_per_image`` crops of every image.
With ``hr_size == 0`` an item is a whole image cropped to a multiple of ``scale`` (Set5/Set14 evaluation).
The LR input is always the HR pixels downscaled with PIL's bicubic filter, as MATLAB's imresize does.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from PIL import Image
from torch.utils.data import Dataset
from torchvision.transforms.v2 import functional as TF

from ganzoo import IMAGE_PAIRS, DataInfo, LoadedData, UserError, data_root

EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}
_DIHEDRAL = (Image.Transpose.FLIP_LEFT_RIGHT, Image.Transpose.FLIP_TOP_BOTTOM, Image.Transpose.ROTATE_90)


def to_model_range(image: Image.Image) -> torch.Tensor:
    """An RGB PIL image -> float 3 x H x W tensor in [-1, 1]."""
    return TF.pil_to_tensor(image).float() / 127.5 - 1


def bicubic_downscale(image: Image.Image, scale: int) -> Image.Image:
    """PIL bicubic downscaling by ``scale`` (the image's sides must be multiples of it)."""
    return image.resize((image.width // scale, image.height // scale), Image.Resampling.BICUBIC)


def crop_to_multiple(image: Image.Image, scale: int) -> Image.Image:
    """Cut the right and bottom edges so both sides are multiples of ``scale`` (the SR convention)."""
    return image.crop((0, 0, image.width - image.width % scale, image.height - image.height % scale))


def image_files(folder: Path) -> list[Path]:
    """Every image file under ``folder`` (recursively), in a fixed order."""
    if not folder.is_dir():
        raise UserError(f"image folder {folder} does not exist; point --set data.root=DIR at a folder of images")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in EXTENSIONS and p.is_file())
    if not files:
        raise UserError(
            f"no images ({', '.join(sorted(EXTENSIONS))}) in {folder}; point --set data.root=DIR at a folder of images"
        )
    return files


def resolve_folder(cfg: Mapping[str, Any], subfolder: str) -> Path:
    """``data.root`` (or its ``subfolder`` when it has one), else ``subfolder`` of the default data root."""
    if cfg.get("root"):
        root = Path(str(cfg["root"])).expanduser()
        return root / subfolder if subfolder and (root / subfolder).is_dir() else root
    return data_root(None) / subfolder


class SRImageFolder(Dataset):
    """Map-style dataset of (LR, HR) pairs from image files; see the module docstring for the modes."""

    def __init__(
        self,
        files: list[Path],
        scale: int,
        hr_size: int = 96,
        crops_per_image: int = 1,
        augment: bool = False,
        cache_images: int = 0,
    ) -> None:
        if scale < 1 or hr_size % scale:
            raise UserError(f"data.hr_size={hr_size} must be a multiple of data.scale={scale}")
        self.scale, self.hr_size, self.augment = scale, hr_size, augment
        self.crops_per_image = max(1, crops_per_image) if hr_size else 1
        self.cache_images = cache_images
        self._cache: dict[Path, Image.Image] = {}
        minimum = max(hr_size, scale)
        sizes = {f: _size(f) for f in files}
        damaged = [str(f) for f, size in sizes.items() if size is None]
        if damaged:
            listed = ", ".join(damaged[:3]) + (f" and {len(damaged) - 3} more" if len(damaged) > 3 else "")
            raise UserError(f"cannot decode {len(damaged)} image(s): {listed}; remove or replace them")
        self.files = [f for f, size in sizes.items() if size is not None and min(size) >= minimum]
        if not self.files:
            raise UserError(
                f"no image in {files[0].parent} is at least {minimum}x{minimum} pixels; "
                f"lower data.hr_size or use larger images"
            )

    def __len__(self) -> int:
        return len(self.files) * self.crops_per_image

    def name(self, index: int) -> str:
        """The file stem behind item ``index`` (for per-image reports)."""
        return self.files[index // self.crops_per_image].stem

    def _image(self, path: Path) -> Image.Image:
        image = self._cache.get(path)
        if image is None:
            with Image.open(path) as handle:
                image = handle.convert("RGB")
            if len(self._cache) < self.cache_images:
                self._cache[path] = image
        return image

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        image = self._image(self.files[index // self.crops_per_image])
        if self.hr_size:
            left = int(torch.randint(0, image.width - self.hr_size + 1, ()))
            top = int(torch.randint(0, image.height - self.hr_size + 1, ()))
            hr = image.crop((left, top, left + self.hr_size, top + self.hr_size))
            if self.augment:
                for transform, chosen in zip(_DIHEDRAL, torch.randint(0, 2, (3,)).tolist()):
                    hr = hr.transpose(transform) if chosen else hr
        else:
            hr = crop_to_multiple(image, self.scale)
        return {"lr": to_model_range(bicubic_downscale(hr, self.scale)), "hr": to_model_range(hr)}


def _size(path: Path) -> tuple[int, int] | None:
    """Width and height of an image that decodes completely, else ``None``. Every pixel is decoded once up
    front: a truncated JPEG or a PNG with a bad data stream passes ``verify`` and would otherwise crash a
    DataLoader worker mid-training."""
    try:
        with Image.open(path) as handle:
            handle.load()
            return handle.size
    except Exception:  # PIL reports damaged files as OSError, SyntaxError, struct.error, ValueError...
        return None


def _loaded(name: str, cfg: Mapping[str, Any], subfolder: str) -> LoadedData:
    folder = resolve_folder(cfg, subfolder)
    dataset = SRImageFolder(
        image_files(folder),
        int(cfg["scale"]),
        int(cfg["hr_size"]),
        int(cfg["crops_per_image"]),
        bool(cfg["augment"]),
        int(cfg["cache_images"]),
    )
    size = int(cfg["hr_size"])
    info = DataInfo(name, IMAGE_PAIRS, (3, size, size), extras={"scale": int(cfg["scale"])})
    what = f"{size}x{size} crops" if size else "whole images"
    return LoadedData(
        info,
        dataset=dataset,
        description=f"{len(dataset.files)} images in {folder}, {what}, x{cfg['scale']} bicubic LR",
    )


def load_sr_pairs(cfg: Mapping[str, Any]) -> LoadedData:
    """Random HR crops and their bicubic LR inputs from ``data.root`` (else ROOT/``data.subfolder``)."""
    return _loaded("sr-pairs", cfg, str(cfg["subfolder"]))


def load_set5(cfg: Mapping[str, Any]) -> LoadedData:
    """Set5's five test images from ROOT/Set5 (or ``data.root``)."""
    return _loaded("set5", cfg, "Set5")


def load_set14(cfg: Mapping[str, Any]) -> LoadedData:
    """Set14's fourteen test images from ROOT/Set14 (or ``data.root``)."""
    return _loaded("set14", cfg, "Set14")
