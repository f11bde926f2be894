"""Contract checks for plugins: does a model, loss or dataset plugin behave as ganzoo's trainer expects?

``check_model_plugin("lsgan")`` checks the spec, builds the model on tiny data of a kind it accepts,
runs one training step per phase through the real ``Trainer`` and ``StepContext``, round-trips a
checkpoint (restored weights give identical samples and an identical next step), checks what
sampling returns and that its samples render. Plugin authors call these from their own tests; ganzoo's
suite calls them for every installed plugin. A broken promise raises ``ContractError`` saying which one.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from rich.console import Console
from torch import nn

from ganzoo import config as cfg
from ganzoo import render
from ganzoo.data import DataInfo, LoadedData
from ganzoo.errors import UserError
from ganzoo.module import GANModule, Phase
from ganzoo.objectives import AdversarialLoss
from ganzoo.registry import Registry, get_registry
from ganzoo.runner import check_compatible, default_config, seed_everything
from ganzoo.specs import (
    DATA_KINDS,
    IMAGE,
    IMAGE_DOMAINS,
    IMAGE_PAIRS,
    LABELLED_IMAGE,
    TEXT,
    VECTORS,
    DatasetSpec,
    ModelSpec,
)
from ganzoo.trainer import Trainer
from ganzoo.trainer.checkpoint import load_checkpoint
from ganzoo.trainer.loop import phase_at
from ganzoo.trainer.precision import resolve_device, resolve_precision

# Trainer settings for the checks: small batches, fp32 on CPU, a few samples.
TINY_TRAIN = {"batch_size": 8, "num_samples": 4, "steps": 2}
# Datasets that define ``limit`` keep only this many samples during the checks.
TINY_LIMIT = 64
SAMPLES = 4
_ARXIV = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
# Sample keys whose item shape the data fixes (super-resolution's lr/hr work at any size).
_FIXED_SHAPE_KEYS = ("image", "label", "tokens", "x")
_BATCH_KEYS = {
    IMAGE: ("image",),
    LABELLED_IMAGE: ("image", "label"),
    TEXT: ("tokens",),
    IMAGE_PAIRS: ("lr", "hr"),
    VECTORS: ("x",),
    IMAGE_DOMAINS: ("a", "b"),
}


class ContractError(AssertionError):
    """A plugin breaks the plugin contract; the message says which promise and how."""


class DataUnavailable(UserError):
    """The dataset a check needs is not present here (a test should skip, not fail)."""


@dataclass
class ModelReport:
    """What ``check_model_plugin`` ran and saw."""

    model: str
    dataset: str
    phases: list[str]
    logs: dict[str, dict[str, float]] = field(default_factory=dict)
    samples: dict[str, tuple[int, ...]] = field(default_factory=dict)
    parameters: int = 0
    seconds: float = 0.0


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ContractError(message)


@contextlib.contextmanager
def _stage(who: str, what: str) -> Iterator[None]:
    """Turn an exception raised by plugin code into a ``ContractError`` naming the stage."""
    try:
        yield
    except (ContractError, DataUnavailable):
        raise
    except Exception as exc:
        raise ContractError(f"{who}: {what} raised {type(exc).__name__}: {exc}") from exc


def check_plugin_loaded(package: str, models: Sequence[str] = (), registry: Registry | None = None) -> None:
    """The distribution ``package`` loaded through its entry points with no plugin of it broken, and each of
    ``models`` is registered by it."""
    registry = registry or get_registry()
    broken = [f"{p.name}: {'; '.join(p.errors)}" for p in registry.broken if p.package == package]
    _require(not broken, f"package '{package}' has broken plugins: {', '.join(broken)}")
    for name in models:
        source = registry.model(name).source
        _require(source == package, f"model '{name}' is registered by package '{source}', not by '{package}'")


def check_model_spec(spec: ModelSpec) -> None:
    """A model spec is cheap and well-formed: lazy factory, known data kinds, typed defaults."""
    who = f"model '{spec.name}'"
    _require(isinstance(spec, ModelSpec), f"{spec!r} is not a ModelSpec")
    _check_common(spec, who)
    _require(
        bool(spec.data_kinds) and set(spec.data_kinds) <= set(DATA_KINDS),
        f"{who}: data_kinds {spec.data_kinds!r} must be a non-empty subset of {DATA_KINDS}",
    )
    _require(isinstance(spec.test_config, Mapping), f"{who}: test_config must be a mapping")
    _check_fragment(spec.defaults, cfg.TRAINER_DEFAULTS, f"{who} defaults")
    _check_fragment(spec.test_config, {}, f"{who} test_config")


def _check_common(spec: Any, who: str) -> None:
    _require(
        isinstance(spec.name, str) and bool(_NAME.match(spec.name)),
        f"{who}: name must be letters, digits and _.+- with no spaces, got {spec.name!r}",
    )
    _require(
        isinstance(spec.summary, str) and bool(spec.summary.strip()) and "\n" not in spec.summary,
        f"{who}: summary must be one non-empty line",
    )
    _require(
        not spec.paper or bool(_ARXIV.match(spec.paper)),
        f"{who}: paper must be an arXiv id such as 1611.04076, got {spec.paper!r}",
    )
    _require(
        isinstance(spec.factory, str) and bool(re.match(r"^[\w.]+:[\w.]+$", spec.factory)),
        f"{who}: factory must be a lazy 'package.module:attribute' string so listing imports nothing "
        f"heavy, got {spec.factory!r}",
    )
    _require(isinstance(spec.defaults, Mapping), f"{who}: defaults must be a mapping")


def _check_fragment(fragment: Mapping[str, Any], shared: Mapping[str, Any], where: str, prefix: str = "") -> None:
    """Keys are strings, values are config scalars or lists of them, shared keys keep their type."""
    for key, value in fragment.items():
        path = f"{prefix}{key}"
        _require(isinstance(key, str) and bool(key), f"{where}: key {key!r} must be a non-empty string")
        base = shared.get(key) if isinstance(shared, Mapping) else None
        if isinstance(value, Mapping):
            _require(base is None or isinstance(base, Mapping), f"{where}: '{path}' must be a value, not a section")
            _check_fragment(value, base or {}, where, f"{path}.")
            continue
        scalar = (bool, int, float, str, type(None))
        ok = isinstance(value, scalar) or (
            isinstance(value, (list, tuple)) and all(isinstance(v, scalar) for v in value)
        )
        _require(ok, f"{where}: '{path}' must be a number, string, bool, null or list of them, got {value!r}")
        if base is not None and not isinstance(base, Mapping):
            same = isinstance(value, type(base)) and isinstance(value, bool) == isinstance(base, bool)
            _require(
                same or (isinstance(base, float) and isinstance(value, float)),
                f"{where}: '{path}' must keep the trainer's type ({type(base).__name__}), got {value!r}",
            )


def tiny_dataset(spec: ModelSpec, registry: Registry | None = None) -> str:
    """The dataset the checks train on: test_config's, else the model's default, else digits, else any."""
    registry = registry or get_registry()
    for fragment in (spec.test_config, spec.defaults):
        data = fragment.get("data")
        if isinstance(data, Mapping) and data.get("name"):
            return str(data["name"])
    candidates = [registry.dataset(cfg.DEFAULT_DATASET)] if cfg.DEFAULT_DATASET in registry.specs["datasets"] else []
    candidates += registry.list("datasets")
    for dataset in candidates:
        if set(spec.data_kinds) & set(dataset.provides):
            return dataset.name
    raise ContractError(f"model '{spec.name}': no installed dataset provides {' or '.join(spec.data_kinds)} data")


def tiny_config(
    spec: ModelSpec, dataset: DatasetSpec, overrides: Mapping[str, Any] | Sequence[str] = (), device: str = "cpu"
) -> Mapping[str, Any]:
    """The run config for the checks: defaults < tiny trainer settings < the spec's test_config < overrides."""
    tiny: dict[str, Any] = {
        "device": device,
        "train": {**TINY_TRAIN, "precision": "fp32" if device == "cpu" else "auto"},
    }
    if "limit" in dataset.defaults:
        tiny["data"] = {"limit": TINY_LIMIT}
    test_config = _without_name(spec.test_config)
    if isinstance(test_config.get("data"), Mapping):  # data keys apply to the datasets that define them
        test_config["data"] = {k: v for k, v in test_config["data"].items() if k in dataset.defaults}
    layers: list[tuple[str, Mapping[str, Any]]] = [
        ("ganzoo.testing", tiny),
        (f"model '{spec.name}' test_config", test_config),
    ]
    if overrides:
        extra = cfg.parse_overrides(overrides) if not isinstance(overrides, Mapping) else overrides
        layers.append(("overrides", _without_name(extra)))
    try:
        return cfg.build_config(default_config(spec, dataset), layers)
    except UserError as exc:
        raise ContractError(f"model '{spec.name}': {exc}") from None


