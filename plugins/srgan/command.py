"""``ganzoo upscale RUN_DIR IMAGE -o OUT``: the srgan plugin's command (any image-to-image run works).

Only argparse at import time: the handler imports torch and the tiling building block when it runs.
"""

from __future__ import annotations

import argparse


def add_upscale(subparsers: argparse._SubParsersAction) -> None:
    """Register the ``upscale`` subcommand."""
    p = subparsers.add_parser("upscale", help="super-resolve an image with a trained image-to-image run (e.g. srgan)")
    p.add_argument("run_dir")
    p.add_argument("image", metavar="IMAGE.png")
    p.add_argument("-o", "--out", required=True, metavar="OUT.png")
    p.add_argument("--tile", type=int, default=128, help="LR tile side in pixels (bounds memory)")
    p.add_argument("--overlap", type=int, default=16, help="LR pixels of context around each tile")
    p.add_argument("--device", default="cpu", help="auto, cpu, cuda or cuda:N")
    p.set_defaults(handler=upscale)


def upscale(args: argparse.Namespace) -> None:
    """Upscale ``args.image`` with the last checkpoint of ``args.run_dir``, tile by tile, into ``args.out``."""
    from pathlib import Path

    import torch
    from PIL import Image

    import ganzoo
    from ganzoo.upscale import read_rgb, to_uint8, upscale_bands, write_upscaled

    run = ganzoo.load_run(args.run_dir)
    module = run.module
    if module.info.kind != ganzoo.IMAGE_PAIRS:
        raise ganzoo.UserError(
            f"run {args.run_dir} trained '{run.name}' on {module.info.kind} data; "
            f"upscale needs a super-resolution run (e.g. srgan)"
        )
    out = Path(args.out)
    if out.suffix.lower() not in Image.registered_extensions():
        raise ganzoo.UserError(f"cannot write {out.name}: unknown image extension; use .png or .jpg")
    device = ganzoo.resolve_device(args.device)
    module.to(device)
    scale = int(module.info.extras.get("scale", 4))
    lr = read_rgb(Path(args.image))
    height, width = lr.shape[-2] * scale, lr.shape[-1] * scale

    def upscale_tile(tile: torch.Tensor) -> torch.Tensor:
        return module.sample(len(tile), lr=tile.to(device).float() / 127.5 - 1)["image"]

    with torch.no_grad():
        write_upscaled(
            upscale_bands(upscale_tile, lr, scale, args.tile, args.overlap, convert=to_uint8), out, width, height
        )
    print(f"wrote {width}x{height} ({scale}x) to {args.out}")
