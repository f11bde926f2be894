"""The `folder` dataset: real images in class folders and zips, every pixel mode, streaming, damaged files."""

from __future__ import annotations

import gc
import io
import multiprocessing
import pickle
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import ganzoo
import ganzoo.runner
from ganzoo import UserError
from ganzoo.registry import get_registry
from ganzoo.testing import check_dataset_plugin
from ganzoo.trainer.batches import make_batches

CIFAR_CLASSES = {0: "airplane", 3: "cat", 8: "ship"}  # the test split is ordered by class, 1,000 each
PER_CLASS = 8
TINY_CGAN = [
    "--set",
    "model.g_channels=8",
    "--set",
    "model.d_channels=8",
    "--set",
    "train.steps=2",
    "--set",
    "train.batch_size=4",
    "--set",
    "train.num_samples=4",
    "--set",
    "data.image_size=32",
    "--no-progress",
    "--device",
    "cpu",
]


def _load(**overrides: object):
    spec = get_registry().dataset("folder")
    return spec.build({"name": "folder", "root": None, **spec.defaults, **overrides})


@pytest.fixture
def cifar_folder(data_dir: Path, tmp_path: Path) -> tuple[Path, np.ndarray, list[int]]:
    """24 CIFAR-10 test images written as PNGs into class subfolders; returns (root, pixels, labels)."""
    with open(data_dir / "cifar-10-batches-py" / "test_batch", "rb") as handle:
        batch = pickle.load(handle, encoding="bytes")
    root = tmp_path / "cifar"
    pixels, labels = [], []
    for label, (cifar_label, name) in enumerate(sorted(CIFAR_CLASSES.items(), key=lambda item: item[1])):
        (root / name).mkdir(parents=True)
        for k in range(PER_CLASS):
            index = cifar_label * 1000 + k
            assert batch[b"labels"][index] == cifar_label
            image = batch[b"data"][index].reshape(3, 32, 32).transpose(1, 2, 0)
            Image.fromarray(image).save(root / name / f"{k:02d}.png")
            pixels.append(image)
            labels.append(label)
    return root, np.stack(pixels), labels


@pytest.fixture
def set14_folder(data_dir: Path, tmp_path: Path) -> Path:
    """Set14 in two class folders: PNGs as they are (one nested deeper), and the rest re-encoded as JPEG."""
    root = tmp_path / "set14"
    files = sorted((data_dir / "Set14").glob("*.png"))
    (root / "png" / "nested").mkdir(parents=True)
    (root / "jpeg").mkdir()
    for index, path in enumerate(files):
        if index < 7:
            shutil.copy(path, root / "png" / ("nested" if index == 0 else "") / path.name)
        else:
            with Image.open(path) as image:
                image.convert("RGB").save(root / "jpeg" / f"{path.stem}.jpg", quality=90)
    return root


def test_cifar_pngs_in_class_folders_load_pixel_exact_with_labels(cifar_folder) -> None:
    root, pixels, labels = cifar_folder
    data = _load(path=str(root), image_size=32)
    assert data.info.num_classes == 3 and data.info.extras["classes"] == ["airplane", "cat", "ship"]
    assert data.info.shape == (3, 32, 32) and "3 classes" in data.description
    expected = torch.as_tensor(pixels).permute(0, 3, 1, 2).float() / 127.5 - 1
    assert torch.equal(data.tensors["image"], expected)
    assert data.tensors["label"].tolist() == labels


def test_set14_of_many_sizes_and_modes_becomes_square_labelled_images(set14_folder: Path) -> None:
    data = _load(path=str(set14_folder), image_size=48)
    images = data.tensors["image"]
    assert images.shape == (14, 3, 48, 48) and images.dtype == torch.float32
    assert images.min() >= -1 and images.max() <= 1 and images.std() > 0.2
    assert data.info.extras["classes"] == ["jpeg", "png"]
    assert torch.bincount(data.tensors["label"]).tolist() == [7, 7]  # the nested PNG counts for its class
    grey = _load(path=str(set14_folder), image_size=48, channels=1)
    assert grey.tensors["image"].shape == (14, 1, 48, 48)


def test_a_zip_of_a_folder_loads_like_the_folder(cifar_folder, tmp_path: Path) -> None:
    root, _, _ = cifar_folder
    archive = tmp_path / "cifar.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(root.rglob("*.png")):
            zf.write(path, f"cifar/{path.relative_to(root).as_posix()}")  # one top folder, as zips have
        zf.writestr("__MACOSX/cifar/cat/._00.png", b"resource fork, not an image")
    folder, zipped = _load(path=str(root), image_size=32), _load(path=str(archive), image_size=32)
    assert torch.equal(zipped.tensors["image"], folder.tensors["image"])
    assert torch.equal(zipped.tensors["label"], folder.tensors["label"])


