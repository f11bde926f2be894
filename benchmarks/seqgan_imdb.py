"""SeqGAN on IMDB reviews, sized for a CPU: BLEU-2/3/4 of generated reviews against held-out (test split)
reviews, self-BLEU among the samples (lower is more diverse) and perplexity on the held-out reviews,
measured after MLE pre-training and after adversarial training, beside the same numbers for real
training reviews (the ceiling for BLEU, the floor for self-BLEU).

    GANZOO_DATA=../shared/data OMP_NUM_THREADS=1 python benchmarks/seqgan_imdb.py   # writes results/seqgan_imdb.json
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import torch

import ganzoo
from ganzoo.metrics.text import bleu, perplexity, self_bleu
from ganzoo.text import decode

RESULTS = Path(__file__).resolve().parent / "results" / "seqgan_imdb.json"


def words(tokens: torch.Tensor, vocab: list[str], stops: list[int]) -> list[list[str]]:
    """Token ids as word lists, cut at ``<eos>``/``<pad>``."""
    return [decode(row, vocab, stops) for row in tokens.tolist()]


class TextScores:
    """BLEU, self-BLEU and held-out perplexity of a generator, against one fixed set of references."""

    def __init__(self, held_out: torch.Tensor, extras: dict[str, Any], samples: int, references: int) -> None:
        self.vocab, self.stops = list(extras["vocab"]), [int(extras["eos_id"]), int(extras["pad_id"])]
        self.held_out = held_out
        self.mask = (held_out != int(extras["pad_id"])).float()  # the words and the <eos> ending short reviews
        self.references = words(held_out[:references], self.vocab, self.stops)
        self.samples = samples

    def of_words(self, hypotheses: list[list[str]]) -> dict[str, float]:
        """BLEU-2/3/4 against the references and self-BLEU-2/3/4 of ``hypotheses``."""
        hypotheses = [h for h in hypotheses if h] or [["<empty>"]]
        scores = {f"bleu{n}": round(bleu(hypotheses, self.references, n), 4) for n in (2, 3, 4)}
        scores |= {f"self_bleu{n}": round(self_bleu(hypotheses, n), 4) for n in (2, 3, 4)}
        return scores

    def of_generator(self, generator: Any) -> dict[str, float]:
        """Scores of ``samples`` fresh samples (private RNG) and the generator's held-out perplexity."""
        rng = torch.Generator(generator.output.weight.device).manual_seed(4321)
        with torch.no_grad():
            tokens = generator.sample(self.samples, generator=rng)
            ppl = perplexity(generator, self.held_out.to(tokens.device), self.mask.to(tokens.device))
        return self.of_words(words(tokens.cpu(), self.vocab, self.stops)) | {"perplexity": round(ppl, 2)}


class PhaseEndProbe(ganzoo.Callback):
    """Score the generator at the end of every phase."""

    def __init__(self, scores: TextScores) -> None:
        self.scores, self.records, self.started = scores, [], time.perf_counter()

    def on_phase_end(self, trainer: Any, phase: str) -> None:
        record = {
            "step": trainer.step,
            "phase": phase,
            "minutes": round((time.perf_counter() - self.started) / 60, 2),
            **self.scores.of_generator(trainer.module.generator),
        }
        self.records.append(record)
        print(json.dumps(record), flush=True)


def overrides(args: argparse.Namespace) -> list[str]:
    """The run's settings for ``args``."""
    filters = [
        max(1, round(n * args.filter_scale)) for n in (100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160)
    ]
    return [
        f"data.vocab_size={args.vocab}",
        f"model.mle_steps={args.mle_steps}",
        f"model.d_pretrain_steps={args.d_pretrain_steps}",
        f"train.steps={args.mle_steps + args.d_pretrain_steps + args.adversarial_steps}",
        f"model.rollout_num={args.rollouts}",
        f"model.embed_dim={args.embed_dim}",
        f"model.hidden_dim={args.hidden_dim}",
        f"model.d_num_filters={filters}".replace(" ", ""),
        f"train.batch_size={args.batch}",
        f"train.precision={args.precision}",
        "train.log_every=10",
        "train.sample_every=100000",
        "train.checkpoint_every=100000",
    ]


def run_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    """Train SeqGAN on the IMDB training split and score it after each phase."""
    settings = overrides(args)
    held_out = ganzoo.load_dataset("imdb", vocab_size=args.vocab, split="test")
    train = ganzoo.load_dataset("imdb", vocab_size=args.vocab)
    scores = TextScores(held_out.tensors["tokens"], dict(held_out.info.extras), args.samples, args.references)
    real = words(
        train.tensors["tokens"][torch.randperm(len(train), generator=torch.Generator().manual_seed(0))[: args.samples]],
        scores.vocab,
        scores.stops,
    )
    results: dict[str, Any] = {
        "settings": vars(args) | {"out": str(args.out)},
        "data": {"train": train.description, "held_out": held_out.description},
        "real_training_reviews": scores.of_words(real),
    }
    probe = PhaseEndProbe(scores)
    started = time.perf_counter()
    result = ganzoo.train("seqgan", "imdb", args.runs, sets=settings, seed=args.seed, callbacks=[probe])
    results["phases"] = probe.records
    results["run"] = {
        "dir": str(result.dir),
        "steps": result.step,
        "minutes": round((time.perf_counter() - started) / 60, 2),
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
    }
    return results


def make_parser() -> argparse.ArgumentParser:
    """Sizes as flags; the defaults fit a shared 2-core CPU (``make_parser().parse_args([])`` gives them)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in (
        ("vocab", 2000),
        ("batch", 64),
        ("mle-steps", 400),
        ("d-pretrain-steps", 10),
        ("adversarial-steps", 10),
        ("rollouts", 8),
        ("embed-dim", 32),
        ("hidden-dim", 32),
        ("samples", 100),
        ("references", 300),
        ("seed", 0),
    ):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--filter-scale", type=float, default=0.25)
    parser.add_argument("--precision", default="fp32")
    parser.add_argument("--runs", type=Path, default=Path("runs/bench-seqgan-imdb"))
    parser.add_argument("--out", type=Path, default=RESULTS)
    return parser


def main() -> None:
    """Command line: train, score, print and write JSON."""
    args = make_parser().parse_args()
    results = run_benchmark(args)
    print(json.dumps({"real": results["real_training_reviews"], "phases": results["phases"]}, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
