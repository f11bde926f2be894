"""Run configs: trainer defaults < dataset defaults < model defaults < ``--config`` file < ``--set``.

The defaults fix every key and its type, so a file or override may only change existing keys, with
values of the same type (``--set train.lr=2e-4`` is a float). The result is frozen and is written to
the run directory, where it is enough to reproduce the run.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

import yaml

from ganzoo.bounds import check_bounds
from ganzoo.errors import UserError, did_you_mean, short
from ganzoo.schema import Key, defaults_of, key_for_default
from ganzoo.specs import DatasetSpec, ModelSpec

DEFAULT_DATASET = "digits"
PRECISIONS = ("auto", "fp32", "bf16", "fp16")
OPTIMIZERS = ("adam", "rmsprop", "sgd")
LR_SCHEDULES = ("constant", "linear")
MAX_LR = 1e30  # larger is inf in float32; a huge rate diverges (exit 3), it must not crash

# The trainer's keys, shared by every model: the loop, precision and the training policy (D steps per G
# step, rates, optimizer, schedule, clipping, EMA, augmentation, R1/R2). Models and datasets add sections.
TRAINER_KEYS: dict[str, Key] = {
    "seed": Key(0, "seed of every random draw (weights, noise, data order)"),
    "device": Key("auto", "cpu, cuda, cuda:N or auto (CUDA when present)"),
    "loss": Key("bce", "the adversarial (or policy) loss plugin; `ganzoo list losses`"),
    "train.steps": Key(2000, "trainer steps of the whole run, every phase included", low=1),
    "train.batch_size": Key(64, "samples per batch (per process under DDP)", low=1, high=1_000_000),
    "train.lr": Key(2e-4, "learning rate of every optimizer unless g_lr/d_lr set it", low=0, high=MAX_LR),
    "train.g_lr": Key(
        None, "generator learning rate (TTUR); null: train.lr", kind=float, optional=True, low=0, high=MAX_LR
    ),
    "train.d_lr": Key(
        None, "discriminator learning rate (TTUR); null: train.lr", kind=float, optional=True, low=0, high=MAX_LR
    ),
    "train.optimizer": Key("adam", "optimizer of every network", choices=OPTIMIZERS),
    "train.betas": Key([0.5, 0.999], "Adam's betas", items=float, length=2, low=0, high=0.9999999),
    "train.momentum": Key(0.0, "momentum of sgd and rmsprop", low=0, high=0.9999999),
    "train.weight_decay": Key(0.0, "L2 weight decay of every optimizer", low=0),
    "train.d_steps": Key(
        1, "discriminator (critic) updates per generator update, each on a fresh batch", low=1, high=1000
    ),
    "train.lr_schedule": Key("constant", "constant, or linear decay to zero at the last step", choices=LR_SCHEDULES),
    "train.lr_decay_start": Key(
        0.0, "fraction of the steps the rate is held before a linear decay", low=0, high=0.999999
    ),
    "train.grad_clip": Key(0.0, "max gradient norm of every update (0: no clipping)", low=0),
    "train.ema": Key(False, "keep an exponential moving average of the generator for sampling and scores"),
    "train.ema_decay": Key(0.999, "EMA decay per step", low=0, high=0.999999999),
    "train.ema_start": Key(0, "steps before the EMA starts averaging (it copies the generator until then)", low=0),
    "train.augment": Key("", "DiffAugment policies before D, comma-separated: color, translation, cutout"),
    "train.r1": Key(0.0, "R1 penalty weight gamma on real samples (Mescheder et al. 2018)", low=0),
    "train.r2": Key(0.0, "R2 penalty weight gamma on generated samples", low=0),
    "train.precision": Key("auto", "fp32, bf16 or fp16 autocast; auto picks per device", choices=PRECISIONS),
    "train.channels_last": Key(True, "channels-last memory format for image networks"),
    "train.compile": Key(False, "torch.compile the networks"),
    "train.sync_batchnorm": Key(False, "synchronise batch-norm statistics across DDP processes"),
    "train.find_unused_parameters": Key(False, "DDP's find_unused_parameters"),
    "train.log_every": Key(10, "steps per metrics.jsonl row", low=1),
    "train.loggers": Key(
        ["jsonl"],
        "where log rows and samples go: jsonl (always written), tensorboard "
        "(RUN_DIR/tensorboard/, needs ganzoo[tensorboard])",
        items=str,
    ),
    "train.sample_every": Key(500, "steps per sample grid", low=1),
    "train.checkpoint_every": Key(500, "steps per kept checkpoint", low=1),
    "train.num_samples": Key(64, "samples in each grid", low=1, high=4096),
    "train.on_nonfinite": Key(
        "stop", "what a NaN/inf loss does: stop (exit 3) or skip the update", choices=("stop", "skip")
    ),
}

# API-1 keys that moved into the trainer's policy: old path -> (new path, value conversion).
LEGACY_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "model.n_critic": ("train.d_steps", lambda value: value),
    "model.d_steps": ("train.d_steps", lambda value: value),
    "model.g_lr": ("train.g_lr", lambda value: value),
    "model.d_lr": ("train.d_lr", lambda value: value),
    "model.grad_clip": ("train.grad_clip", lambda value: value),
    "model.lr_decay_start": ("train.lr_decay_start", lambda value: value),
    "model.lr_decay": (
        "train.lr_schedule",
        lambda value: "linear" if value is True else "constant" if value is False else value,
    ),
}


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{"train.lr": 1}`` -> ``{"train": {"lr": 1}}``."""
    nested: dict[str, Any] = {}
    for path, value in flat.items():
        node = nested
        *sections, last = path.split(".")
        for section in sections:
            node = node.setdefault(section, {})
        node[last] = copy.deepcopy(value)
    return nested


