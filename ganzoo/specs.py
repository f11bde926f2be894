"""Specs: cheap, frozen descriptions of models, losses, datasets and evaluators, each with a lazy factory.

A spec is data plus a factory. Nothing heavy is imported or built until ``build`` is called, so listing
plugins never builds a network or touches data.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ganzoo.schema import Key, as_keys, key_for_default

# Data kinds a dataset provides and a model accepts.
IMAGE = "image"
LABELLED_IMAGE = "labelled-image"
TEXT = "text"
IMAGE_PAIRS = "image-pairs"
VECTORS = "vectors"
IMAGE_DOMAINS = "image-domains"  # two unpaired image domains, batch keys ``a`` and ``b`` (CycleGAN)
DATA_KINDS = (IMAGE, LABELLED_IMAGE, TEXT, IMAGE_PAIRS, VECTORS, IMAGE_DOMAINS)


def resolve_factory(factory: Callable[..., Any] | str) -> Callable[..., Any]:
    """Import ``"package.module:attribute"`` on first use, so specs stay cheap to declare."""
    if callable(factory):
        return factory
    module_name, _, attribute = factory.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


@dataclass(frozen=True)
class _Spec:
    name: str
    summary: str
    factory: Callable[..., Any] | str = field(repr=False)
    paper: str = ""
    defaults: Mapping[str, Any] = field(default_factory=dict)
    # Filled in by the registry: the distribution that registered the spec.
    source: str = ""

    def build(self, *args: Any, **kwargs: Any) -> Any:
        """Call the factory (importing it first when given as a string)."""
        return resolve_factory(self.factory)(*args, **kwargs)


@dataclass(frozen=True)
class ModelSpec(_Spec):
    """A GAN: ``factory(config, data_info) -> GANModule``; ``defaults`` is a nested config fragment.

    ``keys`` declares the model's own ``model.*`` keys (``ganzoo.Key``: type, bounds, choices, doc); their
    defaults fill ``model`` and validation comes from them. API-1 specs put plain defaults under
    ``defaults["model"]`` instead, checked by type only. ``conditions`` names what ``sample`` can be
    conditioned on (``label``, ``code``), for ``ganzoo sample --cond``. ``takes_loss=False`` says the
    model's objective is its own, so a ``loss`` setting is an error. ``test_config`` shrinks the model for
    the contract checks of ``ganzoo.testing`` (narrower networks, shorter phases); it never affects real runs.
    """

    data_kinds: tuple[str, ...] = (IMAGE,)
    test_config: Mapping[str, Any] = field(default_factory=dict)
    keys: Mapping[str, Any] = field(default_factory=dict)
    conditions: tuple[str, ...] = ()
    takes_loss: bool = True

    def model_keys(self) -> dict[str, Key]:
        """Every ``model.*`` key with its declaration: ``keys``, then plain defaults typed by value."""
        declared = as_keys(self.keys)
        plain = self.defaults.get("model", {}) if isinstance(self.defaults.get("model", {}), Mapping) else {}
        for name, value in plain.items():
            if name in declared:
                declared[name] = dataclasses.replace(declared[name], default=value)
            elif name != "name":
                declared[name] = key_for_default(value, f"model.{name}")
        return declared


@dataclass(frozen=True)
class LossSpec(_Spec):
    """A named objective: ``factory(**options) -> loss object``; ``role`` says where models use it."""

    role: str = "adversarial"


@dataclass(frozen=True)
class DatasetSpec(_Spec):
    """A dataset: ``factory(data_config) -> LoadedData``; ``defaults`` fill the ``data`` config section.

    ``classifier_epochs`` > 0 says ganzoo's small domain classifier can be trained on it (that many epochs
    over its train split, once, cached): it gives the ``classifier`` features and the class metrics.
    """

    kind: str = IMAGE
    shape: tuple[int, ...] = ()
    num_classes: int = 0
    origin: str = ""
    classifier_epochs: int = 0

    @property
    def provides(self) -> tuple[str, ...]:
        """The data kinds this dataset satisfies (a labelled image set also serves unlabelled models).

        ``labels: auto`` in the defaults (an image folder) means the classes are found when it loads:
        labelled models are offered it too and refuse it then if it has none (``DataInfo.num_classes``).
        """
        if self.kind == IMAGE and (self.num_classes or self.defaults.get("labels") == "auto"):
            return (IMAGE, LABELLED_IMAGE)
        return (self.kind,)


@dataclass(frozen=True)
class EvaluatorSpec(_Spec):
    """Metrics for data: ``factory(data, settings, context) -> ganzoo.Evaluator`` (``ganzoo.metrics.evaluate``).

    It scores every dataset of ``data_kinds``, or only the datasets named in ``datasets`` (which win over
    a kind's evaluator). ``metrics`` names every metric it reports, so a suite asking for others is refused.
    """

    data_kinds: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()


SPEC_KINDS: dict[str, type[_Spec]] = {
    "models": ModelSpec,
    "losses": LossSpec,
    "datasets": DatasetSpec,
    "evaluators": EvaluatorSpec,
}
