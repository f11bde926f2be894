"""Write benchmarks/results/README.md: every headline number in the committed results JSON, with its protocol.

    python benchmarks/results_page.py            # rewrites benchmarks/results/README.md
    python benchmarks/results_page.py --check    # exit 1 when the committed page is out of date

Only numbers present in the JSON files appear; each row names its source file. Each results format has a
small reader below; a bench-suite ``results.json`` (``suite`` + ``cells``) is read generically, so a new
suite's results appear without code. The docs site (``docs/hooks/generate.py``) imports ``collect`` and
``headlines`` from this file for the README's model table and the per-model pages.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import statistics
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
VERSIONED = ("torch", "torchmetrics", "torch-fidelity", "nltk", "scikit-image")


@dataclass(frozen=True)
class Entry:
    """One measured number: what it is, its value (text), the protocol it was measured under, its source."""

    model: str
    dataset: str
    metric: str
    value: str
    protocol: dict[str, str] = field(default_factory=dict)
    source: str = ""
    headline: bool = False  # the model's one number for the README table


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _ms(stat: dict[str, Any], digits: int = 3) -> str:
    """``mean ± std`` of a bench statistic (``± std`` only with more than one seed)."""
    mean, std, n = stat["mean"], stat.get("std", 0.0), stat.get("n", 1)
    text = f"{mean:.{digits}g}"
    return f"{text} ± {std:.2g}" if n > 1 else text


def _machine(load: Any = None, extra: str = "") -> str:
    text = "CPU, 2 cores, 1 torch thread"
    if load:
        text += f", load average {load[0]:.1f} at start"
    return text + (f"; {extra}" if extra else "")


def _suite_eval(suite: str, cell: dict[str, Any]) -> dict[str, Any]:
    """The cell's ``eval`` settings from its suite file (the results JSON does not record them)."""
    import yaml

    path = RESULTS.parent / f"{suite}.yaml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings = dict(data.get("eval") or {})
    for spec in data.get("cells", []):
        if spec.get("model") == cell["model"] and cell["dataset"] in spec.get("datasets", []):
            settings.update(spec.get("eval") or {})
    return settings


def read_suite(path: Path, data: dict[str, Any]) -> Iterator[Entry]:
    """A ``ganzoo bench`` results.json: every cell's final metrics, mean ± std over seeds."""
    for cell in data["cells"]:
        if cell.get("status") != "ok":
            continue
        ev = _suite_eval(data["suite"], cell)
        seeds = len(cell.get("seeds", [])) or cell["steps"].get("n", 1)
        protocol = {
            "features": str(ev.get("features", "per data kind (see metrics)")),
            "samples": str(ev.get("samples", "suite default")),
            "reference": str(ev.get("dataset", cell["dataset"]) + " (train split)"),
            "steps": f"{cell['steps']['mean']:.0f}",
            "seeds": str(seeds),
            "CPU min": f"{cell['train_s']['mean'] / 60:.1f} train (wall {cell['wall_s']['mean'] / 60:.1f})",
            "device": f"{cell.get('device', '?')} ({cell.get('device_name', '')})",
        }
        for metric, stat in cell["final"].items():
            yield Entry(
                cell["model"],
                cell["dataset"],
                metric,
                _ms(stat),
                protocol,
                path.name,
                headline=metric == cell.get("primary"),
            )


def read_image_gans(path: Path, d: dict[str, Any]) -> Iterator[Entry]:
    """``benchmarks/image_gans.py``: MNIST-classifier label/code accuracy and class coverage."""
    final = d["final"]
    protocol = {
        "features": f"ganzoo MNIST classifier (test accuracy {_pct(d['classifier_test_accuracy'])})",
        "samples": "1,000 (10 classes x 100)",
        "reference": "MNIST classifier labels",
        "steps": str(d["steps"]),
        "seeds": "1 (seed 0)",
        "CPU min": f"{d['cpu_min']} (wall {d['wall_min']})",
        "device": _machine(d["machine"].get("load_average_at_start")),
        "settings": f"profile {d['profile']}; " + " ".join(d.get("overrides", [])),
    }
    head = d["profile"] == "full"
    if "label_accuracy" in final:
        yield Entry(
            d["model"], d["dataset"], "label accuracy", _pct(final["label_accuracy"]), protocol, path.name, head
        )
    if "code_accuracy" in final:
        yield Entry(
            d["model"],
            d["dataset"],
            "categorical code accuracy (one-to-one)",
            _pct(final["one_to_one_accuracy"]),
            protocol,
            path.name,
            head and not (path.parent / "infogan_paper.json").is_file(),  # the paper-network run wins
        )
        yield Entry(
            d["model"],
            d["dataset"],
            "categorical code accuracy (majority)",
            _pct(final["code_accuracy"]),
            protocol,
            path.name,
        )
    if "min_class_fraction" in final:
        yield Entry(
            d["model"],
            d["dataset"],
            "smallest class share",
            _pct(final["min_class_fraction"]),
            protocol,
            path.name,
            head,
        )
        w = d.get("wasserstein", {})
        if w:
            yield Entry(
                d["model"],
                d["dataset"],
                "Wasserstein estimate peak -> last tenth",
                f"{w['peak']:.1f} -> {w['last_tenth']:.2f}",
                protocol,
                path.name,
            )