TRAINER_DEFAULTS: dict[str, Any] = nest(
    {path: key.default for path, key in TRAINER_KEYS.items()}
    | {"model.name": "", "data.name": DEFAULT_DATASET, "data.root": None}
)


def merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``update`` into a copy of ``base`` without validation (used to build defaults)."""
    result = copy.deepcopy(dict(base))
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def apply(
    config: dict[str, Any],
    update: Any,
    origin: str,
    schema: Mapping[str, Key] | None = None,
    notice: Callable[[str], None] | None = None,
) -> None:
    """Validate ``update`` against ``schema`` (else the type of the key's current value) and write it in
    place; an API-1 key that moved (``model.n_critic``) is written to its new place with a notice."""
    schema = TRAINER_KEYS if schema is None else schema
    for path, value in _leaves(update, origin):
        if not _has(config, path) and path in LEGACY_KEYS and _has(config, LEGACY_KEYS[path][0]):
            new_path, convert = LEGACY_KEYS[path]
            if notice is not None:
                notice(f"{origin}: '{path}' is deprecated (plugin API 1); it now sets '{new_path}'")
            path, value = new_path, convert(value)
        *sections, last = path.split(".")
        node = config
        for depth, section in enumerate(sections):
            child = node.get(section) if isinstance(node, dict) else None
            if not isinstance(child, dict):
                _unknown(config, ".".join(sections[: depth + 1]), origin, section=child is None)
            node = child
        if last not in node:
            _unknown(config, path, origin, section=False)
        if isinstance(node[last], dict):
            raise UserError(
                f"{origin}: '{path}' is a section and must be a mapping of keys to values; set its keys "
                f"(e.g. {path}.KEY=VALUE)"
            )
        declared = schema.get(path)
        node[last] = (declared or key_for_default(node[last], path)).check(path, value, origin)
        if declared is None:  # keys known only by their default (API-1 plugins, datasets): bounds by name
            check_bounds(path, node[last], origin)


def _leaves(update: Any, origin: str, prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted path, value) of every leaf of a nested update mapping."""
    if not isinstance(update, Mapping):
        where = f"'{prefix[:-1]}'" if prefix else "the top level"
        raise UserError(f"{origin}: {where} must be a mapping of keys to values, got {_type_name(update)}")
    leaves: list[tuple[str, Any]] = []
    for key, value in update.items():
        if not isinstance(key, str):
            raise UserError(f"{origin}: config keys must be strings, got {short(key)}")
        if isinstance(value, Mapping):
            leaves += _leaves(value, origin, f"{prefix}{key}.")
        else:
            leaves.append((f"{prefix}{key}", value))
    return leaves


def _has(config: Mapping[str, Any], path: str) -> bool:
    node: Any = config
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True


def _unknown(config: Mapping[str, Any], path: str, origin: str, section: bool) -> NoReturn:
    known = [p for p in _paths(config)]
    raise UserError(
        f"{origin}: unknown config key {short(path)}{did_you_mean(path, known)}; "
        f"`ganzoo info MODEL` lists the valid keys"
    )


def _paths(config: Mapping[str, Any], prefix: str = "") -> list[str]:
    paths: list[str] = []
    for key, value in config.items():
        paths += _paths(value, f"{prefix}{key}.") if isinstance(value, Mapping) else [f"{prefix}{key}"]
    return paths


def _type_name(value: Any) -> str:
    names = {bool: "true or false", int: "an integer", str: "a string", list: "a list", dict: "a mapping"}
    if value is None:
        return "nothing (null)"
    return names.get(type(value), f"a {type(value).__name__}")


def parse_overrides(pairs: Iterable[str]) -> dict[str, Any]:
    """Turn ``["train.lr=2e-4", "loss=hinge"]`` into a nested mapping with YAML-typed values."""
    nested: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--set expects KEY=VALUE (for example train.steps=100), got {short(pair)}")
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except (yaml.YAMLError, ValueError, RecursionError):  # ValueError: an int of over 4,300 digits
            value = raw
        node = nested
        parts = key.strip().split(".")
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise UserError(f"--set sets '{part}' both as a value and as a section")
            node = child
        node[parts[-1]] = value
    return nested


def load_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping from ``path`` (an empty file is an empty mapping)."""
    path = Path(path)
    if path.exists() and not path.is_file():  # a FIFO or device would block the read forever
        raise UserError(f"config file {path} is not a regular file; give a YAML file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read config file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise UserError(f"config file {path} is not valid YAML{where}; fix its syntax") from None
    except (RecursionError, ValueError):  # ValueError: an integer of over 4,300 digits
        raise UserError(f"config file {path} is nested too deeply or holds a number too long to read; fix it") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"config file {path} must hold a mapping of keys to values, got {_type_name(data)}")
    return data


def freeze(value: Any) -> Any:
    """A read-only view: mappings become ``MappingProxyType`` and lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Plain dicts and lists again, for YAML output and checkpoints."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


def build_config(
    defaults: Mapping[str, Any],
    layers: Iterable[tuple[str, Mapping[str, Any]]],
    schema: Mapping[str, Key] | None = None,
    notice: Callable[[str], None] | None = None,
) -> Mapping[str, Any]:
    """Apply each ``(origin, mapping)`` layer over ``defaults`` with validation and freeze the result."""
    config = copy.deepcopy(thaw(defaults))
    for origin, layer in layers:
        apply(config, layer, origin, schema, notice)
    return freeze(config)


def dump(config: Mapping[str, Any]) -> str:
    """The config as YAML text, keys in their natural order."""
    return yaml.safe_dump(thaw(config), sort_keys=False)


def default_config(model: ModelSpec, dataset: DatasetSpec) -> dict[str, Any]:
    """Trainer defaults, then the dataset's, then the model's: every valid key with its default."""
    merged = merge(TRAINER_DEFAULTS, {"data": dict(dataset.defaults)})
    merged = merge(merged, {"model": defaults_of(model.model_keys())})
    merged = merge(merged, model.defaults)
    merged["model"]["name"] = model.name
    merged["data"]["name"] = dataset.name
    return merged


def config_schema(model: ModelSpec) -> dict[str, Key]:
    """The declaration of every trainer and ``model.*`` key of ``model``'s runs."""
    return TRAINER_KEYS | {f"model.{name}": key for name, key in model.model_keys().items()}
