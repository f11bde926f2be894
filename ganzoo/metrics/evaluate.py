"""One evaluator per kind of data, so every model on a dataset is scored the same way.

An evaluator holds what is fixed for a benchmark cell (the real set's features, the classifier, the
mixture's centres) and scores a module's samples at any step. ``Evaluator.evaluate`` runs a subclass's
``metrics`` whole inside its own random state (``rng.isolated_rng``: torch, CUDA, Python and NumPy, seeded),
and sampling runs in eval mode under ``torch.no_grad`` with a fixed seed, so evaluating never changes the
training run it observes. ``score`` orders results: a higher tuple is better (the best checkpoint).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from rich.console import Console

from ganzoo.data import LoadedData
from ganzoo.errors import UserError
from ganzoo.metrics.rng import isolated_rng
from ganzoo.module import GANModule
from ganzoo.specs import IMAGE, IMAGE_PAIRS, TEXT, VECTORS
from ganzoo.text import decode, tokenize_sample

EVAL_SEED = 4321  # the noise every evaluation draws, so evaluations at different steps are comparable
METRIC_SEED = 8765  # what metrics draw themselves (KID's and IS's subsets), fixed for the same reason
LOWER_IS_BETTER = frozenset({"fid", "kid", "mode_kl", "class_kl", "nll", "self_bleu3"})


@dataclass(frozen=True)
class EvalSettings:
    """How a cell is scored: every ``every`` steps on ``samples`` samples with ``features``."""

    every: int = 500
    samples: int = 2000
    features: str = "classifier"
    metrics: tuple[str, ...] = ()
    dataset: str = ""

    def wants(self, name: str) -> bool:
        """Whether metric ``name`` was asked for (all are when the suite lists none)."""
        return not self.metrics or name in self.metrics


class Evaluator:
    """Scores a module's samples; ``primary`` names the metric the best checkpoint is chosen by."""

    primary = ""
    higher_is_better = True

    def evaluate(self, module: GANModule) -> dict[str, float]:
        """Metric name -> value for ``module`` as it is now, computed on random state of its own."""
        with isolated_rng(module.device, seed=METRIC_SEED):
            return self.metrics(module)

    def metrics(self, module: GANModule) -> dict[str, float]:
        """What ``evaluate`` computes; a subclass's one job."""
        raise NotImplementedError

    def score(self, metrics: Mapping[str, float]) -> tuple[float, ...]:
        """A sort key: higher is better (the primary metric, negated when lower is better)."""
        value = float(metrics[self.primary])
        return (value if self.higher_is_better else -value,)


@torch.no_grad()
def draw(module: GANModule, n: int, batch: int = 500, **conditions: Any) -> dict[str, torch.Tensor]:
    """``n`` samples from ``module`` (CPU tensors) in eval mode, with fixed noise and the training RNG left
    untouched."""
    was_training = module.training
    module.eval()
    parts: dict[str, list[torch.Tensor]] = {}
    try:
        with isolated_rng(module.device):
            generator = torch.Generator(module.device).manual_seed(EVAL_SEED)
            for start in range(0, n, batch):
                chunk = {k: v[start:start + batch] for k, v in conditions.items()}
                out = module.sample(min(batch, n - start), generator=generator, **chunk)
                for key, value in out.items():
                    parts.setdefault(key, []).append(value.detach().float().cpu() if value.is_floating_point()
                                                     else value.detach().cpu())
    finally:
        module.train(was_training)
    return {key: torch.cat(values) for key, values in parts.items()}


def real_subset(data: LoadedData, key: str, n: int) -> torch.Tensor:
    """A fixed random subset of ``n`` real samples under batch key ``key``."""
    if data.tensors is not None:
        values = data.tensors[key]
        order = torch.randperm(len(values), generator=torch.Generator().manual_seed(0))[:n]
        return values[order].float()
    items = [data.dataset[i][key] for i in range(min(n, len(data.dataset)))]  # type: ignore[index, arg-type]
    return torch.stack(items).float()


class MixtureEvaluator(Evaluator):
    """Toy mixtures: modes recovered, % high-quality samples, KL of the mode histogram (``modes.py``)."""

    primary = "modes"

    def __init__(self, data: LoadedData, settings: EvalSettings) -> None:
        extras = data.info.extras
        if "means" not in extras or "std" not in extras:
            raise UserError(f"dataset '{data.info.name}' gives no mixture centres (extras 'means' and 'std'); "
                            f"mode metrics need them")
        self.means, self.std, self.samples = torch.tensor(extras["means"]), float(extras["std"]), settings.samples

    def metrics(self, module: GANModule) -> dict[str, float]:
        from ganzoo.metrics.modes import mixture_scores

        return mixture_scores(draw(module, self.samples)["x"], self.means, self.std)

    def score(self, metrics: Mapping[str, float]) -> tuple[float, ...]:
        """More modes first, then more high-quality samples."""
        return (metrics["modes"], metrics["hq"])