def _without_name(fragment: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(fragment)
    if isinstance(result.get("data"), Mapping):
        result["data"] = {k: v for k, v in result["data"].items() if k != "name"}
    return result


def load_tiny_data(config: Mapping[str, Any], registry: Registry | None = None) -> LoadedData:
    """Load the configured dataset; a missing dataset raises ``DataUnavailable``."""
    registry = registry or get_registry()
    spec = registry.dataset(config["data"]["name"])
    try:
        data = spec.build(config["data"])
    except UserError as exc:
        raise DataUnavailable(str(exc)) from None
    _require(
        isinstance(data, LoadedData), f"dataset '{spec.name}' factory returned {type(data).__name__}, not LoadedData"
    )
    return data


def check_model_plugin(
    name: str,
    dataset: str | None = None,
    overrides: Mapping[str, Any] | Sequence[str] = (),
    device: str = "cpu",
    registry: Registry | None = None,
) -> ModelReport:
    """Check the model plugin ``name`` end to end on tiny data; raise ``ContractError`` on a broken promise.

    ``dataset`` picks the data (default: see ``tiny_dataset``); ``overrides`` are extra config values,
    as a nested mapping or ``["key=value", ...]``.
    """
    started = time.perf_counter()
    registry = registry or get_registry()
    spec = registry.model(name)
    who = f"model '{spec.name}'"
    check_model_spec(spec)
    data_spec = registry.dataset(dataset or tiny_dataset(spec, registry))
    check_compatible(spec, data_spec)
    config = tiny_config(spec, data_spec, overrides, device)
    data = load_tiny_data(config, registry)
    run_device = resolve_device(config["device"])
    precision = resolve_precision(config["train"]["precision"], run_device)
    with tempfile.TemporaryDirectory(prefix="ganzoo-contract-") as tmp, _no_file_writes(who, Path(tmp) / "cwd"):
        seed_everything(int(config["seed"]))
        module = _build(spec, config, data.info, who)
        trainer = _trainer(config, module, data, Path(tmp) / "run", run_device, precision, who)
        with contextlib.closing(trainer):  # stops a streamed dataset's workers
            phases = _check_phases(module, who)
            report = ModelReport(
                spec.name,
                data_spec.name,
                [p.name for p in phases if p.steps > 0],
                parameters=sum(p.numel() for p in module.parameters()),
            )
            step = 0
            for phase in phases:
                if phase.steps > 0:
                    step = sum(p.steps for p in phases[: phases.index(phase)]) + 1
                    report.logs[phase.name] = _check_step(trainer, phases, step, who)
            report.samples = _check_sampling(module, data, SAMPLES, trainer.run_dir / "samples", who)
            _check_round_trip(trainer, spec, data, phases, step, who)
    report.seconds = time.perf_counter() - started
    return report


def _build(spec: ModelSpec, config: Mapping[str, Any], info: DataInfo, who: str) -> GANModule:
    with _stage(who, "the factory"):
        module = spec.build(config, info)
    _require(isinstance(module, GANModule), f"{who}: factory returned {type(module).__name__}, not a GANModule")
    _require(
        any(True for _ in module.parameters()),
        f"{who}: the module holds no parameters (networks must be child modules)",
    )
    return module


def _trainer(
    config: Mapping[str, Any],
    module: GANModule,
    data: LoadedData,
    run_dir: Path,
    device: torch.device,
    precision: str,
    who: str,
    resume: dict[str, Any] | None = None,
) -> Trainer:
    with _stage(who, "setting up the trainer (configure_optimizers, batches)"):
        trainer = Trainer(
            config,
            module,
            data,
            run_dir,
            device,
            precision,
            resume=resume,
            console=Console(quiet=True),
            show_progress=False,
        )
    _require(
        isinstance(trainer.optimizers, dict)
        and bool(trainer.optimizers)
        and all(isinstance(o, torch.optim.Optimizer) for o in trainer.optimizers.values()),
        f"{who}: configure_optimizers must return a non-empty dict of name -> torch.optim.Optimizer",
    )
    owned = {id(p) for p in module.parameters()}
    optimized = {id(p) for o in trainer.optimizers.values() for g in o.param_groups for p in g["params"]}
    _require(
        optimized <= owned,
        f"{who}: an optimizer updates tensors that are not parameters of the module, so checkpoints would miss them",
    )
    idle = [n for n, p in module.named_parameters() if p.requires_grad and id(p) not in optimized]
    _require(
        not idle,
        f"{who}: trainable parameters no optimizer updates: {', '.join(idle[:5])} (freeze them "
        f"with requires_grad_(False) or give them to an optimizer)",
    )
    return trainer


def _check_phases(module: GANModule, who: str) -> list[Phase]:
    with _stage(who, "phases()"):
        phases = list(module.phases())
    _require(bool(phases) and all(isinstance(p, Phase) for p in phases), f"{who}: phases() must return Phases")
    _require(all(isinstance(p.steps, int) and p.steps >= 0 for p in phases), f"{who}: phase steps must be ints >= 0")
    _require(sum(p.steps for p in phases) > 0, f"{who}: the phases add up to no training steps")
    names = [p.name for p in phases]
    _require(len(set(names)) == len(names) and all(names), f"{who}: phase names must be unique and non-empty")
    return phases


def _check_step(trainer: Trainer, phases: list[Phase], step: int, who: str) -> dict[str, float]:
    """One trainer step at ``step``: finite detached scalars logged, weights changed, nothing moved."""
    module, ctx = trainer.module, trainer.context
    phase = phase_at(phases, step).name
    before = {k: v.detach().clone() for k, v in module.state_dict().items()}
    trainer.step, ctx.step, ctx.phase = step, step, phase
    module.train()
    with _stage(who, f"training_step in phase '{phase}'"):
        logs = module.training_step(ctx)
        if trainer.scaler is not None:
            trainer.scaler.update()
    _require(
        isinstance(logs, Mapping) and bool(logs),
        f"{who}: training_step in phase '{phase}' must return a non-empty dict of scalars to log",
    )
    values: dict[str, float] = {}
    for key, value in logs.items():
        if isinstance(value, torch.Tensor):
            _require(value.numel() == 1, f"{who}: logged '{key}' has shape {tuple(value.shape)}, not a scalar")
            _require(not value.requires_grad, f"{who}: logged '{key}' is attached to the graph; return .detach()")
            value = value.float().item()
        _require(
            isinstance(value, (int, float)) and math.isfinite(value),
            f"{who}: logged '{key}' in phase '{phase}' is {value!r}, not a finite number",
        )
        values[str(key)] = float(value)
    after = module.state_dict()
    changed = [k for k in before if after[k].is_floating_point() and not torch.equal(before[k], after[k])]
    _require(bool(changed), f"{who}: one training step in phase '{phase}' changed no weights")
    bad = [k for k, v in after.items() if v.is_floating_point() and not torch.isfinite(v).all()]
    _require(not bad, f"{who}: weights became non-finite in phase '{phase}': {', '.join(bad[:5])}")
    moved = [k for k, v in after.items() if v.device.type != trainer.device.type]
    _require(not moved, f"{who}: tensors left the training device ({', '.join(moved[:5])}); the trainer owns devices")
    return values


def _check_sampling(module: GANModule, data: LoadedData, n: int, folder: Path, who: str) -> dict[str, tuple[int, ...]]:
    """What ``sample`` returns has the data's shapes and range, and ``render.write_samples`` (``sample_grid`` or
    ``sample_text``, as the trainer calls it) writes ``n`` samples under ``folder``."""
    module.eval()
    shapes: dict[str, tuple[int, ...]] = {}
    real = _one_item(data)
    generator = torch.Generator(module.device).manual_seed(0)
    with torch.no_grad():
        with _stage(who, "sample"):
            out = module.sample(n, generator=generator)
        _require(isinstance(out, Mapping) and bool(out), f"{who}: sample() must return a non-empty dict")
        for key, value in out.items():
            _require(
                isinstance(value, torch.Tensor) and value.shape[:1] == (n,),
                f"{who}: sample({n})['{key}'] must be a tensor with {n} rows",
            )
            shapes[key] = tuple(value.shape)
            if key in real and key in _FIXED_SHAPE_KEYS:
                _require(
                    value.shape[1:] == real[key].shape,
                    f"{who}: sample()['{key}'] items have shape {tuple(value.shape[1:])}, the data's "
                    f"have {tuple(real[key].shape)}",
                )
        if module.info.kind in (IMAGE, LABELLED_IMAGE):
            _require("image" in out, f"{who}: sample() of an image model must return 'image'")
        if "image" in out:
            _check_images(out["image"], f"{who}: sample()['image']")
        with _stage(who, "render.write_samples (sample_grid or sample_text)"):
            path = render.write_samples(module, n, folder / "contract", generator)
        _require(path.is_file() and path.stat().st_size > 0, f"{who}: rendering its samples wrote nothing")
    module.train()
    return shapes


def _check_images(images: Any, where: str) -> None:
    _require(isinstance(images, torch.Tensor) and images.ndim == 4, f"{where} must be an N x C x H x W tensor")
    values = images.float()
    _require(bool(torch.isfinite(values).all()), f"{where} are not finite")
    _require(values.min().item() >= -1 - 1e-3 and values.max().item() <= 1 + 1e-3, f"{where} must lie in [-1, 1]")


def _one_item(data: LoadedData) -> dict[str, torch.Tensor]:
    if data.tensors is not None:
        return {k: data.rows(k, 0) for k in data.tensors}
    item = data.dataset[0]  # type: ignore[index]
    return {k: torch.as_tensor(v) for k, v in item.items()} if isinstance(item, Mapping) else {}


def _check_round_trip(
    trainer: Trainer, spec: ModelSpec, data: LoadedData, phases: list[Phase], step: int, who: str
) -> None:
    """Save through the trainer, restore into a fresh model: equal weights, samples and next step."""
    path = trainer.save_checkpoint(keep_step_copy=False)
    try:
        state = load_checkpoint(path)
    except UserError as exc:
        raise ContractError(f"{who}: its checkpoint does not load with weights_only=True: {exc}") from None
    config = cfg.freeze(state["config"])
    seed_everything(int(config["seed"]) + 1)  # a different initialisation, which the restore must replace
    fresh = _build(spec, config, DataInfo.from_dict(state["data_info"]), who)
    restored = _trainer(
        config, fresh, data, trainer.run_dir.with_name("restored"), trainer.device, trainer.precision, who, resume=state
    )
    with contextlib.closing(restored):
        original = trainer.module.state_dict()
        loaded = restored.module.state_dict()
        _require(original.keys() == loaded.keys(), f"{who}: the restored model has different state keys")
        differ = [k for k in original if not torch.equal(original[k], loaded[k])]
        _require(not differ, f"{who}: restored weights differ: {', '.join(differ[:5])}")
        a, b = _draw(trainer.module, who), _draw(restored.module, who)
        _require(_same(a, b), f"{who}: the restored model samples differently from the saved one")
        if step < sum(p.steps for p in phases):
            for runner in (trainer, restored):
                torch.set_rng_state(state["rng"]["torch"])
                if runner.device.type == "cuda" and "cuda" in state["rng"]:
                    torch.cuda.set_rng_state(state["rng"]["cuda"], runner.device)
                _check_step(runner, phases, step + 1, who)
            after, resumed = trainer.module.state_dict(), restored.module.state_dict()
            differ = [
                k for k in after if not torch.allclose(after[k].float(), resumed[k].float(), rtol=1e-5, atol=1e-6)
            ]
            _require(
                not differ,
                f"{who}: the step after a restore differs from the step without one "
                f"({', '.join(differ[:5])}); keep all training state in parameters, buffers or "
                f"optimizers and draw randomness from torch's global generator",
            )


def _draw(module: GANModule, who: str) -> Any:
    module.eval()
    generator = torch.Generator(module.device).manual_seed(1)
    with torch.no_grad(), _stage(who, "sampling after a restore"):
        out = module.sample(SAMPLES, generator=generator)
    module.train()
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Mapping):
        return isinstance(b, Mapping) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and torch.equal(a, b)
    return a == b