def read_infogan_paper(path: Path, d: dict[str, Any]) -> Iterator[Entry]:
    """``benchmarks/infogan_paper.py``: code accuracy of the paper's networks, mean ± std over seeds."""
    accuracy = d["protocol"]["classifier_test_accuracy"]  # one classifier, or one per machine that scored seeds
    accuracy = accuracy if isinstance(accuracy, list) else [accuracy]
    seeds = d["seeds"]
    protocol = {
        "features": f"ganzoo MNIST classifier (test accuracy {' / '.join(f'{100 * a:.2f}%' for a in accuracy)})",
        "samples": "1,000 (10 code values x 100)",
        "reference": "MNIST classifier labels, one-to-one (Hungarian) matching",
        "steps": str(seeds[0]["steps"]),
        "seeds": f"{len(seeds)} ({', '.join(str(s['seed']) for s in seeds)})",
        "CPU min": " / ".join(str(s["cpu_min"]) for s in seeds) + " per seed",
        "device": _machine(seeds[0].get("load_average_at_start")),
        "settings": " ".join(d["protocol"]["settings"]),
    }
    value = _pct(d["one_to_one_mean"]) + (f" ± {100 * d['one_to_one_std']:.1f}" if len(seeds) > 1 else "")
    imsat = path.name == "infogan_paper_imsat.json"  # benchmarks/infogan_paper.py --recipe imsat
    # the headline is the IMSAT recipe once it has run, else the paper's objective; probes are listed
    headline = imsat or (path.name == "infogan_paper.json" and not (path.parent / "infogan_paper_imsat.json").is_file())
    metric = "categorical code accuracy (one-to-one), paper networks" + (
        " + IMSAT terms on real batches" if imsat else ""
    )
    yield Entry("infogan", "mnist", metric, value, protocol, path.name, headline)


def read_utilisation(path: Path, d: dict[str, Any]) -> Iterator[Entry]:
    """``benchmarks/utilisation.py``: samples/s against the plain loop and the fraction of the CPU's peak."""
    peak = d["peak_gflops"]
    protocol = {
        "features": "-",
        "samples": f"batch {d['batch_size']}",
        "reference": "reference_dcgan.py, the plain PyTorch loop, in the same rounds",
        "steps": f"{d['steps']} a run, {d['rounds']} alternating rounds (median)",
        "seeds": "-",
        "CPU min": "-",
        "device": f"CPU {d['machine']['cpu_capability']}, {d['machine']['cpu_count']} cores, {d['threads']} threads, "
        f"load average {d['load_average_start'][0]:.1f} -> {d['load_average_end'][0]:.1f}",
        "peak GFLOP/s": f"fp32 matmul {peak['fp32']['matmul_gflops']}, conv {peak['fp32']['conv_gflops']}; "
        f"bf16 matmul {peak['bf16']['matmul_gflops']}, conv {peak['bf16']['conv_gflops']}",
    }
    for name, loop in d["loops"].items():
        label = "plain loop" if name == "reference" else name
        value = (
            f"{loop['median_samples_per_s']} samples/s, {loop['median_ratio']}x the plain loop "
            f"(rounds {', '.join(map(str, loop['ratios']))}); {loop['achieved_gflops']} GFLOP/s, "
            f"{_pct(loop['fraction_of_conv_peak'])} of the {loop['precision']} conv peak"
        )
        yield Entry(
            "dcgan", "mnist", f"{label} ({loop['precision']}) speed and utilisation", value, protocol, path.name
        )


