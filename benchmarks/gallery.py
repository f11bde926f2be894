"""The gallery: train every built-in model at a CPU budget and write one picture per model plus a montage.

    python benchmarks/gallery.py [--models dcgan cgan ...] [--scale 1.0] [--out benchmarks/results/gallery]

Each model trains through ``ganzoo.train`` on MNIST (``$GANZOO_DATA``; scikit-learn's digits when it is
absent), the toy GAN on grid25, SRGAN on Set14 crops, SeqGAN on the IMDB sample and CycleGAN from
digits to MNIST. The picture is the model's own sample grid (one row per class for conditional models,
bicubic | SR | HR rows for SRGAN, digit | translated | MNIST | translated back for CycleGAN, a density plot
for the toy GAN) drawn with a fixed seed; SeqGAN's decoded samples are drawn as text. ``montage.png``
puts them side by side for the README, and ``gallery.json`` records steps, settings and CPU minutes.
``--scale`` multiplies every step budget (``--scale 0.01`` checks the script in seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
from PIL import Image, ImageDraw, ImageFont

import ganzoo
from ganzoo.bench.system import cpu_seconds, environment

OUT = Path(__file__).resolve().parent / "results" / "gallery"
COMMON = ["train.precision=fp32", "train.sample_every=100000", "train.checkpoint_every=100000", "train.log_every=50"]
_DC = ["model.g_channels=32", "model.d_channels=32"]
_RES = ["model.g_channels=16", "model.d_channels=16", "model.z_dim=64"]
# zoo_models.py's SNGAN recipe for the CPU
_SN_CPU = ["train.d_steps=1", "train.d_lr=1e-3", "train.g_lr=2e-4", "train.lr_schedule=constant"]
# model -> (dataset, or None for the image dataset of this machine; steps at --scale 1; overrides)
BUDGETS: dict[str, tuple[str | None, int, list[str]]] = {
    "dcgan": (None, 2000, _DC),
    "cgan": (None, 2000, _DC),
    "acgan": (None, 2000, _DC),
    "infogan": (None, 2000, []),
    "wgan-gp": (None, 1500, _DC),
    "wgan": (None, 1500, _DC),
    "sngan": (None, 2000, [*_RES, *_SN_CPU]),
    "sngan-projection": (None, 6000, [*_RES, *_SN_CPU]),  # its labels take hold after ~3,000 steps
    "began": (None, 1500, [*_DC, "model.hidden=32"]),
    "gan": ("grid25", 3000, []),
    "srgan": (
        "sr-pairs",
        600,
        ["model.blocks=4", "model.channels=16", "data.hr_size=48", "model.pretrain_steps=500", "train.lr=1e-3"],
    ),
    "seqgan": (
        "imdb",
        620,
        ["data.vocab_size=2000", "model.mle_steps=600", "model.d_pretrain_steps=10", "model.rollout_num=8"]
        + ["model.d_num_filters=[25,50,50,50,50,25,25,25,25,25,40,40]"],  # the paper's filters x0.25
    ),
    "cyclegan": (
        "domains",
        600,
        ["data.a=digits", "data.b=mnist", "data.a_margin=4", "model.g_channels=16", "model.g_blocks=1"]
        + ["model.d_channels=16", "model.d_layers=1", "model.identity_weight=0"]  # cyclegan_digits.py's recipe
        + ["train.batch_size=16"],  # the paper's batch of 1 would keep one preview image
    ),
}
TILE, CAPTION = 200, 22  # montage cell: the picture fitted into TILE x TILE, the model's name below


def image_dataset() -> str:
    """MNIST when its files are on this machine, else the offline digits."""
    try:
        ganzoo.load_dataset("mnist", split="test", limit=1)
    except ganzoo.UserError:
        return "digits"
    return "mnist"


def text_picture(lines: list[str], path: Path, chars: int = 44) -> Path:
    """Decoded text samples drawn black on white, one per line, each cut to ``chars`` characters."""
    font = ImageFont.load_default(size=16)
    picture = Image.new("RGB", (9 * chars + 12, 20 * len(lines) + 8), "white")
    draw = ImageDraw.Draw(picture)
    for row, line in enumerate(lines):
        draw.text((6, 4 + 20 * row), line[:chars], fill="black", font=font)
    picture.save(path)
    return path


def picture(run: ganzoo.Run, path: Path) -> Path:
    """The model's sample grid as a PNG (text models: their decoded samples, drawn)."""
    if run.module.info.kind == ganzoo.TEXT:
        with torch.no_grad():
            lines = run.module.sample_text(10, generator=torch.Generator().manual_seed(0))
        return text_picture(lines, path)
    n = 100 if run.spec.conditions == ("label",) else 64
    return run.save_grid(path, n=n, seed=0)


def montage(pictures: dict[str, Path], path: Path, columns: int = 5) -> Path:
    """The pictures fitted into equal cells with the model's name below each."""
    rows = -(-len(pictures) // columns)
    sheet = Image.new("RGB", (columns * TILE, rows * (TILE + CAPTION)), "white")
    draw, font = ImageDraw.Draw(sheet), ImageFont.load_default(size=14)
    for index, (name, source) in enumerate(pictures.items()):
        tile = Image.open(source).convert("RGB")
        tile.thumbnail((TILE - 8, TILE - 8), Image.Resampling.LANCZOS)
        x, y = (index % columns) * TILE, (index // columns) * (TILE + CAPTION)
        sheet.paste(tile, (x + (TILE - tile.width) // 2, y + (TILE - tile.height) // 2))
        draw.text((x + 6, y + TILE + 4), name, fill="black", font=font)
    sheet.quantize(colors=256).save(path, optimize=True)  # a palette PNG: a third of the size, for the README
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=list(BUDGETS), default=list(BUDGETS))
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every step budget")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    images = image_dataset()
    record_path = args.out / "gallery.json"
    records: dict[str, Any] = json.loads(record_path.read_text()) if record_path.is_file() else {}
    with tempfile.TemporaryDirectory() as runs:
        for model in args.models:
            dataset, steps, overrides = BUDGETS[model]
            steps = max(1, round(steps * args.scale))
            sets = [
                f"train.steps={steps}",
                *COMMON,
                *(scaled(s, args.scale) if "_steps=" in s else s for s in overrides),
            ]
            cpu, wall = cpu_seconds(), time.perf_counter()
            run = ganzoo.train(model, dataset or images, Path(runs) / model, sets=sets, seed=0, device="cpu")
            records[model] = {
                "dataset": dataset or images,
                "steps": run.step,
                "settings": sets,
                "cpu_min": round((cpu_seconds() - cpu) / 60, 2),
                "wall_min": round((time.perf_counter() - wall) / 60, 2),
                "torch_threads": torch.get_num_threads(),
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "picture": picture(run, args.out / f"{model}.png").name,
                "environment": environment(),
            }
            print(json.dumps({"model": model, **records[model]}), flush=True)
            record_path.write_text(json.dumps(records, indent=2) + "\n")
    shown = {m: args.out / records[m]["picture"] for m in BUDGETS if m in records}
    print(f"wrote {montage(shown, args.out / 'montage.png')}")


def scaled(setting: str, scale: float) -> str:
    """A phase-length setting (``model.mle_steps=600``) scaled like the step budget."""
    key, value = setting.split("=")
    return f"{key}={max(1, round(int(value) * scale))}"


if __name__ == "__main__":
    main()