def test_large_sets_stream_through_dataloader_workers(cifar_folder, tmp_path: Path) -> None:
    root, _, labels = cifar_folder
    archive = Path(shutil.make_archive(str(tmp_path / "cifar"), "zip", root))
    held = _load(path=str(root), image_size=16)
    streamed = _load(path=str(archive), image_size=16, max_in_memory=10)
    assert streamed.tensors is None and len(streamed) == 24 and "streamed" in streamed.description
    item = streamed.dataset[9]
    assert torch.equal(item["image"], held.tensors["image"][9]) and int(item["label"]) == labels[9]
    batches = make_batches(streamed, 8, torch.device("cpu"), seed=0, workers=2)  # each worker opens the zip
    seen = [batches() for _ in range(3)]
    assert all(b["image"].shape == (8, 3, 16, 16) for b in seen)
    assert sorted(torch.cat([b["label"] for b in seen]).tolist()) == sorted(labels)  # one epoch, all images


def test_a_streamed_run_stops_its_workers_when_training_ends(
    cifar_folder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Training stops the DataLoader workers itself: left to the garbage collector, torch finalises the
    iterator amid its already-collected queues and waits 5 s for each worker before killing it."""
    root, _, _ = cifar_folder
    archive = Path(shutil.make_archive(str(tmp_path / "cifar"), "zip", root))
    monkeypatch.setattr(ganzoo.runner, "release_memory", lambda: None)
    gc.disable()  # nothing but the trainer itself can stop the workers now
    try:
        ganzoo.train(
            "dcgan",
            "folder",
            out=tmp_path / "run",
            data={"path": str(archive), "image_size": 32, "max_in_memory": 10},
            train={"steps": 2, "batch_size": 4, "num_samples": 4},
            model={"g_channels": 4, "d_channels": 4},
        )
        assert multiprocessing.active_children() == []
    finally:
        gc.enable()


def _uniform_files(root: Path) -> dict[str, tuple[float, ...]]:
    """Files of one colour in many modes and sizes, and the RGB value in [-1, 1] each must load as."""

    def rgb(*values: int) -> tuple[float, ...]:
        return tuple(v / 127.5 - 1 for v in values)

    root.mkdir(parents=True, exist_ok=True)
    Image.new("L", (40, 24), 0).save(root / "grey.png")
    Image.new("1", (9, 30), 1).save(root / "bilevel.png")
    Image.new("RGBA", (30, 30), (255, 0, 0, 255)).save(root / "opaque.png")
    Image.new("RGBA", (30, 20), (0, 0, 255, 0)).save(root / "transparent.png")  # on white
    Image.new("LA", (20, 20), (0, 0)).save(root / "grey_alpha.png")
    palette = Image.new("P", (25, 17), 1)
    palette.putpalette([0, 0, 0, 0, 255, 0] + [0] * 762)
    palette.save(root / "palette.png")
    palette.save(root / "palette_clear.png", transparency=1)
    Image.fromarray(np.full((18, 22), 128 * 257, dtype=np.uint16)).save(root / "deep.png")  # I;16
    Image.new("RGB", (64, 32), (200, 100, 50)).save(root / "photo.jpg", quality=100)
    Image.new("CMYK", (16, 16), (0, 0, 0, 0)).save(root / "print.tiff")
    return {
        "bilevel.png": rgb(255, 255, 255),
        "deep.png": rgb(128, 128, 128),
        "grey.png": rgb(0, 0, 0),
        "grey_alpha.png": rgb(255, 255, 255),
        "opaque.png": rgb(255, 0, 0),
        "palette.png": rgb(0, 255, 0),
        "palette_clear.png": rgb(255, 255, 255),
        "photo.jpg": rgb(200, 100, 50),
        "print.tiff": rgb(255, 255, 255),
        "transparent.png": rgb(255, 255, 255),
    }


def test_every_pixel_mode_becomes_rgb_or_grey_in_model_range(tmp_path: Path) -> None:
    expected = _uniform_files(tmp_path / "modes")
    data = _load(path=str(tmp_path / "modes"), image_size=8)
    images = data.tensors["image"]
    assert images.shape == (len(expected), 3, 8, 8) and data.info.num_classes == 0
    for image, (name, colour) in zip(images, sorted(expected.items())):
        tolerance = 3 / 127.5 if name.endswith(".jpg") else 1e-6
        assert torch.allclose(image, torch.tensor(colour)[:, None, None].expand(3, 8, 8), atol=tolerance), name
    grey = _load(path=str(tmp_path / "modes"), image_size=8, channels=1).tensors["image"]
    assert grey.shape == (len(expected), 1, 8, 8)
    red = sorted(expected).index("opaque.png")
    assert torch.allclose(grey[red], torch.tensor(76 / 127.5 - 1))  # ITU-R 601 luma of pure red


def test_shorter_side_is_resized_then_centre_cropped_upright(tmp_path: Path) -> None:
    stripes = np.zeros((20, 60), dtype=np.uint8)
    stripes[:, 20:40] = 255  # black | white | black: only the white middle third survives a centre crop
    (tmp_path / "wide").mkdir()
    Image.fromarray(stripes).save(tmp_path / "wide" / "a_stripes.png")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: stored turned a quarter left, shown turned back (as phone cameras do)
    Image.fromarray(stripes).transpose(Image.Transpose.ROTATE_90).save(tmp_path / "wide" / "b_turned.png", exif=exif)
    images = _load(path=str(tmp_path / "wide"), image_size=10, channels=1).tensors["image"][:, 0]
    assert images.shape == (2, 10, 10) and torch.allclose(images[:, :, 2:-2], torch.ones(2, 10, 6))


def test_flat_mixed_and_forced_unlabelled_folders_have_no_labels(set14_folder: Path, tmp_path: Path) -> None:
    flat = tmp_path / "flat"
    flat.mkdir()
    for path in sorted(set14_folder.rglob("*"))[:6]:
        if path.is_file():
            shutil.copy(path, flat / path.name)
    data = check_dataset_plugin("folder", {"path": str(flat), "image_size": 16})  # the plugin contract
    assert data.info.num_classes == 0 and "label" not in data.tensors and "unlabelled" in data.description
    shutil.copy(next(flat.iterdir()), set14_folder / "loose.png")  # an image beside the class folders
    assert _load(path=str(set14_folder), image_size=16).info.num_classes == 0
    (set14_folder / "loose.png").unlink()
    assert _load(path=str(set14_folder), image_size=16, labels="none").info.num_classes == 0


def test_limit_takes_a_fixed_subset(cifar_folder) -> None:
    root, _, _ = cifar_folder
    first, second = _load(path=str(root), image_size=8, limit=5), _load(path=str(root), image_size=8, limit=5)
    assert len(first) == 5 and torch.equal(first.tensors["image"], second.tensors["image"])
    assert first.info.num_classes == 3  # classes come from the whole folder


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"path": ""}, r"needs the images' location: --set data\.path=DIR"),
        ({"path": "/no/such/folder"}, r"/no/such/folder does not exist; --set data\.path=DIR"),
        ({"channels": 4}, "data.channels must be 1 .* or 3"),
        ({"image_size": 0}, "data.image_size must be at least 1"),
        ({"labels": "yes"}, "data.labels must be one of auto, none"),
    ],
)
def test_bad_options_are_one_line_user_errors(overrides: dict, message: str, tmp_path: Path) -> None:
    Image.new("L", (4, 4)).save(tmp_path / "one.png")
    with pytest.raises(UserError, match=message):
        _load(**{"path": str(tmp_path), **overrides})


def test_empty_folders_and_non_zip_files_say_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an image")
    with pytest.raises(UserError, match=r"no images \(.jpg.*\) in"):
        _load(path=str(tmp_path))
    with pytest.raises(UserError, match="is a file but not a .zip archive"):
        _load(path=str(tmp_path / "notes.txt"))


def _png_with_bad_pixel_data(path: Path) -> None:
    """A PNG whose compressed pixels are garbage under a valid checksum: ``Image.verify()`` accepts it."""
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 20, 30)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    start = data.find(b"IDAT")
    length = struct.unpack(">I", data[start - 4 : start])[0]
    for k in range(start + 6, start + 4 + length):
        data[k] ^= 0x5A
    data[start + 4 + length : start + 8 + length] = struct.pack(
        ">I", zlib.crc32(bytes(data[start : start + 4 + length]))
    )
    path.write_bytes(bytes(data))
    with Image.open(path) as image:
        image.verify()


def test_damaged_files_are_reported_in_one_line_before_training(cifar_folder, in_tmp: Path, cli) -> None:
    root, _, _ = cifar_folder
    jpeg = io.BytesIO()
    Image.open(root / "cat" / "00.png").save(jpeg, "JPEG")
    (root / "cat" / "truncated.jpg").write_bytes(jpeg.getvalue()[: len(jpeg.getvalue()) // 2])
    _png_with_bad_pixel_data(root / "ship" / "bad_stream.png")
    code, out, err = cli(
        "run",
        "dcgan",
        "--dataset",
        "folder",
        "--set",
        f"data.path={root}",
        "--set",
        "train.steps=2",
        "--no-progress",
        "--device",
        "cpu",
        "--out",
        "run",
    )
    assert code == 2 and "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: 2 of 26 images in")
    assert "cat/truncated.jpg (" in lines[0] and "ship/bad_stream.png (" in lines[0]
    assert not (in_tmp / "run").exists()


def test_cgan_trains_on_a_labelled_folder_and_refuses_a_flat_one(cifar_folder, in_tmp: Path, cli) -> None:
    root, _, _ = cifar_folder
    code, _, err = cli(
        "run", "cgan", "--dataset", "folder", "--set", f"data.path={root}", *TINY_CGAN, "--out", "labelled"
    )
    assert code == 0, err
    assert "3 classes" in err and (in_tmp / "labelled" / "checkpoints").is_dir()
    code, _, err = cli(
        "run",
        "cgan",
        "--dataset",
        "folder",
        "--set",
        f"data.path={root}",
        "--set",
        "data.labels=none",
        *TINY_CGAN,
        "--out",
        "flat",
    )
    assert code == 2 and "'cgan' needs class labels" in err and "Traceback" not in err