def read_memory(path: Path, d: dict[str, Any]) -> Iterator[Entry]:
    """``benchmarks/memory.py``: peak RSS of ``ganzoo run dcgan --dataset mnist`` and of the plain loop."""
    protocol = {
        "features": "-",
        "samples": "MNIST, 60,000 training images, batch 64",
        "reference": "reference_dcgan.py, the plain PyTorch loop (its DataLoader workers not counted)",
        "steps": f"{d['steps']} a run, {len(d['peak_rss_mb']['reference']['runs'])} alternating rounds (median)",
        "seeds": "-",
        "CPU min": "-",
        "device": f"CPU, load average {d['load_average_start'][0]:.1f} -> {d['load_average_end'][0]:.1f}",
    }
    teardown = d.get("peak_rss_before_teardown_mb", {})
    for name, peak in d["peak_rss_mb"].items():
        label = "plain loop" if name == "reference" else name
        value = f"{peak['median']:.0f} MiB peak RSS of the process"
        if name in teardown:
            value += f", {teardown[name]['median']:.0f} MiB before the interpreter's teardown"
        yield Entry("dcgan", "mnist", f"{label} memory", value, protocol, path.name)


def read_seqgan_oracle(path: Path, d: dict[str, Any]) -> Iterator[Entry]:
    s, p = d["settings"], d["paper_table_1"]
    protocol = {
        "features": "oracle LSTM log-likelihood",
        "samples": f"{s['eval_samples']:,} generated, temperature 1",
        "reference": f"oracle (vocab {s['vocab']:,}, {s['num_sequences']:,} sequences)",
        "steps": f"{s['mle_steps']} MLE + {s['d_pretrain_steps']} D + {s['adversarial_steps']} adversarial",
        "seeds": f"1 (seed {s['seed']})",
        "CPU min": f"wall {d['seqgan']['minutes']} (SeqGAN), {d['mle']['minutes']} (MLE)",
        "device": _machine(),
        "paper": f"MLE {p['mle']}, SeqGAN {p['seqgan']}",
    }
    summary = d["summary"]
    yield Entry(
        "seqgan",
        "oracle",
        "NLL-oracle, SeqGAN vs MLE (lower is better)",
        f"{summary['nll_oracle_seqgan_final']:.2f} vs {summary['nll_oracle_mle_baseline_final']:.2f}",
        protocol,
        path.name,
        True,
    )


def read_seqgan_diversity(path: Path, d: dict[str, Any]) -> Iterator[Entry]:
    protocol = {
        "features": "oracle / generator log-likelihood",
        "samples": f"{d['settings']['samples']:,}",
        "reference": "fresh oracle samples (NLL-test)",
        "steps": f"MLE {d['mle']['step']}, SeqGAN {d['seqgan']['step']}",
        "seeds": f"1 (eval seed {d['settings']['seed']})",
        "CPU min": "not recorded",
        "device": _machine(),
    }
    for key, label in (("nll_oracle", "NLL-oracle"), ("nll_test", "NLL-test"), ("entropy_per_token", "entropy/token")):
        yield Entry(
            "seqgan",
            "oracle",
            f"{label}, MLE -> SeqGAN",
            f"{d['mle'][key]:.3f} -> {d['seqgan'][key]:.3f}",
            protocol,
            path.name,
        )


def read_seqgan_imdb(path: Path, d: dict[str, Any]) -> Iterator[Entry]:
    s = d["settings"]
    mle, adv = d["phases"][0], d["phases"][-1]
    protocol = {
        "features": "BLEU (nltk, smoothing 1)",
        "samples": str(s["samples"]),
        "reference": f"{s['references']} held-out IMDB test reviews",
        "steps": str(d["run"]["steps"]),
        "seeds": f"1 (seed {s['seed']})",
        "CPU min": f"wall {d['run']['minutes']}",
        "device": _machine(extra=f"load average {d['run']['load_average_1min_at_end']} at end"),
    }
    yield Entry("seqgan", "imdb", "BLEU-3, MLE -> SeqGAN", f"{mle['bleu3']} -> {adv['bleu3']}", protocol, path.name)
    yield Entry(
        "seqgan",
        "imdb",
        "self-BLEU-3, MLE -> SeqGAN",
        f"{mle['self_bleu3']} -> {adv['self_bleu3']}",
        protocol,
        path.name,
    )


