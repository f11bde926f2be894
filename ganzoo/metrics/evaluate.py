"""Evaluators: the metrics every model on a dataset is scored with, looked up in the registry.

Evaluators are plugins' ``ganzoo_evaluators`` specs, for a data kind or for named datasets (the built-in
ones are in ``ganzoo.metrics.plugin``); ``build_evaluator`` picks a dataset's own before its kind's. An
evaluator holds what is fixed for a benchmark cell (the real set's features, the classifier, the
mixture's centres) and scores a module's samples at any step. ``Evaluator.evaluate`` runs a subclass's
``metrics`` whole inside its own random state (``rng.isolated_rng``: torch, CUDA, Python and NumPy, seeded),
and sampling runs in eval mode under ``torch.no_grad`` with a fixed seed, so evaluating never changes the
training run it observes. ``score`` orders results: a higher tuple is better (the best checkpoint).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import torch
from rich.console import Console

from ganzoo.data import LoadedData
from ganzoo.errors import UserError
from ganzoo.metrics.rng import isolated_rng
from ganzoo.module import GANModule
from ganzoo.specs import IMAGE, LABELLED_IMAGE, DatasetSpec, EvaluatorSpec, ModelSpec
from ganzoo.text import decode, tokenize_sample

if TYPE_CHECKING:
    from ganzoo.metrics.sr import SRTestSet
    from ganzoo.registry import Registry

EVAL_SEED = 4321  # the noise every evaluation draws, so evaluations at different steps are comparable
METRIC_SEED = 8765  # what metrics draw themselves (KID's and IS's subsets), fixed for the same reason
LOWER_IS_BETTER = frozenset({"fid", "kid", "mode_kl", "class_kl", "nll", "self_bleu3", "energy", "mmd"})


@dataclass(frozen=True)
class EvalSettings:
    """How a cell is scored: every ``every`` steps on ``samples`` samples with ``features``; not at all
    when ``enabled`` is false (a suite's ``eval: false``)."""

    enabled: bool = True
    every: int = 500
    samples: int = 2000
    features: str = "classifier"
    metrics: tuple[str, ...] = ()
    dataset: str = ""

    def wants(self, name: str) -> bool:
        """Whether metric ``name`` was asked for (all are when the suite lists none)."""
        return not self.metrics or name in self.metrics


@dataclass(frozen=True)
class EvalContext:
    """What an evaluator factory may use beside the data and settings: the specs, data root and console."""

    model: ModelSpec
    dataset: DatasetSpec
    root: str | None = None
    console: Console | None = None

    @property
    def conditional(self) -> bool:
        """Whether the model generates from class labels (then class accuracy is scored)."""
        return LABELLED_IMAGE in self.model.data_kinds and IMAGE not in self.model.data_kinds


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
                chunk = {k: v[start : start + batch] for k, v in conditions.items()}
                out = module.sample(min(batch, n - start), generator=generator, **chunk)
                for key, value in out.items():
                    parts.setdefault(key, []).append(
                        value.detach().float().cpu() if value.is_floating_point() else value.detach().cpu()
                    )
    finally:
        module.train(was_training)
    return {key: torch.cat(values) for key, values in parts.items()}


def real_subset(data: LoadedData, key: str, n: int) -> torch.Tensor:
    """A fixed random subset of ``n`` real samples under batch key ``key``."""
    if data.tensors is not None:
        order = torch.randperm(len(data), generator=torch.Generator().manual_seed(0))[:n]
        return data.rows(key, order).float()
    items = [data.dataset[i][key] for i in range(min(n, len(data.dataset)))]  # type: ignore[index, arg-type]
    return torch.stack(items).float()


class VectorsEvaluator(Evaluator):
    """Any vectors dataset: energy distance and MMD against a fixed subset of real points (``distances``);
    a Gaussian mixture (extras ``means`` and ``std``) is also scored by modes recovered, % high-quality
    samples and the KL of the mode histogram (``modes.py``), and ranked by those."""

    primary = "energy"
    higher_is_better = False

    def __init__(self, data: LoadedData, settings: EvalSettings, context: EvalContext | None = None) -> None:
        extras = data.info.extras
        self.samples, self.settings = settings.samples, settings
        self.real = real_subset(data, "x", settings.samples)
        self.means = torch.tensor(extras["means"]) if "means" in extras and "std" in extras else None
        self.std = float(extras.get("std", 0.0))
        if self.means is not None:
            self.primary, self.higher_is_better = "modes", True

    def metrics(self, module: GANModule) -> dict[str, float]:
        from ganzoo.metrics.distances import energy_distance, mmd_rbf
        from ganzoo.metrics.modes import mixture_scores

        fake = draw(module, self.samples)["x"]
        metrics: dict[str, float] = {}
        if self.settings.wants("energy"):
            metrics["energy"] = energy_distance(self.real, fake)
        if self.settings.wants("mmd"):
            metrics["mmd"] = mmd_rbf(self.real, fake)
        if self.means is not None:
            metrics.update(
                {
                    k: v
                    for k, v in mixture_scores(fake, self.means, self.std).items()
                    if self.settings.wants(k) or k in ("modes", "hq")
                }
            )
        return metrics

    def score(self, metrics: Mapping[str, float]) -> tuple[float, ...]:
        """Mixtures: more modes first, then more high-quality samples; else the lower energy distance."""
        if self.means is not None:
            return (metrics["modes"], metrics["hq"])
        return super().score(metrics)


class ImageEvaluator(Evaluator):
    """FID, KID, precision/recall on ``settings.features``; with a domain classifier also an
    Inception-Score-style score, class coverage and (for conditional models) class accuracy."""

    primary = "fid"
    higher_is_better = False

    def __init__(self, data: LoadedData, settings: EvalSettings, context: EvalContext) -> None:
        from ganzoo.metrics.features import ClassifierFeatures, extract, load_extractor

        info, root, console = data.info, context.root, context.console
        self.settings, self.conditional = settings, context.conditional
        self.num_classes = info.num_classes
        self.extractor = load_extractor(settings.features, info.name, info.shape, root, console)
        self.classifier: ClassifierFeatures | None = None
        if isinstance(self.extractor, ClassifierFeatures):
            self.classifier = self.extractor
        elif context.dataset.classifier_epochs and any(settings.wants(m) for m in ("is", "classes", "class_acc")):
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
    """PSNR and SSIM on Y over whole test images (``settings.dataset``, e.g. set5), by ``sr.evaluate_sr``: the
    protocol of ``benchmarks/srgan_set5.py`` (8-bit output, tiled, the scale cropped from every border)."""

    primary = "psnr"

    def __init__(self, data: LoadedData, settings: EvalSettings, context: EvalContext) -> None:
        from ganzoo.registry import get_registry

        if settings.dataset:
            spec = get_registry().dataset(settings.dataset)
            data = spec.build({"name": spec.name, "root": context.root, **spec.defaults})
        if data.dataset is None or not hasattr(data.dataset, "scale"):
            raise UserError(
                "super-resolution evaluation needs a dataset of whole LR/HR images, e.g. eval.dataset: set5"
            )
        self.test_set = cast("SRTestSet", data.dataset)  # checked above: whole images with a scale

    def metrics(self, module: GANModule) -> dict[str, float]:
        from ganzoo.metrics.sr import evaluate_sr

        scores = evaluate_sr(self.test_set, lambda lr: draw(module, len(lr), lr=lr)["image"])["mean"]
        return {"psnr": scores["psnr"], "ssim": scores["ssim"]}


class TranslationEvaluator(Evaluator):
    """Unpaired image-to-image translation (``image-domains`` data): FID of A's images translated to B
    against B's images, on ``settings.features`` of B's dataset; with labels on A and a classifier for B,
    also ``label_kept``, the share of translations that B's classifier gives their source's label."""

    primary = "fid"
    higher_is_better = False

    def __init__(self, data: LoadedData, settings: EvalSettings, context: EvalContext) -> None:
        from ganzoo.metrics.features import ClassifierFeatures, extract, load_extractor
        from ganzoo.registry import get_registry

        assert data.tensors is not None, "image-domains data is held in memory"
        extras, tensors, n = data.info.extras, data.tensors, settings.samples
        self.settings = settings
        self.sources = tensors["a"][: min(n, int(extras["a_size"]))]
        labels = tensors.get("a_label")
        self.labels = None if labels is None else labels[: len(self.sources)]
        b_dataset = str(extras.get("b_dataset") or "")
        if settings.features == "classifier" and not b_dataset:
            raise UserError(
                "classifier features need domain B to be a named dataset (data.b); use eval.features: inception"
            )
        self.extractor = load_extractor(settings.features, b_dataset, data.info.shape, context.root, context.console)
        self.real_features = extract(self.extractor, tensors["b"][: min(n, int(extras["b_size"]))])
        self.classifier: ClassifierFeatures | None = None
        if isinstance(self.extractor, ClassifierFeatures):
            self.classifier = self.extractor
        elif self.labels is not None and b_dataset and get_registry().dataset(b_dataset).classifier_epochs:
            self.classifier = ClassifierFeatures(b_dataset, context.root, context.console).eval()

    def metrics(self, module: GANModule) -> dict[str, float]:
        from ganzoo.metrics.distances import fid
        from ganzoo.metrics.features import extract

        translated = draw(module, len(self.sources), a=self.sources.to(module.device))["image"]
        metrics: dict[str, float] = {}
        if self.settings.wants("fid"):
            metrics["fid"] = fid(
                self.real_features, extract(self.extractor.to(module.device), translated, module.device)
            )
        if self.classifier is not None and self.labels is not None and self.settings.wants("label_kept"):
            logits = extract(self.classifier.to(module.device).logits, translated, module.device)
            metrics["label_kept"] = float((logits.argmax(1) == self.labels).float().mean())
        return metrics


class TextEvaluator(Evaluator):
    """BLEU-2/3 of samples against real sequences and self-BLEU-3 (``text.py``, Texygen's protocol), on at
    most 200 samples: nltk's BLEU is slow and the CPU suites must stay short."""

    primary = "bleu2"
    limit = 200

    def __init__(self, data: LoadedData, settings: EvalSettings, context: EvalContext | None = None) -> None:
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
                lines = module.sample_text(
                    self.samples, generator=torch.Generator(module.device).manual_seed(EVAL_SEED)
                )
        finally:
            module.train(was_training)
        hypotheses = [tokenize_sample(line) for line in lines]
        return {
            "bleu2": bleu(hypotheses, self.references, 2),
            "bleu3": bleu(hypotheses, self.references, 3),
            "self_bleu3": self_bleu(hypotheses, 3),
        }


def evaluator_spec(dataset: DatasetSpec, registry: Registry) -> EvaluatorSpec | None:
    """The evaluator registered for ``dataset`` by name, else for its kind, else ``None``."""
    specs = registry.list("evaluators")
    named = [s for s in specs if dataset.name in s.datasets]
    found = named or [s for s in specs if not s.datasets and dataset.kind in s.data_kinds]
    return found[0] if found else None


def build_evaluator(
    data: LoadedData, settings: EvalSettings, context: EvalContext, registry: Registry | None = None
) -> Evaluator | None:
    """The registered evaluator for ``context.dataset``, or ``None`` when no plugin scores it."""
    from ganzoo.registry import get_registry

    spec = evaluator_spec(context.dataset, registry or get_registry())
    if spec is None:
        return None
    evaluator = spec.build(data, settings, context)
    if not isinstance(evaluator, Evaluator):
        raise UserError(
            f"evaluator '{spec.name}' of plugin package '{spec.source}' built "
            f"{type(evaluator).__name__}, not a ganzoo.Evaluator; fix the plugin"
        )
    return evaluator


def metric_names(evaluators: Sequence[Evaluator]) -> list[str]:
    """The primary metrics of ``evaluators``, in order, without repeats (for reports)."""
    return list(dict.fromkeys(e.primary for e in evaluators))
