"""SRGAN: network shapes, LR/HR pairs, MSE pre-training, both phases end to end, upscale, the vgg loss."""

from __future__ import annotations

import json
import urllib.error
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ganzoo import IMAGE_PAIRS, DataInfo, UserError
from ganzoo.config import build_config
from ganzoo.metrics.sr import evaluate_sr
from ganzoo.trainer.context import StepContext
from ganzoo.upscale import upscale_tiled
from ganzoo_plugins.sr_data.pairs import SRImageFolder, image_files, load_set5
from ganzoo_plugins.srgan import content
from ganzoo_plugins.srgan.model import SRGAN
from ganzoo_plugins.srgan.networks import Discriminator, SRResNet

SMALL = [
    "--set",
    "model.blocks=1",
    "--set",
    "model.channels=8",
    "--set",
    "model.d_channels=4",
    "--set",
    "model.d_dense=16",
    "--set",
    "data.hr_size=32",
    "--set",
    "data.crops_per_image=4",
    "--set",
    "train.batch_size=4",
    "--set",
    "train.log_every=1",
    "--set",
    "train.num_samples=6",
    "--set",
    "train.precision=fp32",
    "--no-progress",
]


@pytest.fixture
def image_folder(tmp_path: Path) -> Path:
    """Three smooth random RGB images (one grey, one odd-sized) and one too small to crop."""
    folder = tmp_path / "images"
    (folder / "sub").mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name, (h, w) in {"a.png": (48, 64), "sub/b.png": (41, 37), "c.jpg": (40, 40), "tiny.png": (20, 20)}.items():
        coarse = rng.integers(0, 256, (h // 4 + 1, w // 4 + 1, 3), dtype=np.uint8)
        image = Image.fromarray(coarse).resize((w, h), Image.BICUBIC)
        (image.convert("L") if name == "c.jpg" else image).save(folder / name)
    return folder


@pytest.mark.parametrize("scale", [2, 4])
def test_srresnet_upscales_odd_sizes_exactly(scale: int) -> None:
    lr = torch.randn(2, 3, 7, 9)
    assert SRResNet(scale, channels=8, blocks=2)(lr).shape == (2, 3, 7 * scale, 9 * scale)
    residual = SRResNet(scale, channels=8, blocks=2, bicubic_residual=True)(lr)  # starts exactly at bicubic
    assert torch.equal(residual, torch.nn.functional.interpolate(lr, scale_factor=scale, mode="bicubic"))


def test_discriminator_scores_odd_and_even_crop_sizes() -> None:
    for size in (24, 25, 96):
        assert Discriminator(size, channels=4, dense=8)(torch.randn(3, 3, size, size)).shape == (3,)
    with pytest.raises(UserError, match="powers of two"):
        SRResNet(3)


def test_pairs_are_bicubic_crops_in_model_range(image_folder: Path) -> None:
    dataset = SRImageFolder(image_files(image_folder), scale=4, hr_size=32, crops_per_image=5, augment=True)
    assert len(dataset.files) == 3 and len(dataset) == 15  # tiny.png is smaller than a crop
    item = dataset[7]
    assert item["hr"].shape == (3, 32, 32) and item["lr"].shape == (3, 8, 8)
    assert item["hr"].min() >= -1 and item["hr"].max() <= 1
    hr = Image.fromarray(((item["hr"] + 1) * 127.5).round().byte().permute(1, 2, 0).numpy())
    expected = torch.from_numpy(np.array(hr.resize((8, 8), Image.BICUBIC))).permute(2, 0, 1).float() / 127.5 - 1
    assert torch.allclose(item["lr"], expected, atol=1e-6)
    whole = SRImageFolder(image_files(image_folder), scale=4, hr_size=0)
    sizes = {whole.name(i): tuple(whole[i]["hr"].shape[1:]) for i in range(len(whole))}
    assert sizes["b"] == (40, 36) and sizes["a"] == (48, 64)  # cropped to multiples of 4
    assert whole[whole.files.index(image_folder / "sub" / "b.png")]["lr"].shape[1:] == (10, 9)
    (image_folder.parent / "empty").mkdir()
    with pytest.raises(UserError, match="no images"):
        image_files(image_folder.parent / "empty")


def test_set5_bicubic_baseline_matches_the_paper(data_dir: Path) -> None:
    cfg = {"root": None, "hr_size": 0, "scale": 4, "crops_per_image": 1, "augment": False, "cache_images": 0}
    loaded = load_set5(cfg)
    assert loaded.info.kind == IMAGE_PAIRS and len(loaded) == 5
    scores = evaluate_sr(loaded.dataset)["mean"]
    assert scores["bicubic_psnr"] == pytest.approx(28.43, abs=0.02)  # the paper's Set5 bicubic PSNR
    assert 0.80 < scores["bicubic_ssim"] < 0.83


def _model(**model: object) -> SRGAN:
    defaults = {
        "blocks": 2,
        "channels": 16,
        "d_channels": 4,
        "d_dense": 16,
        "pretrain_steps": 100,
        "content_loss": "mse",
        "vgg_weights": "random",
        "adversarial_weight": 1e-3,
        "grid_crops": 2,
        "bicubic_residual": False,
    }
    config = build_config(
        {"loss": "bce", "model": {**defaults, **model}, "train": {"steps": 100, "lr": 1e-3, "betas": [0.9, 0.999]}}, []
    )
    return SRGAN(config, DataInfo("test", IMAGE_PAIRS, (3, 32, 32), extras={"scale": 4}))


def test_a_few_pretraining_steps_lower_the_mse(image_folder: Path) -> None:
    torch.manual_seed(0)
    dataset = SRImageFolder(image_files(image_folder), scale=4, hr_size=32, crops_per_image=2)
    batch = {k: torch.stack([dataset[i][k] for i in range(4)]) for k in ("lr", "hr")}
    module = _model()
    ctx = StepContext(lambda: batch, torch.device("cpu"), "fp32", None, module.configure_optimizers())
    ctx.phase = "pretrain"
    losses = [float(module.training_step(ctx)["mse_loss"]) for _ in range(25)]
    assert losses[-1] < 0.5 * losses[0], losses
    assert int(module.grid_count) == 2 and torch.equal(module.grid_hr, batch["hr"][:2])


def test_phases_split_train_steps() -> None:
    assert [(p.name, p.steps) for p in _model(pretrain_steps=30).phases()] == [("pretrain", 30), ("adversarial", 70)]
    assert [(p.name, p.steps) for p in _model(pretrain_steps=500).phases()] == [("pretrain", 100)]
    with pytest.raises(UserError, match="content loss"):
        _model(content_loss="bce")


def test_tiled_upscaling_matches_a_whole_image_pass() -> None:
    torch.manual_seed(0)
    network = SRResNet(4, channels=8, blocks=1).eval()
    lr = torch.rand(1, 3, 23, 30) * 2 - 1
    with torch.no_grad():
        whole = network(lr)
        tiled = upscale_tiled(network, lr, 4, tile=8, overlap=12)  # overlap > the network's receptive radius
    assert tiled.shape == (1, 3, 92, 120)
    assert torch.allclose(tiled, whole, atol=1e-5)


def test_vgg_content_loss_mechanics_with_random_weights() -> None:
    loss = content.VGGFeatureLoss(weights="random")
    hr = torch.rand(2, 3, 32, 32) * 2 - 1
    sr = (hr + 0.3 * torch.randn_like(hr)).requires_grad_()
    value = loss(sr, hr)
    value.backward()
    assert value.ndim == 0 and value > 0 and sr.grad is not None and sr.grad.abs().sum() > 0
    assert loss(hr, hr) == 0
    assert not any(p.requires_grad for p in loss.parameters()) and not loss.train().training


def test_vgg_without_cached_weights_offline_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_tmp: Path, cli, image_folder: Path
) -> None:
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))

    def offline(*args: object, **kwargs: object) -> None:
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(torch.hub, "download_url_to_file", offline)
    code, _, err = cli(
        "run",
        "srgan",
        "--dataset",
        "sr-pairs",
        "--set",
        f"data.root={image_folder}",
        "--set",
        "model.content_loss=vgg",
        "--set",
        "train.steps=2",
        *SMALL,
    )
    assert code == 2
    line = err.strip()
    assert "\n" not in line and "Traceback" not in line
    assert "vgg19-dcbb9e9d.pth" in line and str(tmp_path / "hub" / "checkpoints" / "vgg19-dcbb9e9d.pth") in line
    assert "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth" in line