def read_srgan(path: Path, d: dict[str, Any]) -> Iterator[Entry]:
    s5 = d["set5"]
    protocol = {
        "features": d["protocol"],
        "samples": "Set5 (5 images, x4)",
        "reference": "Set5 HR",
        "steps": str(d["steps"]),
        "seeds": f"1 (seed {d['seed']})",
        "CPU min": f"wall {d['minutes']}",
        "device": d["machine"],
        "paper": f"SRResNet {d['paper_set5']['srresnet']['psnr']} dB",
    }
    residual = "bicubic_residual" in path.name
    name = "PSNR / SSIM" + (" (model.bicubic_residual=true)" if residual else "")
    yield Entry(
        "srgan",
        "set5",
        name,
        f"{s5['srresnet']['psnr']:.2f} dB / {s5['srresnet']['ssim']:.3f} (bicubic {s5['bicubic']['psnr']:.2f} / "
        f"{s5['bicubic']['ssim']:.3f})",
        protocol,
        path.name,
        not residual,
    )


def read_precision(path: Path, d: dict[str, Any]) -> Iterator[Entry]:
    protocol = {
        "features": "ganzoo MNIST classifier",
        "samples": f"{d['samples_scored']:,}",
        "reference": "MNIST train",
        "steps": str(d["steps"]),
        "seeds": "2 (0, 1)",
        "CPU min": f"wall {d['minutes']} in all",
        "device": _machine(d.get("load_average")),
    }
    for run in d["runs"]:
        yield Entry(
            "dcgan",
            "mnist",
            f"classifier FID, {run['precision']} seed {run['seed']}",
            f"{run['classifier_fid']:.1f}",
            protocol,
            path.name,
        )


def read_speed(path: Path, d: dict[str, Any]) -> Iterator[Entry]:
    m = d["machine"]
    protocol = {
        "features": "-",
        "samples": f"batch {d['settings']['batch_size']}",
        "reference": "PyTorch DCGAN example loop",
        "steps": f"{d['settings']['rounds']} alternating rounds",
        "seeds": "-",
        "CPU min": f"wall {d['minutes']}",
        "device": f"CPU {m['cpu_capability']}, {m['cpu_count']} cores, {d['settings']['threads']} thread",
    }
    for s in d.get("ab", {}).get("summary", {}).values():
        if "median_ratio_vs_reference" in s:
            yield Entry(
                "dcgan",
                "mnist",
                f"samples/s vs plain loop ({s['precision']})",
                f"{s['median_ratio_vs_reference']:.2f}x",
                protocol,
                path.name,
            )


def read_techniques(path: Path, d: dict[str, Any]) -> Iterator[Entry]:
    """``benchmarks/techniques.py``: DCGAN on 500 MNIST images per technique arm, mean ± std over seeds."""
    p = d["protocol"]
    protocol = {
        "features": "ganzoo MNIST classifier",
        "samples": f"{p['samples']:,}",
        "reference": "MNIST test split (10,000)",
        "steps": str(p["steps"]),
        "seeds": f"{len(p['seeds'])} ({', '.join(map(str, p['seeds']))})",
        "device": _machine(d.get("load_average_end")),
    }
    for arm, row in d["summary"].items():
        settings = ", ".join(p["arms"][arm]) or "none"
        yield Entry(
            "dcgan",
            "mnist (500 images)",
            f"classifier FID, {arm} ({settings})",
            f"{row['fid_mean']:.1f} ± {row['fid_std']:.1f}",
            {**protocol, "CPU min": f"{row['cpu_min_per_run']} per run"},
            path.name,
        )


