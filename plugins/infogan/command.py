"""``ganzoo traverse RUN_DIR``: the infogan plugin's latent traversal figure (the paper's Figure 2).

Only argparse at import time: the handler imports torch when it runs.
"""

from __future__ import annotations

import argparse


def add_traverse(subparsers: argparse._SubParsersAction) -> None:
    """Register the ``traverse`` subcommand."""
    p = subparsers.add_parser(
        "traverse",
        help="latent traversal figure of an infogan run: rows = categorical "
        "value, columns = a continuous code swept -2..2",
    )
    p.add_argument("run_dir")
    p.add_argument("--code", type=int, default=0, help="which continuous code to sweep")
    p.add_argument("--out", metavar="FILE.png", help="default: RUN_DIR/samples/traverse_codeN_stepS.png")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(handler=traverse)


def traverse(args: argparse.Namespace) -> None:
    """Draw the traversal grid of ``args.run_dir``'s last checkpoint and save it as a PNG."""
    from pathlib import Path

    import torch

    import ganzoo
    from ganzoo import render

    run = ganzoo.load_run(args.run_dir)
    grid = getattr(run.module, "traversal_grid", None)
    if grid is None:
        raise ganzoo.UserError(f"model '{run.name}' has no latent codes to traverse; traverse works with infogan")
    if not 0 <= args.seed < 2**63:
        raise ganzoo.UserError(f"--seed must be between 0 and 2**63 - 1, got {args.seed}")
    target = Path(args.out) if args.out else run.dir / "samples" / f"traverse_code{args.code}_step{run.step}.png"
    if target.suffix.lower() != ".png":
        raise ganzoo.UserError(f"--out must end in .png, got {target.name}")
    with torch.no_grad():
        images, nrow = grid(code=args.code, generator=torch.Generator().manual_seed(args.seed))
    render.save_grid(images, target, nrow=nrow)
    print(f"wrote the traversal of code {args.code} to {target}")