@pytest.mark.slow
def test_both_phases_end_to_end_then_upscale_and_sample(in_tmp: Path, cli, image_folder: Path) -> None:
    code, _, err = cli(
        "run",
        "srgan",
        "--dataset",
        "sr-pairs",
        "--set",
        f"data.root={image_folder}",
        "--set",
        "train.steps=6",
        "--set",
        "model.pretrain_steps=3",
        "--set",
        "train.sample_every=3",
        "--set",
        "model.content_loss=vgg",
        "--set",
        "model.vgg_weights=random",
        *SMALL,
    )
    assert code == 0, err
    run = in_tmp / "runs" / "srgan-sr-pairs"
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["phase"] for r in records] == ["pretrain"] * 3 + ["adversarial"] * 3
    assert all(np.isfinite(r["d_loss"]) and np.isfinite(r["g_content"]) for r in records[3:])
    grid = Image.open(run / "samples" / "final.png")
    assert grid.size == (3 * 32 + 4 * 2, 2 * 32 + 3 * 2)  # rows of bicubic | SR | HR for 2 stored crops

    Image.fromarray(np.random.default_rng(1).integers(0, 256, (29, 43, 3), dtype=np.uint8)).save("small.png")
    code, out, err = cli("upscale", str(run), "small.png", "-o", "up/big.png", "--tile", "16")
    assert code == 0, err
    assert Image.open("up/big.png").size == (43 * 4, 29 * 4)
    code, _, err = cli("sample", str(run), "-n", "4", "--out", "grid.png")
    assert code == 0, err and Path("grid.png").is_file()


