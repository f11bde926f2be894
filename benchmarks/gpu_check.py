"""The CUDA measurements of ``gpu_check.sh``: the DCGAN A/B against the plain loop, and a short CIFAR-10
DCGAN run scored with FID, written as one JSON with the card's name.

    python benchmarks/gpu_check.py ab  --json OUT.json [--rounds 3 --steps 400]
    python benchmarks/gpu_check.py fid --json OUT.json [--steps 3000]
    python benchmarks/gpu_check.py ab --dry-run ...     (on the CPU, tiny: exercises this script)

A/B: ``reference_dcgan.py`` (its DataLoader, fp32) against ``ganzoo run dcgan`` with data on the device,
bf16 autocast and channels_last, with and without ``torch.compile``, alternating in fresh processes.
FID: features of a small CNN trained here on CIFAR-10's training split (offline: no Inception weights
needed), 10,000 generated images against the 10,000 test images; an untrained generator and the real
training images are scored beside it as the two ends of the scale. Without the training split (as in
$GANZOO_DATA here) everything trains on the test split and the JSON says so.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
from torch import nn

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import speed  # noqa: E402

ARMS = {"ganzoo": [], "ganzoo-compile": ["train.compile=true"]}


def card() -> str:
    """The GPU's name, or ``cpu (dry run)``."""
    return torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu (dry run)"


def ab(rounds: int, steps: int, log_every: int, batch: int, arms: list[str]) -> dict[str, Any]:
    """Alternating rounds of the plain loop and the ganzoo arms; per-round ratios and medians."""
    env = dict(os.environ)
    runs: dict[str, list[dict[str, Any]]] = {"reference": [], **{arm: [] for arm in arms}}
    for index in range(rounds):
        order = ["reference", *arms] if index % 2 == 0 else [*arms[::-1], "reference"]
        for arm in order:
            result = (
                speed.reference(steps, batch, log_every, env)
                if arm == "reference"
                else speed.ganzoo_arm("dcgan", "mnist", ARMS[arm], steps, log_every, env, batch)
            )
            runs[arm].append(result)
            print(f"round {index} {arm:16s} {result['samples_per_s']:10.1f} samples/s", flush=True)
    summary = {}
    for arm in arms:
        ratios = [g["samples_per_s"] / r["samples_per_s"] for g, r in zip(runs[arm], runs["reference"])]
        summary[arm] = {
            "median_ratio_vs_reference": round(statistics.median(ratios), 3),
            "ratios": [round(x, 3) for x in ratios],
            "median_samples_per_s": round(statistics.median(x["samples_per_s"] for x in runs[arm]), 1),
        }
    summary["reference"] = {
        "median_samples_per_s": round(statistics.median(x["samples_per_s"] for x in runs["reference"]), 1)
    }
    return {"rounds": rounds, "steps": steps, "batch_size": batch, "runs": runs, "summary": summary}