def read_zoo(path: Path, d: dict[str, Any]) -> Iterator[Entry]:
    """``benchmarks/zoo_models.py``: a short MNIST run of one model."""
    protocol = {
        "features": "ganzoo MNIST classifier",
        "samples": "1,000",
        "reference": "MNIST test",
        "steps": str(d["steps"]),
        "seeds": f"1 (seed {d['seed']})",
        "CPU min": str(d["train_cpu_min"]),
        "device": _machine(d.get("load_average_after")),
    }
    # the headline is each paper's own evidence: label accuracy for the conditional ACGAN and projection
    # cGAN, class coverage for WGAN and BEGAN
    headline = {
        "acgan": "label accuracy",
        "sngan-projection": "label accuracy",
        "wgan": "classes covered",
        "began": "classes covered",
    }.get(d["model"], "classifier FID" if d["model"] not in ("dcgan", "cgan") else "")
    if d["seed"] != 0 or d.get("tag"):  # further seeds and tagged variants are listed; seed 0 is the headline
        headline = ""
    yield Entry(
        d["model"],
        d["dataset"],
        "classifier FID",
        f"{d['fid_classifier']:.1f}",
        protocol,
        path.name,
        headline == "classifier FID",
    )
    covered = f"{d['classes_covered']} of 10 (>= 2% of samples; smallest {_pct(min(d['class_fractions']))})"
    headline_run = d["seed"] == 0 and not d.get("tag")
    others = sorted(path.parent.glob(f"zoo_models_{d['model']}_seed*.json")) if headline_run else []
    # the headline run is seed 0: say what the other seeds did beside it
    runs = [d] + [json.loads(other.read_text(encoding="utf-8")) for other in others]
    seeds = ", ".join(str(r["seed"]) for r in runs)
    if others:
        covered += f"; seeds {seeds}: {', '.join(str(r['classes_covered']) for r in runs)}"
    yield Entry(
        d["model"], d["dataset"], "classes covered", covered, protocol, path.name, headline == "classes covered"
    )
    if d.get("label_accuracy") is not None:
        accuracy = _pct(d["label_accuracy"])
        if others:
            values = [r["label_accuracy"] for r in runs]
            accuracy += f"; seeds {seeds}: {', '.join(_pct(v) for v in values)} (mean {_pct(statistics.mean(values))})"
        yield Entry(
            d["model"],
            d["dataset"],
            "label accuracy",
            accuracy,
            protocol,
            path.name,
            headline == "label accuracy",
        )
    if d.get("curve"):
        key = "label_accuracy" if d.get("label_accuracy") is not None else "fid_classifier"
        show = _pct if key == "label_accuracy" else (lambda v: f"{v:.1f}")
        yield Entry(
            d["model"],
            d["dataset"],
            f"{key.replace('_', ' ')} by step (CPU min)",
            ", ".join(f"{r['step']}: {show(r[key])} ({r['cpu_min']})" for r in d["curve"]),
            protocol,
            path.name,
        )
    for key, label in (("wasserstein", "critic's Wasserstein estimate"), ("m_global", "M_global")):
        if key in d:
            t = d[key]
            value = f"peak {t['peak']:.3g}; first -> last tenth {t['first_tenth']:.3g} -> {t['last_tenth']:.3g}"
            yield Entry(d["model"], d["dataset"], label, value, protocol, path.name)


def read_cyclegan(path: Path, d: dict[str, Any]) -> Iterator[Entry]:
    """``benchmarks/cyclegan_digits.py``: scikit-learn digits translated to MNIST, 3 seeds."""
    t = d["translated"]
    protocol = {
        "features": "ganzoo MNIST classifier",
        "samples": f"{d['test_digits']} held-out digits",
        "reference": "MNIST",
        "steps": " / ".join(str(s["steps"]) for s in d["seeds"]),
        "seeds": f"{len(d['seeds'])} ({', '.join(str(s['seed']) for s in d['seeds'])})",
        "CPU min": " / ".join(str(s["train_cpu_min"]) for s in d["seeds"]) + " per seed",
        "device": _machine(),
        "settings": " ".join(d["overrides"]),
    }

    def spread(key: str, scale: float, unit: str) -> str:
        return f" ± {scale * t[key]['stdev']:.1f}{unit}" if len(d["seeds"]) > 1 else ""

    raw = d["raw_digits"]
    margins = [item.split("=", 1)[1] for item in d["overrides"] if item.startswith("data.a_margin=")]
    framed = margins[-1:] == ["4"] and "fid_classifier_to_mnist_frame" in raw  # --set: the last one wins
    fed = (  # the untranslated digits as the translator gets them
        f"raw digits framed like MNIST {_pct(raw['label_accuracy_mnist_frame'])} / "
        f"{raw['fid_classifier_to_mnist_frame']:.1f}"
        if framed
        else f"raw digits {_pct(raw['label_accuracy'])} / {raw['fid_classifier_to_mnist']:.1f}"
    )
    yield Entry(
        "cyclegan",
        "digits -> mnist",
        "label kept / FID to MNIST",
        f"{_pct(t['label_kept']['mean'])}{spread('label_kept', 100, '%')} / "
        f"{t['fid_classifier_to_mnist']['mean']:.1f}{spread('fid_classifier_to_mnist', 1, '')} ({fed})",
        protocol,
        path.name,
        path.name == "cyclegan_digits.json",  # the 3-seed run is the headline; variants are listed
    )
    if "label_accuracy_mnist_frame" in d["raw_digits"]:
        yield Entry(
            "cyclegan",
            "digits -> mnist",
            "raw digits read, framed like MNIST (20 px in 28) / as resized",
            f"{_pct(d['raw_digits']['label_accuracy_mnist_frame'])} / {_pct(d['raw_digits']['label_accuracy'])}",
            protocol,
            path.name,
        )
    if all("confusion" in s for s in d["seeds"]) and "confusion" in raw:
        yield Entry(
            "cyclegan",
            "digits -> mnist",
            f"label kept per source digit, translated ({'raw framed' if framed else 'raw'})",
            _per_class([s["confusion"] for s in d["seeds"]], raw["confusion_mnist_frame" if framed else "confusion"]),
            protocol,
            path.name,
        )