def test_user_errors_for_whole_image_sets_and_bad_inputs(in_tmp: Path, cli, data_dir: Path) -> None:
    code, _, err = cli("run", "srgan", "--dataset", "set5", "--set", "train.steps=1", "--no-progress")
    assert code == 2 and "whole images" in err
    code, _, err = cli("upscale", "no-such-run", "x.png", "-o", "y.png")
    assert code == 2 and "does not exist" in err


def test_streamed_png_decodes_to_the_same_pixels(tmp_path: Path) -> None:
    from ganzoo.png_stream import PNGStream

    pixels = np.random.default_rng(0).integers(0, 256, (37, 21, 3), dtype=np.uint8)
    with PNGStream(tmp_path / "s.png", 21, 37) as png:
        for top in range(0, 37, 8):
            png.write(pixels[top : top + 8])
    assert np.array_equal(np.asarray(Image.open(tmp_path / "s.png").convert("RGB")), pixels)
    assert [p.name for p in tmp_path.iterdir()] == ["s.png"]  # no temp file left


def test_a_decompression_bomb_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ganzoo.upscale import read_rgb

    Image.fromarray(np.zeros((64, 64, 3), dtype=np.uint8)).save(tmp_path / "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(
        UserError,
        match=r"^image .*bomb.png has 4,096 pixels, over Pillow's decompression-bomb "
        r"limit of 1,000; crop or downscale it first$",
    ):
        read_rgb(tmp_path / "bomb.png")