class _SmallCNN(nn.Module):
    """A CIFAR-10 classifier whose 256-d penultimate layer serves as FID features."""

    def __init__(self) -> None:
        super().__init__()

        def block(i: int, o: int) -> list[nn.Module]:
            return [nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(True), nn.MaxPool2d(2)]

        self.features = nn.Sequential(
            *block(3, 64), *block(64, 128), *block(128, 256), nn.Flatten(), nn.Linear(256 * 16, 256), nn.ReLU(True)
        )
        self.head = nn.Linear(256, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def _cifar(split: str, limit: int) -> tuple[torch.Tensor, torch.Tensor]:
    import ganzoo

    data = ganzoo.load_dataset("cifar10", split=split, limit=limit)
    assert data.tensors is not None
    return data.tensors["image"], data.tensors["label"]


def train_classifier(images: torch.Tensor, labels: torch.Tensor, device: torch.device, epochs: int) -> _SmallCNN:
    """The feature network, trained for ``epochs`` on ``images`` in [-1, 1]."""
    torch.manual_seed(0)
    net = _SmallCNN().to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    images, labels = images.to(device), labels.to(device)
    for _ in range(epochs):
        for index in torch.randperm(len(images), device=device).split(256):
            loss = nn.functional.cross_entropy(net(images[index]), labels[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return net.eval()


@torch.no_grad()
def features(net: _SmallCNN, images: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Penultimate features of ``images`` (on the CPU, float64-ready)."""
    return torch.cat([net.features(images[i : i + 500].to(device)).float().cpu() for i in range(0, len(images), 500)])


def fid_run(steps: int, samples: int, epochs: int, limit: int) -> dict[str, Any]:
    """Train DCGAN on CIFAR-10 for ``steps`` and score it, an untrained generator and real images with FID."""
    import ganzoo
    from ganzoo.metrics.distances import fid

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    started = time.perf_counter()
    train_x, train_y = _cifar("auto", limit)  # the training split when present, else the test split
    test_x, test_y = _cifar("test", samples)
    overlap = len(train_x) == 10_000 or (limit and len(train_x) <= 10_000)
    net = train_classifier(train_x, train_y, device, epochs)
    with torch.no_grad():
        accuracy = (net(test_x.to(device)).argmax(1).cpu() == test_y).float().mean().item()
    real = features(net, test_x, device)
    scores: dict[str, float] = {"real_train_images": fid(real, features(net, train_x[:samples], device))}
    with tempfile.TemporaryDirectory() as tmp:
        sets = [
            f"train.steps={steps}",
            "train.log_every=100",
            f"train.sample_every={10 * steps}",
            f"train.checkpoint_every={10 * steps}",
            "data.split=auto",
            f"data.limit={limit}",
        ]
        train_started = time.perf_counter()
        result = ganzoo.train("dcgan", "cifar10", f"{tmp}/run", sets=sets)
        train_s = time.perf_counter() - train_started
        module = result.module.to(device).eval()
        generator = torch.Generator(device).manual_seed(0)
        with torch.no_grad():
            fake = torch.cat([module.sample(500, generator)["image"].float().cpu() for _ in range(samples // 500)])
        scores["dcgan"] = fid(real, features(net, fake, device))
        for layer in module.generator.modules():  # the same network, untrained
            if hasattr(layer, "reset_parameters"):
                layer.reset_parameters()
        with torch.no_grad():
            fake = torch.cat([module.sample(500, generator)["image"].float().cpu() for _ in range(samples // 500)])
        scores["untrained_generator"] = fid(real, features(net, fake, device))
    return {
        "steps": steps,
        "samples": samples,
        "train_s": round(train_s, 1),
        "classifier": {"epochs": epochs, "test_accuracy": round(accuracy, 4), "features": 256},
        "fid": {k: round(v, 3) for k, v in scores.items()},
        "note": "no CIFAR-10 training split here: the GAN and the classifier trained on the test split, "
        "which is also the FID reference"
        if overlap
        else "trained on the training split",
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=("ab", "fid"))
    parser.add_argument("--json", required=True, help="the results file; this part is merged into it")
    parser.add_argument("--dry-run", action="store_true", help="tiny settings on the CPU, to test the script")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=0, help="default: 400 (ab) or 3000 (fid); dry run: 8")
    args = parser.parse_args()
    if not args.dry_run and not torch.cuda.is_available():
        parser.error("no CUDA GPU here; pass --dry-run to exercise the script on the CPU")
    if not os.environ.get("GANZOO_DATA"):
        parser.error("set GANZOO_DATA to the folder holding MNIST/raw and cifar-10-batches-py")
    path = Path(args.json)
    report = json.loads(path.read_text()) if path.is_file() else {}
    report.update(
        card=card(),
        torch=torch.__version__,
        cuda=torch.version.cuda,
        dry_run=args.dry_run,
        date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    )
    if args.part == "ab":
        steps = args.steps or (8 if args.dry_run else 400)
        report["ab"] = ab(
            1 if args.dry_run else args.rounds,
            steps,
            2 if args.dry_run else 50,
            64,
            ["ganzoo"] if args.dry_run else list(ARMS),
        )
    else:
        steps = args.steps or (8 if args.dry_run else 3000)
        report["fid"] = fid_run(steps, 500, 1, 1000) if args.dry_run else fid_run(steps, 10_000, 3, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n")
    print(
        json.dumps(
            {k: v for k, v in report.items() if k not in ("ab",)}
            | ({"ab": report["ab"]["summary"]} if "ab" in report else {}),
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
