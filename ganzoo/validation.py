"""Spec validation at plugin load: field types, names, data kinds, factory paths, arXiv ids, defaults.

``problems(spec)`` lists what is wrong with a spec, each as a phrase a plugin author can act on; the
registry marks the plugin broken with them and leaves the spec out, so a bad third-party spec never
breaks ``ganzoo list`` or anyone's runs. Torch-free, like every spec module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ganzoo.errors import UserError, did_you_mean, short
from ganzoo.schema import Key, _article
from ganzoo.specs import DATA_KINDS, DatasetSpec, EvaluatorSpec, LossSpec, ModelSpec, _Spec

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
FACTORY = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")
ARXIV = re.compile(r"\d{4}\.\d{4,5}(v\d+)?|[a-z-]+(\.[A-Z]{2})?/\d{7}(v\d+)?")
LOSS_ROLES = ("adversarial", "content", "mutual-information", "policy")


def _type(value: Any) -> str:
    return f"{short(value, 40)} (a {type(value).__name__})"


def _kinds(value: Any, field: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, (tuple, list)):
        return [f"{field} must be a tuple of data kinds such as (VECTORS,), got {_type(value)}"]
    bad = [kind for kind in value if kind not in DATA_KINDS]
    return [
        f"{field} has unknown data kind {short(kind, 40)}{did_you_mean(str(kind), DATA_KINDS)}; valid kinds are "
        f"{', '.join(DATA_KINDS)}"
        for kind in bad[:1]
    ]


def _strings(value: Any, field: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, (tuple, list)) or not all(isinstance(v, str) for v in value):
        return [f"{field} must be a tuple of names, got {_type(value)}"]
    return []


def _common(spec: _Spec) -> list[str]:
    found = []
    if not isinstance(spec.name, str) or not NAME.fullmatch(spec.name):
        found.append(f"name must be letters, digits and . _ + - (at most 64), got {_type(spec.name)}")
    if not isinstance(spec.summary, str):
        found.append(f"summary must be a string, got {_type(spec.summary)}")
    if not callable(spec.factory) and not (isinstance(spec.factory, str) and FACTORY.fullmatch(spec.factory)):
        found.append(f"factory must be a 'package.module:attribute' string, got {_type(spec.factory)}")
    if not isinstance(spec.paper, str) or (spec.paper and not ARXIV.fullmatch(spec.paper)):
        found.append(f"paper must be an arXiv id string such as '1406.2661', got {_type(spec.paper)}")
    if not isinstance(spec.defaults, Mapping):
        found.append(f"defaults must be a mapping, got {_type(spec.defaults)}")
    return found


def _strict(path: str, key: Key, value: Any) -> None:
    """``Key.check``, except that a string is never taken for a number (a spec's defaults are Python values)."""
    if isinstance(value, str) and key.type not in (str, None):
        raise UserError(f"'{path}' must be {_article(key)}, got {short(value)} (a string)")
    key.check(path, value, "defaults")


def _leaves(mapping: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = []
    for name, value in mapping.items():
        path = f"{prefix}{name}"
        pairs += _leaves(value, path + ".") if isinstance(value, Mapping) else [(path, value)]
    return pairs


def _model(spec: ModelSpec) -> list[str]:
    found = _kinds(spec.data_kinds, "data_kinds") + _strings(spec.conditions, "conditions")
    if not isinstance(spec.takes_loss, bool):
        found.append(f"takes_loss must be True or False, got {_type(spec.takes_loss)}")
    if not isinstance(spec.keys, Mapping) or not all(isinstance(k, Key) for k in spec.keys.values()):
        found.append("keys must map each model key name to a ganzoo.Key (type, bounds, doc)")
        return found
    if not isinstance(spec.test_config, Mapping):
        found.append(f"test_config must be a mapping, got {_type(spec.test_config)}")
    if isinstance(spec.defaults, Mapping):
        found += _model_defaults(spec)
    return found


def _model_defaults(spec: ModelSpec) -> list[str]:
    """Defaults against the config schema: trainer keys by their declaration, typed model keys by theirs."""
    from ganzoo.config import LEGACY_KEYS, TRAINER_KEYS

    found: list[str] = []
    model = spec.defaults.get("model", {})
    data = spec.defaults.get("data", {})
    if not isinstance(model, Mapping) or not isinstance(data, Mapping):
        return ["defaults 'model' and 'data' must be mappings"]
    if not isinstance(data.get("name", ""), str):
        found.append(f"defaults data.name must be a dataset name, got {_type(data['name'])}")
    checks: list[tuple[str, Any, Key | None]] = [(f"model.{k}", v, spec.keys.get(k)) for k, v in model.items()]
    checks += [
        (path, value, TRAINER_KEYS.get(path))
        for path, value in _leaves(spec.defaults)
        if not path.startswith(("model.", "data."))
    ]
    for path, value, key in checks:
        if key is None and not path.startswith("model.") and path not in LEGACY_KEYS:
            found.append(f"defaults: unknown key '{path}'{did_you_mean(path, TRAINER_KEYS)}")
        elif key is not None:
            try:
                _strict(path, key, value)
            except UserError as exc:
                found.append(f"defaults: {str(exc).removeprefix('defaults: ')}")
    return found


def _dataset(spec: DatasetSpec) -> list[str]:
    found = (
        _kinds((spec.kind,), "kind")
        if isinstance(spec.kind, str)
        else [f"kind must be a data kind, got {_type(spec.kind)}"]
    )
    if not isinstance(spec.shape, (tuple, list)) or not all(
        isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in spec.shape
    ):
        found.append(f"shape must be a tuple of integers >= 0 (0: varies), got {_type(spec.shape)}")
    for field in ("num_classes", "classifier_epochs"):
        value = getattr(spec, field)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            found.append(f"{field} must be an integer >= 0, got {_type(value)}")
    if not isinstance(spec.origin, str):
        found.append(f"origin must be a string, got {_type(spec.origin)}")
    return found


def _loss(spec: LossSpec) -> list[str]:
    if spec.role not in LOSS_ROLES:
        return [f"role must be one of {', '.join(LOSS_ROLES)}, got {_type(spec.role)}"]
    return []


def _evaluator(spec: EvaluatorSpec) -> list[str]:
    found = _strings(spec.datasets, "datasets") + _strings(spec.metrics, "metrics")
    if spec.data_kinds or not spec.datasets:
        found += _kinds(spec.data_kinds, "data_kinds") if spec.data_kinds else ["give data_kinds or datasets"]
    return found


_CHECKS: dict[type, Callable[[Any], list[str]]] = {
    ModelSpec: _model,
    DatasetSpec: _dataset,
    LossSpec: _loss,
    EvaluatorSpec: _evaluator,
}


def problems(spec: _Spec) -> list[str]:
    """What is wrong with ``spec`` (empty when it is valid)."""
    check = next(check for kind, check in _CHECKS.items() if isinstance(spec, kind))
    return _common(spec) + check(spec)
