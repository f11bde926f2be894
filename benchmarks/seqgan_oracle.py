"""SeqGAN's synthetic-oracle experiment (Yu et al. 2017, table 1), sized for a CPU: NLL-oracle of generated
samples for the MLE baseline and for SeqGAN, at equal generator size (embedding 32, hidden 32).

Both runs share the seed, so their MLE pre-training is identical step for step (evaluation draws from
its own generator and never touches the training RNG). SeqGAN then runs the discriminator and adversarial
phases; the MLE baseline instead continues MLE for as many generator updates as SeqGAN's adversarial phase
makes (``--mle-extra``, default: ``--adversarial-steps``). NLL-oracle (mean true negative log-likelihood per
token under the oracle, over ``--eval-samples`` samples, temperature 1 in both arms) is recorded along the way;
``g_updates`` counts generator updates after MLE pre-training, so the two curves line up.

    OMP_NUM_THREADS=1 python benchmarks/seqgan_oracle.py   # prints a summary, writes results/seqgan_oracle.json
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
from ganzoo.metrics.text import nll_oracle
from ganzoo_plugins.text.oracle import Oracle

RESULTS = Path(__file__).resolve().parent / "results" / "seqgan_oracle.json"
PAPER = {"random": 10.310, "mle": 9.038, "seqgan": 8.736}


class NLLOracleProbe(ganzoo.Callback):
    """Record NLL-oracle of fresh samples after step 1, at every phase end, and every ``every`` steps
    after pre-training (step ``after``)."""

    def __init__(self, eval_samples: int, every: int, after: int, pretrain: int, seed: int = 4321) -> None:
        self.eval_samples, self.every, self.after, self.seed = eval_samples, every, after, seed
        self.pretrain = pretrain  # steps before the first generator update that counts in g_updates
        self.records: list[dict[str, Any]] = []
        self.started = time.perf_counter()
        self.oracle: Oracle | None = None

    def measure(self, trainer: Any, phase: str) -> None:
        """Sample from the generator with a private RNG and score the samples under the oracle."""
        module = trainer.module
        if self.oracle is None:
            self.oracle = Oracle.from_spec(module.info.extras["oracle"]).to(module.device)
        generator = torch.Generator(module.device).manual_seed(self.seed)
        with torch.no_grad():
            samples = module.generator.sample(self.eval_samples, generator=generator)
        self.records.append(
            {
                "step": trainer.step,
                "phase": phase,
                "g_updates": max(0, trainer.step - self.pretrain),
                "nll_oracle": round(nll_oracle(self.oracle, samples), 4),
                "minutes": round((time.perf_counter() - self.started) / 60, 2),
            }
        )
        print(json.dumps(self.records[-1]), flush=True)

    def on_step_end(self, trainer: Any) -> None:
        if trainer.step == 1 or (trainer.step > self.after and (trainer.step - self.after) % self.every == 0):
            self.measure(trainer, trainer.context.phase)

    def on_phase_end(self, trainer: Any, phase: str) -> None:
        if not self.records or self.records[-1]["step"] != trainer.step:
            self.measure(trainer, phase)


def overrides(args: argparse.Namespace) -> list[str]:
    """The run's settings for ``args`` (both arms; each adds its own steps)."""
    filters = [
        max(1, round(n * args.filter_scale)) for n in (100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160)
    ]
    return [
        f"data.num_sequences={args.num_sequences}",
        f"data.vocab_size={args.vocab}",
        "data.length=20",
        f"model.mle_steps={args.mle_steps}",
        f"model.d_pretrain_steps={args.d_pretrain_steps}",
        f"model.rollout_num={args.rollouts}",
        f"model.d_batches={args.d_batches}",
        f"train.d_lr={args.d_lr}",
        f"model.d_num_filters={filters}".replace(" ", ""),
        f"train.batch_size={args.batch}",
        f"train.precision={args.precision}",
        f"model.reward_baseline={str(args.reward_baseline).lower()}",
        "train.log_every=10",
        "train.sample_every=100000",
        "train.checkpoint_every=100000",
    ]


def run_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    """Train the MLE baseline and SeqGAN on the same oracle data and return both NLL-oracle curves."""
    results: dict[str, Any] = {"paper_table_1": PAPER, "settings": vars(args) | {"out": str(args.out)}}
    mle_extra = args.mle_extra or args.adversarial_steps
    pretrain = args.mle_steps + args.d_pretrain_steps
    for name, extra, after in (
        ("seqgan", [f"train.steps={pretrain + args.adversarial_steps}"], pretrain),
        ("mle", ["model.mle_only=true", f"train.steps={args.mle_steps + mle_extra}"], args.mle_steps),
    ):
        probe = NLLOracleProbe(args.eval_samples, args.eval_every, after, after)
        started = time.perf_counter()
        result = ganzoo.train(
            "seqgan", "oracle", args.runs / name, sets=overrides(args) + extra, seed=args.seed, callbacks=[probe]
        )
        results[name] = {
            "curve": probe.records,
            "steps": result.step,
            "minutes": round((time.perf_counter() - started) / 60, 2),
            "final_nll_oracle": probe.records[-1]["nll_oracle"],
        }
    mle_end = [r["nll_oracle"] for r in results["seqgan"]["curve"] if r["phase"] == "mle"][-1]
    after = {
        name: {r["g_updates"]: r["nll_oracle"] for r in results[name]["curve"] if r["g_updates"] > 0}
        for name in ("seqgan", "mle")
    }
    shared = sorted(set(after["seqgan"]) & set(after["mle"]))
    results["summary"] = {
        "nll_oracle_after_mle_pretraining": mle_end,
        "nll_oracle_mle_baseline_final": results["mle"]["final_nll_oracle"],
        "nll_oracle_seqgan_final": results["seqgan"]["final_nll_oracle"],
        "compared_at_g_updates": shared,
        "nll_oracle_mle_mean_over_compared": round(sum(after["mle"][u] for u in shared) / max(1, len(shared)), 4),
        "nll_oracle_seqgan_mean_over_compared": round(sum(after["seqgan"][u] for u in shared) / max(1, len(shared)), 4),
        "seqgan_below_mle_at": [u for u in shared if after["seqgan"][u] < after["mle"][u]],
        "seqgan_beats_mle_final": results["seqgan"]["final_nll_oracle"] < results["mle"]["final_nll_oracle"],
        "cpu_threads": torch.get_num_threads(),
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "cpu_count": os.cpu_count(),
    }
    return results


def make_parser() -> argparse.ArgumentParser:
    """Sizes as flags; the defaults fit a shared 2-core CPU (``make_parser().parse_args([])`` gives them)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in (
        ("num-sequences", 10000),
        ("vocab", 5000),
        ("batch", 64),
        ("mle-steps", 2000),
        ("d-pretrain-steps", 30),
        ("adversarial-steps", 20),
        ("mle-extra", 0),
        ("rollouts", 8),
        ("d-batches", 4),
        ("eval-samples", 2000),
        ("eval-every", 2),
        ("seed", 0),
    ):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--filter-scale", type=float, default=0.25)
    parser.add_argument("--d-lr", type=float, default=1e-4)
    parser.add_argument("--reward-baseline", action="store_true", help="subtract the mean reward per position")
    parser.add_argument("--precision", default="fp32")
    parser.add_argument("--runs", type=Path, default=Path("runs/bench-seqgan-oracle"))
    parser.add_argument("--out", type=Path, default=RESULTS)
    return parser


def main() -> None:
    """Command line: train, score, print and write JSON."""
    args = make_parser().parse_args()
    results = run_benchmark(args)
    print(json.dumps(results["summary"], indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