def _per_class(translated: list[list[list[int]]], raw: list[list[int]]) -> str:
    """``digit: kept% (raw%)`` for each class of (true, predicted) count matrices, seeds summed."""
    rows = [[sum(m[i][j] for m in translated) for j in range(len(raw))] for i in range(len(raw))]
    return ", ".join(
        f"{i}: {100 * rows[i][i] / max(sum(rows[i]), 1):.0f}% ({100 * raw[i][i] / max(sum(raw[i]), 1):.0f}%)"
        for i in range(len(raw))
    )


def read_toy_rerun(path: Path, d: dict[str, Any]) -> Iterator[Entry]:
    """The grid25 goal rerun after the model-layer move: one process per seed."""
    m = d["summary"]
    protocol = {
        "features": "-",
        "samples": f"{d['eval_samples']:,}",
        "reference": "the 25 centres",
        "steps": str(d["steps"]),
        "seeds": f"{len(d['runs'])} (0, 1, 2)",
        "CPU min": "wall " + ", ".join(f"{r['wall_s'] / 60:.1f}" for r in d["runs"]),
        "device": _machine(d.get("load_average_end")),
    }
    yield Entry(
        "gan",
        "grid25",
        "modes / high-quality samples (rerun on the shared step)",
        f"{m['modes']['mean']:.0f}/25 / {m['hq']['mean']:.1f}% ± {m['hq']['std']:.1f}",
        protocol,
        path.name,
    )


def read_seqgan_temperature(path: Path, d: dict[str, Any]) -> Iterator[Entry]:
    temperatures = f"T = {d['temperatures'][0]:g} .. {d['temperatures'][-1]:g}"
    for dataset, (x, y, label) in TEMPERATURE_AXES.items():
        for name in ("mle", "seqgan"):
            run, curve = d[dataset][name], d[dataset][name]["curve"]
            protocol = {
                "features": "oracle / generator likelihoods" if dataset == "oracle" else "nltk BLEU-3, self-BLEU-3",
                "samples": d["protocol"][dataset],
                "reference": "fresh oracle samples" if dataset == "oracle" else "held-out IMDB reviews",
                "steps": str(run["steps"]),
                "seeds": "1 (sampling seed 0 at every temperature)",
                "CPU min": f"wall {run['train_minutes']}" if run["train_minutes"] else "trained earlier",
                "device": _machine(d.get("machine", {}).get("load_average")),
            }
            value = ", ".join(f"{p['temperature']:g}: {p[y]:.3g} / {p[x]:.3g}" for p in curve)
            yield Entry(
                "seqgan",
                dataset,
                f"{'MLE' if name == 'mle' else 'SeqGAN'} {label} at {temperatures}",
                value,
                protocol,
                path.name,
            )


# dataset -> (x axis, y axis, "y / x" label) of the temperature sweep; both oracle axes are lower-is-better
TEMPERATURE_AXES = {
    "oracle": ("nll_test", "nll_oracle", "NLL-oracle / NLL-test"),
    "imdb": ("self_bleu3", "bleu3", "BLEU-3 / self-BLEU-3"),
}


def _gap_to_curve(points: list[dict[str, float]], curve: list[dict[str, float]], x: str, y: str) -> list[float]:
    """``y`` of each point minus ``y`` of ``curve`` interpolated at the point's ``x`` (points outside the
    curve's ``x`` range are left out)."""
    import numpy as np

    ordered = sorted(curve, key=lambda p: p[x])
    xs, ys = [p[x] for p in ordered], [p[y] for p in ordered]
    return [p[y] - float(np.interp(p[x], xs, ys)) for p in points if xs[0] <= p[x] <= xs[-1]]


