"""SeqGAN's synthetic-oracle experiment (Yu et al. 2017, table 1), sized for a CPU: NLL-oracle of generated
samples for the MLE baseline and for SeqGAN, at equal generator size (embedding 32, hidden 32).

Both runs share the seed, so their MLE pre-training is identical step for step (evaluation draws from
its own generator and never touches the training RNG). SeqGAN then runs the discriminator and adversarial
phases; the MLE baseline instead continues MLE for ``--mle-extra`` steps. NLL-oracle (mean true negative
log-likelihood per token under the oracle, over ``--eval-samples`` samples) is recorded along the way.

    OMP_NUM_THREADS=1 python benchmarks/seqgan_oracle.py   # prints a summary, writes results/seqgan_oracle.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import torch
from rich.console import Console

from ganzoo.metrics.text import nll_oracle
from ganzoo.runner import RunRequest, run
from ganzoo.trainer.callbacks import Callback
from ganzoo.trainer.loop import Trainer, phase_at
from ganzoo_plugins.text.oracle import Oracle

RESULTS = Path(__file__).resolve().parent / "results" / "seqgan_oracle.json"
PAPER = {"random": 10.310, "mle": 9.038, "seqgan": 8.736}


class NLLOracleProbe(Callback):
    """Record NLL-oracle of fresh samples after step 1, at every phase end, and every ``every`` steps
    after pre-training (step ``after``)."""

    def __init__(self, eval_samples: int, every: int, after: int, seed: int = 4321) -> None:
        self.eval_samples, self.every, self.after, self.seed = eval_samples, every, after, seed
        self.records: list[dict[str, Any]] = []
        self.started = time.perf_counter()
        self.oracle: Oracle | None = None

    def measure(self, trainer: Trainer, phase: str) -> None:
        """Sample from the generator with a private RNG and score the samples under the oracle."""
        module = trainer.module
        if self.oracle is None:
            self.oracle = Oracle.from_spec(module.info.extras["oracle"]).to(module.device)
        generator = torch.Generator(module.device).manual_seed(self.seed)
        with torch.no_grad():
            samples = module.generator.sample(self.eval_samples, generator=generator)
        self.records.append({"step": trainer.step, "phase": phase,
                             "nll_oracle": round(nll_oracle(self.oracle, samples), 4),
                             "minutes": round((time.perf_counter() - self.started) / 60, 2)})
        print(json.dumps(self.records[-1]), flush=True)

    def on_step_end(self, trainer: Trainer) -> None:
        phases = trainer.module.phases()
        phase = phase_at(phases, trainer.step).name
        ends_phase = trainer.step == sum(p.steps for p in phases) or phase_at(phases, trainer.step + 1).name != phase
        if trainer.step == 1 or ends_phase or (trainer.step > self.after and trainer.step % self.every == 0):
            self.measure(trainer, phase)


def _overrides(args: argparse.Namespace) -> list[str]:
    filters = [max(1, round(n * args.filter_scale)) for n in (100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160)]
    return [f"data.num_sequences={args.num_sequences}", f"data.vocab_size={args.vocab}", "data.length=20",
            f"model.mle_steps={args.mle_steps}", f"model.d_pretrain_steps={args.d_pretrain_steps}",
            f"model.rollout_num={args.rollouts}", f"model.d_batches={args.d_batches}", f"model.d_lr={args.d_lr}",
            f"model.d_num_filters={filters}".replace(" ", ""), f"train.batch_size={args.batch}",
            f"train.precision={args.precision}", f"model.reward_baseline={str(args.reward_baseline).lower()}",
            "train.log_every=10", "train.sample_every=100000", "train.checkpoint_every=100000"]


def run_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    """Train the MLE baseline and SeqGAN on the same oracle data and return both NLL-oracle curves."""
    console = Console(stderr=True)
    results: dict[str, Any] = {"paper_table_1": PAPER, "settings": vars(args) | {"out": str(args.out)}}
    for name, extra in (("seqgan", [f"train.steps={args.adversarial_steps}"]),
                        ("mle", ["model.mle_only=true", f"train.steps={args.mle_extra}"])):
        probe = NLLOracleProbe(args.eval_samples, args.eval_every, args.mle_steps + args.d_pretrain_steps)
        request = RunRequest("seqgan", "oracle", overrides=_overrides(args) + extra, out=str(args.runs / name),
                             seed=args.seed)
        result = run(request, console=console, show_progress=False, callbacks=[probe])
        results[name] = {"curve": probe.records, "steps": result.steps, "minutes": round(result.seconds / 60, 2),
                         "final_nll_oracle": probe.records[-1]["nll_oracle"]}
    mle_end = [r["nll_oracle"] for r in results["seqgan"]["curve"] if r["phase"] == "mle"][-1]
    results["summary"] = {
        "nll_oracle_after_mle_pretraining": mle_end,
        "nll_oracle_mle_baseline_final": results["mle"]["final_nll_oracle"],
        "nll_oracle_mle_baseline_best": min(r["nll_oracle"] for r in results["mle"]["curve"]),
        "nll_oracle_seqgan_final": results["seqgan"]["final_nll_oracle"],
        "seqgan_beats_mle": results["seqgan"]["final_nll_oracle"] < min(r["nll_oracle"] for r in results["mle"]["curve"]),
        "cpu_threads": torch.get_num_threads(),
    }
    return results


def main() -> None:
    """Command line: sizes as flags (defaults fit a shared 2-core CPU); prints and writes JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in (("num-sequences", 5000), ("vocab", 1000), ("batch", 64), ("mle-steps", 400),
                          ("d-pretrain-steps", 40), ("adversarial-steps", 15), ("mle-extra", 150),
                          ("rollouts", 4), ("d-batches", 4), ("eval-samples", 1000), ("eval-every", 5),
                          ("seed", 0)):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--filter-scale", type=float, default=0.25)
    parser.add_argument("--d-lr", type=float, default=1e-3)
    parser.add_argument("--reward-baseline", action="store_true", help="subtract the mean reward per position")
    parser.add_argument("--precision", default="fp32")
    parser.add_argument("--runs", type=Path, default=Path("runs/bench-seqgan-oracle"))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    results = run_benchmark(args)
    print(json.dumps(results["summary"], indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