@contextlib.contextmanager
def _no_file_writes(who: str, folder: Path) -> Iterator[None]:
    """Run in an empty working directory and fail if plugin code leaves files in it."""
    folder.mkdir(parents=True)
    with contextlib.chdir(folder):
        yield
    left = sorted(os.listdir(folder))
    _require(
        not left,
        f"{who}: wrote files into the working directory ({', '.join(left[:5])}); "
        f"the trainer owns every file a run writes",
    )


def check_loss_plugin(name: str, registry: Registry | None = None) -> None:
    """An adversarial loss builds with no options, gives finite float32 scalars and passes gradients."""
    registry = registry or get_registry()
    spec = registry.loss(name)
    who = f"loss '{spec.name}'"
    _check_common(spec, who)
    if spec.role != "adversarial":
        return
    with _stage(who, "the factory"):
        loss = spec.build()
    _require(isinstance(loss, AdversarialLoss), f"{who}: an adversarial loss must subclass ganzoo.AdversarialLoss")
    generator = torch.Generator().manual_seed(0)
    real = torch.randn(8, generator=generator).bfloat16().requires_grad_()
    fake = torch.randn(8, generator=generator).bfloat16().requires_grad_()
    with _stage(who, "discriminator_loss and generator_loss"):
        d_loss = loss.discriminator_loss(real, fake)
        g_loss = loss.generator_loss(fake)
    for label, value in (("discriminator_loss", d_loss), ("generator_loss", g_loss)):
        _require(
            isinstance(value, torch.Tensor) and value.numel() == 1 and bool(torch.isfinite(value).all()),
            f"{who}: {label} must be a finite scalar tensor",
        )
        _require(value.dtype == torch.float32, f"{who}: {label} must be computed in float32, got {value.dtype}")
    d_real, d_fake = torch.autograd.grad(d_loss, (real, fake), retain_graph=True, allow_unused=True)
    _require(
        _flows(d_real) and _flows(d_fake), f"{who}: discriminator_loss passes no gradient to the real or fake scores"
    )
    (g_fake,) = torch.autograd.grad(g_loss, fake, allow_unused=True)
    _require(_flows(g_fake), f"{who}: generator_loss passes no gradient to the fake scores")
    critic = nn.Sequential(nn.Flatten(), nn.Linear(64, 1))
    images = torch.rand(2, 4, 1, 8, 8, generator=generator) * 2 - 1
    with _stage(who, "penalty"):
        penalty = loss.penalty(lambda x: critic(x).flatten(), images[0], images[1])
    if penalty is not None:
        _require(
            isinstance(penalty, torch.Tensor) and penalty.numel() == 1 and bool(torch.isfinite(penalty).all()),
            f"{who}: penalty must be None or a finite scalar tensor",
        )
        grads = torch.autograd.grad(penalty, list(critic.parameters()), allow_unused=True)
        _require(any(_flows(g) for g in grads), f"{who}: penalty passes no gradient to the critic's parameters")


