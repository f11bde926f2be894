"""Quality against diversity at every sampling temperature: the MLE generator and SeqGAN, on the synthetic
oracle (NLL-oracle against NLL-test) and on IMDB (BLEU against self-BLEU), as Caccia et al. 2020
("Language GANs Falling Short", arXiv 1811.02549) compare text GANs.

    OMP_NUM_THREADS=1 python benchmarks/seqgan_temperature.py [--runs runs/bench-seqgan-temperature]

Trains four runs with ``ganzoo.train`` unless ``--runs`` already holds them: on each dataset SeqGAN at the
settings of ``seqgan_oracle.py`` / ``seqgan_imdb.py`` (their defaults) and the MLE baseline with as many
generator updates (``model.mle_only``). Then, at each temperature T, the generator p_T = softmax(logits / T)
draws samples with a fixed seed:

- oracle: NLL-oracle = the oracle's NLL of p_T's samples (quality, lower is better) and NLL-test = p_T's
  NLL of fresh oracle samples (coverage of the real distribution, lower is better);
- IMDB: BLEU-3 of p_T's samples against held-out reviews (quality) and their self-BLEU-3 (repetition).

Writes ``results/seqgan_temperature.json`` and the two-panel plot ``results/seqgan_temperature.png``, with
the paper's NLL-oracle numbers (SeqGAN Table 1) drawn as lines. A curve below and left of another is better
at every temperature.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

import torch

import ganzoo
from ganzoo.bench.system import environment
from ganzoo.metrics.text import mean_nll, nll_oracle
from ganzoo_plugins.text.oracle import Oracle

sys.path.insert(0, str(Path(__file__).resolve().parent))
import seqgan_imdb  # noqa: E402
import seqgan_oracle  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
TEMPERATURES = (0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3)


class Tempered:
    """The generator's distribution at ``temperature``, as a token scorer for ``mean_nll``."""

    def __init__(self, generator: Any, temperature: float) -> None:
        self.generator, self.temperature = generator, temperature

    def log_probs(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.generator.log_probs(tokens, temperature=self.temperature)


def arms(dataset: str, flags: list[str]) -> dict[str, list[str]]:
    """The SeqGAN and MLE settings on ``dataset`` (``oracle`` or ``imdb``): the two benchmarks' settings for
    their command-line ``flags`` (none: their defaults)."""
    if dataset == "oracle":
        args = seqgan_oracle.make_parser().parse_args(flags)
        base, pretrain = seqgan_oracle.overrides(args), args.mle_steps + args.d_pretrain_steps
        return {
            "seqgan": [*base, f"train.steps={pretrain + args.adversarial_steps}"],
            "mle": [*base, "model.mle_only=true", f"train.steps={args.mle_steps + args.adversarial_steps}"],
        }
    args = seqgan_imdb.make_parser().parse_args(flags)
    base = seqgan_imdb.overrides(args)
    return {
        "seqgan": base,
        "mle": [*base, "model.mle_only=true", f"train.steps={args.mle_steps + args.adversarial_steps}"],
    }


def trained(dataset: str, name: str, sets: list[str], runs: Path) -> tuple[ganzoo.Run, float]:
    """The finished run ``runs/dataset/name`` (trained now when absent) and the minutes it took."""
    out = runs / dataset / name
    if (out / "checkpoints" / "last.pt").is_file():
        run = ganzoo.load_run(out)
        if run.step >= int(run.config["train"]["steps"]):
            return run, 0.0
    started = time.perf_counter()
    run = ganzoo.train("seqgan", dataset, out, sets=sets, seed=0, resume=out.exists())
    return run, (time.perf_counter() - started) / 60


@torch.no_grad()
def oracle_curve(run: ganzoo.Run, samples: int) -> list[dict[str, float]]:
    """NLL-oracle and NLL-test of the run's generator at every temperature."""
    generator = run.module.generator
    oracle = Oracle.from_spec(run.module.info.extras["oracle"])
    real = oracle.sample(samples, generator=torch.Generator().manual_seed(1))
    points = []
    for temperature in TEMPERATURES:
        fake = generator.sample(samples, generator=torch.Generator().manual_seed(0), temperature=temperature)
        points.append(
            {
                "temperature": temperature,
                "nll_oracle": round(nll_oracle(oracle, fake), 4),
                "nll_test": round(mean_nll(Tempered(generator, temperature), real), 4),
            }
        )
    return points


@torch.no_grad()
def imdb_curve(run: ganzoo.Run, scores: seqgan_imdb.TextScores) -> list[dict[str, float]]:
    """BLEU-3 against held-out reviews and self-BLEU-3 of the run's samples at every temperature."""
    generator = run.module.generator
    points = []
    for temperature in TEMPERATURES:
        tokens = generator.sample(scores.samples, generator=torch.Generator().manual_seed(0), temperature=temperature)
        bleu = scores.of_words(seqgan_imdb.words(tokens, scores.vocab, scores.stops))
        points.append({"temperature": temperature, "bleu3": bleu["bleu3"], "self_bleu3": bleu["self_bleu3"]})
    return points


def plot(results: dict[str, Any], path: Path) -> Path:
    """NLL-oracle against NLL-test (oracle) and BLEU-3 against self-BLEU-3 (IMDB), one curve per model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for axis, dataset, (x, y) in (
        (left, "oracle", ("nll_test", "nll_oracle")),
        (right, "imdb", ("self_bleu3", "bleu3")),
    ):
        for name, style in (("mle", "o-"), ("seqgan", "s-")):
            points = results[dataset][name]["curve"]
            axis.plot(
                [p[x] for p in points], [p[y] for p in points], style, label=name.upper() if name == "mle" else "SeqGAN"
            )
            for p in points:
                axis.annotate(
                    f"{p['temperature']:g}", (p[x], p[y]), textcoords="offset points", xytext=(4, 4), fontsize=7
                )
        axis.set_xlabel(
            {"nll_test": "NLL-test (lower: covers the data)", "self_bleu3": "self-BLEU-3 (lower: more diverse)"}[x]
        )
        axis.set_ylabel(
            {"nll_oracle": "NLL-oracle (lower: better samples)", "bleu3": "BLEU-3 (higher: better samples)"}[y]
        )
        axis.grid(alpha=0.3)
    for name, value in seqgan_oracle.PAPER.items():
        if name != "random":
            left.axhline(value, linestyle="--", linewidth=0.8, color="grey")
            left.annotate(
                f"paper {name}",
                (left.get_xlim()[0], value),
                fontsize=7,
                color="grey",
                xytext=(2, 2),
                textcoords="offset points",
            )
    left.set_title("synthetic oracle (labels: temperature)")
    right.set_title("IMDB sample (labels: temperature)")
    left.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, default=Path("runs/bench-seqgan-temperature"))
    parser.add_argument("--oracle-samples", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--oracle-flags", default="", help="flags of seqgan_oracle.py for the two oracle runs")
    parser.add_argument("--imdb-flags", default="", help="flags of seqgan_imdb.py for the two IMDB runs")
    args = parser.parse_args()
    flags = {"oracle": shlex.split(args.oracle_flags), "imdb": shlex.split(args.imdb_flags)}
    imdb_args = seqgan_imdb.make_parser().parse_args(flags["imdb"])
    held_out = ganzoo.load_dataset("imdb", vocab_size=imdb_args.vocab, split="test")
    scores = seqgan_imdb.TextScores(
        held_out.tensors["tokens"], dict(held_out.info.extras), imdb_args.samples, imdb_args.references
    )
    results: dict[str, Any] = {
        "temperatures": TEMPERATURES,
        "paper_nll_oracle": seqgan_oracle.PAPER,
        "protocol": {
            "oracle": f"{args.oracle_samples} samples per temperature, NLL-test on as many fresh oracle samples",
            "imdb": f"{imdb_args.samples} samples per temperature, BLEU-3 vs {imdb_args.references} held-out reviews",
        },
    }
    for dataset in ("oracle", "imdb"):
        results[dataset] = {}
        for name, sets in arms(dataset, flags[dataset]).items():
            run, minutes = trained(dataset, name, sets, args.runs)
            curve = oracle_curve(run, args.oracle_samples) if dataset == "oracle" else imdb_curve(run, scores)
            results[dataset][name] = {
                "steps": run.step,
                "settings": sets,
                "train_minutes": round(minutes, 2),
                "curve": curve,
            }
            print(json.dumps({"dataset": dataset, "model": name, "curve": curve}), flush=True)
    results["environment"] = environment()
    results["machine"] = {
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "torch_threads": torch.get_num_threads(),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "seqgan_temperature.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {plot(results, args.out / 'seqgan_temperature.png')}")


if __name__ == "__main__":
    main()