class ImageEvaluator(Evaluator):
    """FID, KID, precision/recall on ``settings.features``; with a domain classifier also an
    Inception-Score-style score, class coverage and (for conditional models) class accuracy."""

    primary = "fid"
    higher_is_better = False

    def __init__(self, data: LoadedData, settings: EvalSettings, conditional: bool = False,
                 root: str | None = None, console: Console | None = None) -> None:
        from ganzoo.metrics.classifier import SUPPORTED
        from ganzoo.metrics.features import ClassifierFeatures, extract, load_extractor

        info = data.info
        self.settings, self.conditional = settings, conditional
        self.num_classes = info.num_classes
        self.extractor = load_extractor(settings.features, info.name, info.shape, root, console)
        self.classifier: ClassifierFeatures | None = None
        if isinstance(self.extractor, ClassifierFeatures):
            self.classifier = self.extractor
        elif info.name in SUPPORTED and any(settings.wants(m) for m in ("is", "classes", "class_acc")):
            self.classifier = ClassifierFeatures(info.name, root, console).eval()
        self.real_features = extract(self.extractor, real_subset(data, "image", settings.samples))

    def metrics(self, module: GANModule) -> dict[str, float]:
        from ganzoo.metrics.classes import class_accuracy, class_coverage, inception_score
        from ganzoo.metrics.distances import fid, kid, precision_recall
        from ganzoo.metrics.features import extract

        samples = draw(module, self.settings.samples)
        images = samples["image"]
        fake = extract(self.extractor.to(module.device), images, module.device)
        metrics: dict[str, float] = {}
        if self.settings.wants("fid"):
            metrics["fid"] = fid(self.real_features, fake)
        if self.settings.wants("kid"):
            metrics["kid"] = kid(self.real_features, fake)
        if self.settings.wants("precision") or self.settings.wants("recall"):
            metrics["precision"], metrics["recall"] = precision_recall(self.real_features, fake)
        if self.classifier is not None:
            logits = extract(self.classifier.to(module.device).logits, images, module.device)
            predicted = logits.argmax(dim=1)
            if self.settings.wants("is"):
                metrics["is"] = inception_score(logits)
            if self.settings.wants("classes"):
                metrics.update(class_coverage(predicted, logits.shape[1]))
            if self.conditional and "label" in samples and self.settings.wants("class_acc"):
                metrics["class_acc"] = class_accuracy(predicted, samples["label"])
        return metrics


class SuperResolutionEvaluator(Evaluator):
    """PSNR and SSIM on the Y channel (``sr.py``) over whole test images (``settings.dataset``, e.g. set5)."""

    primary = "psnr"

    def __init__(self, data: LoadedData, settings: EvalSettings, root: str | None = None) -> None:
        from ganzoo.registry import get_registry

        if settings.dataset:
            spec = get_registry().dataset(settings.dataset)
            data = spec.build({"name": spec.name, "root": root, **spec.defaults})
        source = data.dataset if data.dataset is not None else None
        if source is None:
            raise UserError("super-resolution evaluation needs a dataset of whole LR/HR images, e.g. eval.dataset: set5")
        self.pairs = [(source[i]["lr"], source[i]["hr"]) for i in range(len(source))]  # type: ignore[arg-type]

    def metrics(self, module: GANModule) -> dict[str, float]:
        from ganzoo.metrics.sr import psnr_y, ssim_y

        psnrs, ssims = [], []
        for lr, hr in self.pairs:
            sr = draw(module, 1, lr=lr.unsqueeze(0))["image"][0]
            border = hr.shape[-1] // lr.shape[-1]
            sr01, hr01 = (sr.clamp(-1, 1) + 1) / 2, (hr.float() + 1) / 2
            psnrs.append(psnr_y(sr01, hr01, border))
            ssims.append(ssim_y(sr01, hr01, border))
        return {"psnr": sum(psnrs) / len(psnrs), "ssim": sum(ssims) / len(ssims)}


class TextEvaluator(Evaluator):
    """BLEU-2/3 of samples against real sequences and self-BLEU-3 (``text.py``, Texygen's protocol), on at
    most 200 samples: nltk's BLEU is slow and the CPU suites must stay short."""

    primary = "bleu2"
    limit = 200

    def __init__(self, data: LoadedData, settings: EvalSettings) -> None:
        extras = data.info.extras
        vocab = extras.get("vocab")
        if not vocab:
            raise UserError(f"dataset '{data.info.name}' has no vocabulary (extras 'vocab'); text metrics need it")
        stops = [int(extras[k]) for k in ("pad_id", "eos_id") if k in extras]
        self.samples = min(settings.samples, self.limit)
        tokens = real_subset(data, "tokens", self.samples).long()
        self.references = [tokenize_sample(" ".join(decode(row, vocab, stops))) for row in tokens.tolist()]

    def metrics(self, module: GANModule) -> dict[str, float]:
        from ganzoo.metrics.text import bleu, self_bleu

        was_training = module.training
        module.eval()
        try:
            with torch.no_grad():
                lines = module.sample_text(self.samples, generator=torch.Generator(module.device).manual_seed(EVAL_SEED))
        finally:
            module.train(was_training)
        hypotheses = [tokenize_sample(line) for line in lines]
        return {"bleu2": bleu(hypotheses, self.references, 2), "bleu3": bleu(hypotheses, self.references, 3),
                "self_bleu3": self_bleu(hypotheses, 3)}


def build_evaluator(data: LoadedData, settings: EvalSettings, conditional: bool = False,
                    root: str | None = None, console: Console | None = None) -> Evaluator | None:
    """The evaluator for ``data``'s kind, or ``None`` when ganzoo has no metrics for it yet."""
    kind = data.info.kind
    if kind == VECTORS:
        return MixtureEvaluator(data, settings)
    if kind == IMAGE:
        return ImageEvaluator(data, settings, conditional, root, console)
    if kind == IMAGE_PAIRS:
        return SuperResolutionEvaluator(data, settings, root)
    if kind == TEXT:
        return TextEvaluator(data, settings)
    return None


def metric_names(evaluators: Sequence[Evaluator]) -> list[str]:
    """The primary metrics of ``evaluators``, in order, without repeats (for reports)."""
    return list(dict.fromkeys(e.primary for e in evaluators))