def _flows(gradient: torch.Tensor | None) -> bool:
    return gradient is not None and bool(gradient.abs().sum() > 0)


def check_dataset_plugin(
    name: str, overrides: Mapping[str, Any] | None = None, registry: Registry | None = None
) -> LoadedData:
    """A dataset loads into ``LoadedData`` whose kind, shape and batch keys match its spec."""
    registry = registry or get_registry()
    spec = registry.dataset(name)
    who = f"dataset '{spec.name}'"
    _check_common(spec, who)
    _require(spec.kind in DATA_KINDS, f"{who}: kind {spec.kind!r} is not one of {DATA_KINDS}")
    _check_fragment(spec.defaults, {}, f"{who} defaults")
    data_config = cfg.build_config(
        {"name": spec.name, "root": None, **cfg.thaw(spec.defaults)}, [("overrides", overrides or {})]
    )
    try:
        data = spec.build(data_config)
    except UserError as exc:
        raise DataUnavailable(str(exc)) from None
    _require(isinstance(data, LoadedData), f"{who}: factory returned {type(data).__name__}, not LoadedData")
    info = data.info
    _require(info.kind == spec.kind, f"{who}: loaded kind {info.kind!r}, its spec says {spec.kind!r}")
    _require(
        not spec.shape or tuple(info.shape) == tuple(spec.shape),
        f"{who}: loaded shape {tuple(info.shape)}, its spec says {tuple(spec.shape)}",
    )
    labels_at_load = spec.defaults.get("labels") == "auto"  # e.g. a folder: class subfolders decide
    _require(
        info.num_classes == spec.num_classes or (labels_at_load and info.num_classes >= 2),
        f"{who}: loaded {info.num_classes} classes, its spec says {spec.num_classes}",
    )
    _require(len(data) > 0, f"{who}: loaded no samples")
    item = _one_item(data)
    for key in _BATCH_KEYS[spec.kind]:
        _require(key in item, f"{who}: {spec.kind} data must provide the batch key '{key}', got {sorted(item)}")
    if "image" in item:
        _require(
            tuple(item["image"].shape) == tuple(info.shape),
            f"{who}: images have shape {tuple(item['image'].shape)}, its info says {tuple(info.shape)}",
        )
        _check_images(item["image"].unsqueeze(0), f"{who}: images")
    if "label" in item and spec.num_classes:
        labels = data.tensors["label"] if data.tensors is not None else item["label"]
        _require(
            bool(not labels.is_floating_point() and labels.min() >= 0 and labels.max() < spec.num_classes),
            f"{who}: labels must be integers in [0, {spec.num_classes})",
        )
    return data


_LISTING_PROBE = """
import json, sys
from ganzoo.registry import get_registry
registry = get_registry()
factories = {s.factory.partition(":")[0] for specs in registry.specs.values() for s in specs.values()
             if isinstance(s.factory, str)}
plugins = {p.module for p in registry.plugins}
print(json.dumps(sorted(m for m in factories - plugins if m in sys.modules)))
"""


def factory_modules_imported_by_listing() -> list[str]:
    """Factory modules a fresh interpreter imports just by loading the registry (should be none).

    Listing must stay cheap: a plugin module returns specs whose factories are imported on first use.
    """
    import json

    result = subprocess.run([sys.executable, "-c", _LISTING_PROBE], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])