def temperature_summary(d: dict[str, Any]) -> list[str]:
    """What the quality-diversity curves show, computed from the measured points (no fixed wording of results)."""
    lines = []
    for dataset, (x, y, _) in TEMPERATURE_AXES.items():
        mle, seqgan = d[dataset]["mle"]["curve"], d[dataset]["seqgan"]["curve"]
        gaps = _gap_to_curve(seqgan, mle, x, y)
        better = "lower" if dataset == "oracle" else "higher"
        at_one = {
            name: next(p for p in curve if p["temperature"] == 1.0)
            for name, curve in (("mle", mle), ("seqgan", seqgan))
        }
        span = max(p[y] for p in mle) - min(p[y] for p in mle)
        spread = (
            f"{min(gaps):+.3f} to {max(gaps):+.3f} (mean {sum(gaps) / len(gaps):+.3f}; the largest gap is "
            f"{100 * max(abs(g) for g in gaps) / span:.0f}% of the {span:.3g} that temperature spans on MLE's curve)"
            if gaps
            else "nowhere: the curves do not overlap"
        )
        lines.append(
            f"- **{dataset}**: at equal {x}, SeqGAN's {y} differs from MLE's temperature curve by {spread}; "
            f"{better} is better, and {len(gaps)} of SeqGAN's {len(seqgan)} temperatures lie within MLE's {x} range. "
            f"At T = 1 alone, {y} is {at_one['seqgan'][y]:.3g} for SeqGAN vs {at_one['mle'][y]:.3g} for MLE, "
            f"and {x} {at_one['seqgan'][x]:.3g} vs {at_one['mle'][x]:.3g}."
        )
    return lines


READERS: dict[str, Callable[[Path, dict[str, Any]], Iterator[Entry]]] = {
    "toy-rerun": read_toy_rerun,
    "techniques-cpu": read_techniques,
    "zoo_models_": read_zoo,
    "cyclegan_digits": read_cyclegan,
    "image_gans_": read_image_gans,
    "infogan_paper": read_infogan_paper,
    "seqgan_oracle.json": read_seqgan_oracle,
    "seqgan_oracle_diversity": read_seqgan_diversity,
    "seqgan_imdb": read_seqgan_imdb,
    "seqgan_temperature": read_seqgan_temperature,
    "srgan_set5": read_srgan,
    "precision-quality": read_precision,
    "speed-": read_speed,
    "utilisation-": read_utilisation,
    "memory-": read_memory,
}


