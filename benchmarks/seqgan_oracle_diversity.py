"""Quality and diversity of the two generators ``seqgan_oracle.py`` trained: NLL-oracle (quality), the
generator's NLL on fresh oracle samples (NLL-test: coverage of the real distribution, as Texygen reports
it) and the generator's own per-token entropy estimate (mean -log G of its samples). A sharper generator
lowers NLL-oracle and entropy but raises NLL-test.

    OMP_NUM_THREADS=1 python benchmarks/seqgan_oracle_diversity.py --runs runs/bench-seqgan-oracle
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

import ganzoo
from ganzoo.metrics.text import mean_nll, nll_oracle
from ganzoo_plugins.text.oracle import Oracle

RESULTS = Path(__file__).resolve().parent / "results" / "seqgan_oracle_diversity.json"


def scores(run_dir: Path, samples: int, seed: int) -> dict[str, float]:
    """NLL-oracle, NLL-test and entropy per token of the generator in ``run_dir`` (last checkpoint)."""
    run = ganzoo.load_run(run_dir)
    module = run.module
    oracle = Oracle.from_spec(module.info.extras["oracle"])
    generated = module.generator.sample(samples, generator=torch.Generator().manual_seed(seed))
    real = oracle.sample(samples, generator=torch.Generator().manual_seed(seed + 1))
    return {
        "step": run.step,
        "nll_oracle": round(nll_oracle(oracle, generated), 4),
        "nll_test": round(mean_nll(module.generator, real), 4),
        "entropy_per_token": round(mean_nll(module.generator, generated), 4),
    }


def main() -> None:
    """Score the ``seqgan`` and ``mle`` runs under ``--runs``; print and write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, default=Path("runs/bench-seqgan-oracle"))
    parser.add_argument("--samples", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    torch.set_num_threads(1)
    results = {
        "settings": {"runs": str(args.runs), "samples": args.samples, "seed": args.seed},
        **{name: scores(args.runs / name, args.samples, args.seed) for name in ("mle", "seqgan")},
    }
    print(json.dumps(results, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
