"""Issue 9: SeqGAN's Monte Carlo rollouts, batched (``rollout_rewards``) against the one-at-a-time loop of
the common implementations (``sequential_rollout_rewards``), on the same generator, discriminator,
sequences and uniform draws. Reports both times, their ratio and the largest reward difference.

    python benchmarks/rollout_speed.py [--batch 64 --rollouts 16 ...]   # prints, writes results/rollout_speed.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import torch

from ganzoo.text import LSTMLanguageModel
from ganzoo_plugins.seqgan.discriminator import PAPER_FILTER_SIZES, PAPER_NUM_FILTERS, Discriminator
from ganzoo_plugins.seqgan.rollout import rollout_rewards, rollout_uniforms, sequential_rollout_rewards

RESULTS = Path(__file__).resolve().parent / "results" / "rollout_speed.json"


def _best_time(fn: Any, repeats: int) -> tuple[float, torch.Tensor]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return best, result  # type: ignore[return-value]


@torch.no_grad()
def compare_rollouts(
    batch: int = 64,
    rollouts: int = 16,
    length: int = 20,
    vocab: int = 5000,
    embed_dim: int = 32,
    hidden_dim: int = 32,
    filter_scale: float = 1.0,
    chunk_rows: int = 4096,
    repeats: int = 2,
    seed: int = 0,
    device: str = "cpu",
) -> dict[str, Any]:
    """Time both rollouts on one random generator and paper-shaped discriminator (filter counts scaled
    by ``filter_scale``); returns sizes, seconds, ``ratio`` (sequential / batched) and ``max_reward_diff``."""
    torch.manual_seed(seed)
    policy = LSTMLanguageModel(vocab, embed_dim, hidden_dim, length, 0).to(device).eval()
    counts = [max(1, round(n * filter_scale)) for n in PAPER_NUM_FILTERS]
    discriminator = Discriminator(vocab, length, 64, PAPER_FILTER_SIZES, counts, 0.25).to(device).eval()

    def scorer(tokens: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(discriminator(tokens))

    tokens = policy.sample(batch, generator=torch.Generator(device).manual_seed(seed))
    uniform = rollout_uniforms(rollouts, tokens, torch.Generator(device).manual_seed(seed + 1))
    batched_s, batched = _best_time(
        lambda: rollout_rewards(policy, scorer, tokens, rollouts, uniform, chunk_rows), repeats
    )
    sequential_s, sequential = _best_time(
        lambda: sequential_rollout_rewards(policy, scorer, tokens, rollouts, uniform), repeats
    )
    return {
        "device": str(device),
        "threads": torch.get_num_threads(),
        "batch": batch,
        "rollouts": rollouts,
        "length": length,
        "vocab": vocab,
        "embed_dim": embed_dim,
        "hidden_dim": hidden_dim,
        "discriminator_filters": sum(counts),
        "chunk_rows": chunk_rows,
        "batched_s": round(batched_s, 4),
        "sequential_s": round(sequential_s, 4),
        "ratio": round(sequential_s / batched_s, 2),
        "max_reward_diff": float((batched - sequential).abs().max()),
    }


def main() -> None:
    """Command line: sizes as flags; prints the result and writes it as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in (
        ("batch", 64),
        ("rollouts", 16),
        ("length", 20),
        ("vocab", 5000),
        ("repeats", 2),
        ("chunk-rows", 4096),
    ):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--filter-scale", type=float, default=1.0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    result = compare_rollouts(
        args.batch,
        args.rollouts,
        args.length,
        args.vocab,
        filter_scale=args.filter_scale,
        chunk_rows=args.chunk_rows,
        repeats=args.repeats,
        device=args.device,
    )
    print(json.dumps(result, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