def collect(results: Path = RESULTS) -> list[Entry]:
    """Every entry of every results JSON under ``results`` that a reader understands."""
    entries: list[Entry] = []
    for path in sorted(results.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "suite" in data and "cells" in data:
            entries += read_suite(path, data)
            continue
        for prefix, reader in READERS.items():
            if path.name.startswith(prefix) or path.name == prefix:
                entries += reader(path, data)
                break
    return entries


def headlines(entries: list[Entry]) -> dict[str, Entry]:
    """One headline entry per model: a flagged one from a dedicated benchmark before a suite's."""
    best: dict[str, Entry] = {}
    for entry in entries:
        if not entry.headline:
            continue
        current = best.get(entry.model)
        dedicated = not entry.source.endswith("-cpu.json")
        if current is None or (dedicated and current.source.endswith("-cpu.json")):
            best[entry.model] = entry
        elif entry.source == "toy-cpu.json" and entry.dataset == "grid25":  # the toy goal's own suite
            best[entry.model] = entry
    return best


def versions(results: Path = RESULTS) -> list[tuple[str, str, str]]:
    """(package, version, where the version comes from) for the packages the metrics depend on."""
    recorded: dict[str, str] = {}
    for path in sorted(results.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        env = data.get("environment") if isinstance(data, dict) else None
        if isinstance(env, dict):
            for name in VERSIONED:
                key = name.replace("-", "_")
                value = env.get(name) or env.get(key) or (env.get("versions") or {}).get(name)
                if value:
                    recorded[name] = f"{value}|recorded in {path.name}"
    rows = []
    for name in VERSIONED:
        if name in recorded:
            version, where = recorded[name].split("|")
        else:
            try:
                version, where = importlib.metadata.version(name), "not recorded; the environment that wrote this page"
            except importlib.metadata.PackageNotFoundError:
                version, where = "not installed", "not recorded"
        rows.append((name, version, where))
    return rows


PROTOCOL_COLUMNS = ("features", "samples", "reference", "steps", "seeds", "CPU min", "device")


def render(results: Path = RESULTS) -> str:
    """The results page as Markdown."""
    entries = collect(results)
    heads = headlines(entries)
    lines = [
        "<!-- Generated by `python benchmarks/results_page.py` from the JSON files in this folder; do not edit. -->",
        "",
        "# Measured results",
        "",
        "Every number below is read from a committed JSON file in `benchmarks/results/` (named in the *source* "
        "column); nothing else is reported. Seeds: a value with `±` is the mean ± standard deviation over the "
        "seeds listed; one seed is a single run. CPU minutes are the process's CPU or wall time as the file "
        "recorded it. All runs so far were on a shared 2-core x86_64 CPU, one torch thread per process.",
        "",
    ]
    if not list(results.glob("gpu_check*.json")):
        lines += [
            "**CUDA is unmeasured**: no GPU run has been recorded (there is no `gpu_check*.json` here), so "
            "nothing on this page says how ganzoo performs on a GPU.",
            "",
        ]
    lines += ["## Headline per model", "", "| model | dataset | metric | value | source |", "|---|---|---|---|---|"]
    for model in sorted(heads):
        e = heads[model]
        lines.append(f"| `{model}` | {e.dataset} | {e.metric} | **{e.value}** | `{e.source}` |")
    lines += ["", "## Every number with its protocol", ""]
    for source in sorted({e.source for e in entries}):
        group = [e for e in entries if e.source == source]
        lines += [
            f"### `{source}`",
            "",
            "| model | dataset | metric | value | " + " | ".join(PROTOCOL_COLUMNS) + " |",
            "|" + "---|" * (4 + len(PROTOCOL_COLUMNS)),
        ]
        for e in group:
            cells = [e.protocol.get(c, "-").replace("|", "/") for c in PROTOCOL_COLUMNS]
            lines.append(f"| `{e.model}` | {e.dataset} | {e.metric} | {e.value} | " + " | ".join(cells) + " |")
        extras = sorted({f"{k}: {v}" for e in group for k, v in e.protocol.items() if k not in PROTOCOL_COLUMNS})
        if extras:
            lines += [""] + [f"- {x}" for x in extras]
        lines.append("")
    sweep = results / "seqgan_temperature.json"
    if sweep.is_file():
        lines += [
            "## Quality against diversity: SeqGAN and MLE at every sampling temperature",
            "",
            "As Caccia et al. 2020 (arXiv 1811.02549) compare text GANs: each point is one sampling temperature "
            "(`benchmarks/seqgan_temperature.py`). Oracle: NLL-oracle (quality) against NLL-test (coverage), "
            "both lower is better; IMDB: BLEU-3 (higher is better) against self-BLEU-3 (lower is more diverse).",
            "",
            *temperature_summary(json.loads(sweep.read_text(encoding="utf-8"))),
            "",
        ]
        if (results / "seqgan_temperature.png").is_file():
            lines += ["![quality-diversity curves](seqgan_temperature.png)", ""]
    gallery = results / "gallery" / "gallery.json"
    if gallery.is_file() and (results / "gallery" / "montage.png").is_file():
        runs = json.loads(gallery.read_text(encoding="utf-8"))
        lines += [
            "## Gallery",
            "",
            "`python benchmarks/gallery.py` trains every built-in model at its CPU budget and draws its sample grid "
            "with a fixed seed (seed 0, 1 torch thread):",
            "",
            "![samples of every built-in model](gallery/montage.png)",
            "",
            "| model | dataset | steps | CPU min |",
            "|---|---|---|---|",
            *(f"| `{m}` | {r['dataset']} | {r['steps']} | {r['cpu_min']} |" for m, r in runs.items()),
            "",
        ]
    lines += ["## Versions", "", "| package | version | source |", "|---|---|---|"]
    lines += [f"| {n} | {v} | {w} |" for n, v, w in versions(results)]
    lines += [
        "",
        "The narrative reports beside the JSON (`*.md` in this folder) describe machine load and "
        "the runs' history; this page holds only the numbers.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md is out of date")
    args = parser.parse_args(argv)
    target = RESULTS / "README.md"
    text = render()
    if args.check:
        return 0 if target.is_file() and target.read_text(encoding="utf-8") == text else 1
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
