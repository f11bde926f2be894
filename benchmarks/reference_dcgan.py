"""The plain training loop a user writes from the PyTorch DCGAN example, as the baseline for ganzoo's trainer.

What the example does, kept as is: torchvision's MNIST with ``ToTensor``/``Normalize`` transforms, a
shuffling ``DataLoader`` with worker processes, ``.to(device)`` per batch, ``BCELoss`` on sigmoid outputs,
separate backward passes for the real and fake halves of the discriminator loss, and ``.item()`` on the
losses every iteration. What is made equal to ganzoo's DCGAN: the networks (ganzoo.nn's DCGANGenerator and
DCGANDiscriminator, plus a Sigmoid), the batch size, Adam(lr=2e-4, betas=(0.5, 0.999)) and fp32 precision
(the example has no mixed precision).

    python benchmarks/reference_dcgan.py --steps 40 --batch-size 64 [--warmup 5] [--image-size 28]

Prints one JSON line: steady-state samples/s (after ``--warmup`` steps), samples per CPU-second of this
process (all its threads; DataLoader workers not included), steps, batch size, peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path
from typing import Any

import torch
import torchvision
import torchvision.transforms as T
from torch import nn
from torch.utils.data import DataLoader

from ganzoo.nn import DCGANDiscriminator, DCGANGenerator

Z_DIM = 100


def make_loader(root: Path, batch_size: int, image_size: int, workers: int) -> DataLoader:
    """MNIST training images as the example loads them: PIL -> tensor -> [-1, 1], reshuffled every epoch."""
    transform = T.Compose([T.Resize(image_size), T.ToTensor(), T.Normalize((0.5,), (0.5,))])
    dataset = torchvision.datasets.MNIST(str(root), train=True, download=False, transform=transform)
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=workers, drop_last=True)


def iteration(
    real: torch.Tensor,
    net_g: nn.Module,
    net_d: nn.Module,
    opt_g: torch.optim.Optimizer,
    opt_d: torch.optim.Optimizer,
    criterion: nn.Module,
) -> tuple[float, float]:
    """One iteration of the example's loop: D on real, D on fake, G through D; the losses as floats."""
    dev, b = real.device, real.size(0)
    net_d.zero_grad()
    label = torch.full((b,), 1.0, device=dev)
    err_d_real = criterion(net_d(real).view(-1), label)
    err_d_real.backward()
    fake = net_g(torch.randn(b, Z_DIM, 1, 1, device=dev))
    label.fill_(0.0)
    err_d_fake = criterion(net_d(fake.detach()).view(-1), label)
    err_d_fake.backward()
    opt_d.step()
    net_g.zero_grad()
    label.fill_(1.0)
    err_g = criterion(net_d(fake).view(-1), label)
    err_g.backward()
    opt_g.step()
    return err_d_real.item() + err_d_fake.item(), err_g.item()


def networks(image_size: int = 28, device: str | torch.device = "cpu") -> tuple[nn.Module, nn.Module]:
    """The example's generator and discriminator (sigmoid output) at ganzoo's DCGAN sizes."""
    return (
        DCGANGenerator(Z_DIM, 1, image_size).to(device),
        nn.Sequential(DCGANDiscriminator(1, image_size), nn.Sigmoid()).to(device),
    )


def train(
    root: Path,
    steps: int,
    batch_size: int,
    warmup: int,
    image_size: int = 28,
    workers: int = 2,
    device: str = "cpu",
    seed: int = 0,
) -> dict[str, Any]:
    """Run ``steps`` DCGAN iterations and return the throughput after ``warmup`` iterations."""
    torch.manual_seed(seed)
    dev = torch.device(device)
    net_g, net_d = networks(image_size, dev)
    criterion = nn.BCELoss()
    opt_d = torch.optim.Adam(net_d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(net_g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    loader = make_loader(root, batch_size, image_size, workers)
    step, started, losses = 0, 0.0, []
    while step < steps:
        for images, _ in loader:
            if step == warmup:
                if dev.type == "cuda":
                    torch.cuda.synchronize()
                started, cpu_started = time.perf_counter(), time.process_time()
            losses.append(iteration(images.to(dev), net_g, net_d, opt_g, opt_d, criterion))
            step += 1
            if step >= steps:
                break
    if dev.type == "cuda":
        torch.cuda.synchronize()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "impl": "reference",
        "device": str(dev),
        "steps": steps,
        "warmup": warmup,
        "batch_size": batch_size,
        "image_size": image_size,
        "workers": workers,
        "threads": torch.get_num_threads(),
        "samples_per_s": round((steps - warmup) * batch_size / seconds, 2),
        "samples_per_cpu_s": round((steps - warmup) * batch_size / cpu_seconds, 2),
        "final_d_loss": round(losses[-1][0], 4),
        "final_g_loss": round(losses[-1][1], 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.environ.get("GANZOO_DATA", ""), help="folder holding MNIST/raw")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--image-size", type=int, default=28)
    parser.add_argument("--workers", type=int, default=2, help="DataLoader workers (the example's default: 2)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    if not (Path(args.root) / "MNIST" / "raw").is_dir():
        parser.error("MNIST not found: pass --root or set GANZOO_DATA to the folder holding MNIST/raw")
    if args.steps <= args.warmup:
        parser.error("--steps must be larger than --warmup")
    print(
        json.dumps(
            train(Path(args.root), args.steps, args.batch_size, args.warmup, args.image_size, args.workers, args.device)
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
