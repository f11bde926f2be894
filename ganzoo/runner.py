"""From names and overrides to a trained run: resolve the config, load data, build the model, train.

The CLI and the benchmark harness both go through here, so every run is made the same way.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from rich.console import Console

from ganzoo import config as cfg
from ganzoo.config import config_schema, default_config
from ganzoo.data import DataInfo, LoadedData
from ganzoo.errors import UserError, one_line
from ganzoo.module import GANModule
from ganzoo.registry import Registry, get_registry
from ganzoo.specs import DatasetSpec, ModelSpec, resolve_factory
from ganzoo.trainer import FitResult, Trainer, distributed
from ganzoo.trainer.callbacks import Callback
from ganzoo.trainer.checkpoint import LAST, CheckpointError, atomic_write, load_checkpoint, load_resumable
from ganzoo.trainer.interrupt import deferred_signals
from ganzoo.trainer.loggers import check_loggers
from ganzoo.trainer.loop import EMA_ATTRIBUTE
from ganzoo.trainer.outputs import CHECKPOINTS, CONFIG, FAILED, FINISHED, INTERRUPTED, METRICS, STATUS, write_status
from ganzoo.trainer.precision import resolve_device, resolve_precision
from ganzoo.trainer.resume_changes import check_resume_changes
from ganzoo.trainer.rundir import existing_run_dir, lock_for_resume, new_run_dir
from ganzoo.trainer.runlock import release_all


@dataclass
class RunRequest:
    """What the user asked for on the command line (or a benchmark cell)."""

    model: str
    dataset: str | None = None
    config_file: str | None = None
    overrides: Sequence[str] = ()
    out: str | None = None
    device: str | None = None
    seed: int | None = None
    resume: bool = False
    settings: Mapping[str, Any] = field(default_factory=dict)  # nested overrides from the Python API


def _print_notice(line: str) -> None:
    Console(stderr=True).print(f"[yellow]warning:[/] {line}", highlight=False, soft_wrap=True)


def resolve_config(
    request: RunRequest,
    registry: Registry | None = None,
    notice: Callable[[str], None] | None = _print_notice,
) -> tuple[Mapping[str, Any], ModelSpec, DatasetSpec]:
    """The validated, frozen config for ``request``, with the model and dataset specs it names;
    ``notice`` receives deprecation lines (API-1 keys that moved)."""
    registry = registry or get_registry()
    model = registry.model(request.model)
    file_layer = cfg.load_yaml(request.config_file) if request.config_file else {}
    set_layer = cfg.parse_overrides(request.overrides)
    dataset_name = (
        request.dataset
        or _name_in(set_layer, "data")
        or _name_in(file_layer, "data")
        or _name_in(dict(model.defaults), "data")
        or cfg.DEFAULT_DATASET
    )
    dataset = registry.dataset(dataset_name)
    check_compatible(model, dataset)
    layers: list[tuple[str, Mapping[str, Any]]] = [
        (f"config file {request.config_file}", _without_names(file_layer)),
        ("--set", _without_names(set_layer)),
        ("keyword arguments", _without_names(dict(request.settings))),
    ]
    if request.seed is not None:
        layers.append(("--seed", {"seed": request.seed}))
    if request.device is not None:
        layers.append(("--device", {"device": request.device}))
    if not model.takes_loss:
        for origin, layer in layers:
            if "loss" in layer:
                raise UserError(
                    f"{origin}: model '{model.name}' has its own objective and takes no 'loss' key; "
                    f"remove loss from the settings"
                )
    config = cfg.build_config(default_config(model, dataset), layers, config_schema(model), notice)
    if model.takes_loss:
        check_loss_role(config["loss"], default_config(model, dataset)["loss"], model.name, registry)
    check_loggers(config["train"]["loggers"])
    return config, model, dataset


def check_loss_role(chosen: str, default: str, model: str, registry: Registry) -> None:
    """The ``loss`` key must name a loss of the same role as the model's default (adversarial, policy...)."""
    role = registry.loss(default).role
    spec = registry.loss(chosen)
    if spec.role != role:
        fitting = ", ".join(s.name for s in registry.list("losses") if s.role == role)
        article = "an" if role[:1] in "aeiou" else "a"
        raise UserError(
            f"loss '{spec.name}' is not {article} {role} loss (it is a {spec.role} loss), and model "
            f"'{model}' takes {article} {role} loss in `loss`; choose one of: {fitting}"
        )


def check_compatible(model: ModelSpec, dataset: DatasetSpec) -> None:
    """Reject a dataset whose kind the model cannot train on (e.g. CGAN on unlabelled data)."""
    if not set(model.data_kinds) & set(dataset.provides):
        raise UserError(
            f"model '{model.name}' needs {' or '.join(model.data_kinds)} data, but dataset "
            f"'{dataset.name}' provides {' / '.join(dataset.provides)}; pick another --dataset"
        )


def _name_in(layer: Mapping[str, Any], section: str) -> str | None:
    value = layer.get(section)
    name = value.get("name") if isinstance(value, Mapping) else None
    return name if isinstance(name, str) and name else None


def _without_names(layer: dict[str, Any]) -> dict[str, Any]:
    """Model and dataset names come from the command line; drop them from config layers."""
    result = dict(layer)
    for section in ("model", "data"):
        if isinstance(result.get(section), Mapping):
            result[section] = {k: v for k, v in result[section].items() if k != "name"}
    return result


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (all devices)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def build_model(config: Mapping[str, Any], info: DataInfo, registry: Registry | None = None) -> GANModule:
    """Build the configured model for data described by ``info``."""
    registry = registry or get_registry()
    spec = registry.model(config["model"]["name"])
    where = f"model '{spec.name}' of plugin package '{spec.source}'"
    try:
        factory = resolve_factory(spec.factory)
    except Exception as exc:  # a third-party factory path may be wrong in any way
        raise UserError(
            f"{where}: its factory {spec.factory!r} cannot be imported ({type(exc).__name__}: "
            f"{exc}); reinstall or fix the plugin"
        ) from None
    module = factory(config, info)
    if not isinstance(module, GANModule):
        raise UserError(
            f"{where}: its factory returned {type(module).__name__}, not a ganzoo.GANModule; fix the plugin"
        )
    try:
        module.configure_optimizers()  # the trainer's first call: a module without networks fails here, not mid-run
    except NotImplementedError as exc:
        raise UserError(f"{where} breaks the GAN module contract: {exc}; fix the plugin") from None
    return module


def load_data(config: Mapping[str, Any], registry: Registry | None = None) -> LoadedData:
    """Load the configured dataset through its spec."""
    registry = registry or get_registry()
    return registry.dataset(config["data"]["name"]).build(config["data"])


def run(
    request: RunRequest,
    console: Console | None = None,
    show_progress: bool = True,
    registry: Registry | None = None,
    callbacks: Sequence[Callback] = (),
) -> FitResult:
    """Train as ``request`` says and return where the run went and what it reached."""
    registry = registry or get_registry()
    console = console or Console(stderr=True)
    env = distributed.env_from_torchrun()
    distributed.setup(env)
    try:
        return _run(request, console, show_progress, registry, callbacks, env)
    finally:
        release_all()  # the run directory is free again (the kernel would also drop it at exit)
        distributed.teardown()
        release_memory()


def release_memory() -> None:
    """Free a finished run's memory now: its trainer, model and data hold each other in reference cycles
    that Python would collect only later, and glibc keeps freed heap unless asked (``malloc_trim``) to give it
    back. A suite that trains run after run in one process, and a process about to exit, then carry none of it."""
    gc.collect()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None on a C library without it (macOS, musl)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _malloc_trim()


def _run(
    request: RunRequest,
    console: Console,
    show_progress: bool,
    registry: Registry,
    callbacks: Sequence[Callback],
    env: distributed.DistEnv,
) -> FitResult:
    run_dir, config, state = _shared_start(request, registry, console, env)
    device = distributed.place_device(resolve_device(config["device"]), env)
    precision = resolve_precision(config["train"]["precision"], device)
    data = load_data(config, registry)
    seed_everything(int(config["seed"]))
    module = build_model(config, data.info, registry)
    if env.rank > 0:  # same initial weights on every rank (DDP checks), then each rank its own noise
        seed_everything(distributed.rank_seed(int(config["seed"]), env.rank))
    if env.is_main:
        run_dir.mkdir(parents=True, exist_ok=True)
        text = cfg.dump(config)
        atomic_write(run_dir / CONFIG, lambda handle: handle.write(text.encode()))
        processes = f", {env.world_size} processes" if env.enabled else ""
        console.print(
            f"[bold]{config['model']['name']}[/] on [bold]{config['data']['name']}[/] "
            f"({data.description or len(data)}), device {device}, precision {precision}{processes} "
            f"-> {run_dir}"
        )
    trainer = Trainer(
        config,
        module,
        data,
        run_dir,
        device,
        precision,
        resume=state,
        console=console,
        show_progress=show_progress,
        callbacks=callbacks,
        dist=env,
    )
    try:
        with deferred_signals(trainer.request_interrupt), _recording_status(trainer):
            return trainer.fit()
    finally:
        trainer.close()


@contextlib.contextmanager
def _recording_status(trainer: Trainer) -> Iterator[None]:
    """``status.json`` says how training ended: finished, interrupted (a signal) or failed (an error); rank 0."""
    if not trainer.dist.is_main:
        yield
        return
    (trainer.run_dir / STATUS).unlink(missing_ok=True)  # a resumed run's old status no longer holds
    try:
        yield
    except KeyboardInterrupt:
        write_status(trainer.run_dir, INTERRUPTED, trainer.step)
        raise
    except Exception as exc:
        write_status(trainer.run_dir, FAILED, trainer.step, one_line(str(exc), 300) or type(exc).__name__)
        raise
    write_status(trainer.run_dir, FINISHED, trainer.step)


def _shared_start(
    request: RunRequest, registry: Registry, console: Console, env: distributed.DistEnv
) -> tuple[Path, Mapping[str, Any], dict[str, Any] | None]:
    """Run directory, config and resume state, decided once by rank 0 and shared with every rank."""
    outcome: Any = None
    if env.is_main:
        try:
            run_dir, config, state = _resume_point(request, registry, console) if request.resume else (None, None, None)
            if config is None:
                config, model_spec, dataset_spec = resolve_config(request, registry)
                run_dir = run_dir or new_run_dir(request.out, f"{model_spec.name}-{dataset_spec.name}".lower())
            outcome = (run_dir, cfg.thaw(config), state)
        except UserError as exc:
            if not env.enabled:
                raise
            outcome = exc
    outcome = distributed.broadcast_object(outcome, env)
    if isinstance(outcome, UserError):
        raise outcome
    run_dir, config, state = outcome
    return run_dir, cfg.freeze(config), state


def _resume_point(
    request: RunRequest, registry: Registry, console: Console
) -> tuple[Path, Mapping[str, Any] | None, dict[str, Any] | None]:
    """Where ``--resume`` continues: the run directory, its config and its newest whole checkpoint.

    Corrupt checkpoints are reported and skipped. A run killed before its first checkpoint starts over
    in the same directory, from its saved config when it has one (else the config is ``None``: build it
    from the command line).
    """
    default_name = f"{request.model}-{request.dataset or cfg.DEFAULT_DATASET}".lower()
    run_dir = existing_run_dir(request.out, default_name)
    lock_for_resume(run_dir)

    def warn(line: str) -> None:
        console.print(f"[yellow]warning:[/] {line}", highlight=False, soft_wrap=True)

    found = load_resumable(run_dir / CHECKPOINTS, warn)
    if found is None and not (run_dir / CONFIG).is_file():
        warn(f"nothing to resume in {run_dir} (no checkpoint yet); starting a new run there from step 0")
        (run_dir / METRICS).unlink(missing_ok=True)
        return run_dir, None, None
    saved, state = (found[0]["config"], found[0]) if found else (cfg.load_yaml(run_dir / CONFIG), None)
    _check_same_run(request, saved, run_dir, registry)
    saved = _validated(saved, run_dir, registry)
    if found is None:
        warn(f"nothing to resume in {run_dir} (no checkpoint yet); starting over from step 0 with its config")
        (run_dir / METRICS).unlink(missing_ok=True)
    else:
        console.print(f"resuming from step {found[0]['step']} ({found[1]})", highlight=False, soft_wrap=True)
    layers: list[tuple[str, Mapping[str, Any]]] = [
        ("--set", _without_names(cfg.parse_overrides(request.overrides))),
        ("keyword arguments", _without_names(dict(request.settings))),
    ]
    if request.config_file:
        layers.insert(0, (f"config file {request.config_file}", _without_names(cfg.load_yaml(request.config_file))))
    if request.device is not None:
        layers.append(("--device", {"device": request.device}))
    config = cfg.build_config(saved, layers, config_schema(registry.model(request.model)), _print_notice)
    for change in check_resume_changes(saved, config, run_dir) if state is not None else ():
        console.print(f"resuming with {change}", highlight=False, soft_wrap=True)
    return run_dir, config, state


def _validated(saved: Mapping[str, Any], run_dir: Path, registry: Registry) -> Mapping[str, Any]:
    """A run's saved config checked against today's defaults, as a config file would be (it may be hand-edited)."""
    model = registry.model(saved["model"]["name"])
    dataset = registry.dataset(saved["data"]["name"])
    layer = _without_names(cfg.thaw(saved))
    config = cfg.build_config(
        default_config(model, dataset), [(f"the saved config of {run_dir}", layer)], config_schema(model)
    )
    if model.takes_loss:
        check_loss_role(config["loss"], default_config(model, dataset)["loss"], model.name, registry)
    return config


def _check_same_run(request: RunRequest, saved: Mapping[str, Any], run_dir: Path, registry: Registry) -> None:
    """``--resume`` continues the run in ``run_dir``; a different model, dataset or seed is a mistake."""
    if not isinstance(saved, Mapping):
        raise UserError(f"cannot resume: the saved config of {run_dir} is not a mapping; start a new run")
    model = saved.get("model", {}).get("name") if isinstance(saved.get("model"), Mapping) else None
    dataset = saved.get("data", {}).get("name") if isinstance(saved.get("data"), Mapping) else None
    if not isinstance(model, str) or not isinstance(dataset, str):
        raise UserError(f"cannot resume: the saved config of {run_dir} names no model or dataset; start a new run")
    if model != registry.model(request.model).name:
        raise UserError(
            f"cannot resume: {run_dir} holds a '{model}' run, not '{request.model}'; "
            f"resume it with `ganzoo run {model} --out {run_dir} --resume`"
        )
    if request.dataset and dataset != registry.dataset(request.dataset).name:
        raise UserError(f"cannot resume: {run_dir} trains on '{dataset}', not '{request.dataset}'; drop --dataset")
    if request.seed is not None and request.seed != saved.get("seed"):
        raise UserError(
            f"cannot resume: {run_dir} was seeded with {saved.get('seed')}; a resumed run keeps "
            f"its seed, so drop --seed"
        )


def load_run(
    run_dir: str | Path, registry: Registry | None = None
) -> tuple[Mapping[str, Any], GANModule, dict[str, Any]]:
    """The config, the model with its last checkpoint's weights (eval mode, CPU; the EMA generator's when the
    run kept one, as the trainer samples and scores) and the checkpoint."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise UserError(f"run directory {run_dir} does not exist")
    path = run_dir / CHECKPOINTS / LAST
    state = load_checkpoint(path)
    missing = [key for key in ("config", "data_info", "model") if not isinstance(state.get(key), dict)]
    if missing:
        raise CheckpointError(
            f"checkpoint {path} is incomplete (no {', '.join(missing)})",
            "sample from a checkpoint that `ganzoo run` wrote",
        )
    config = cfg.freeze(state["config"])
    module = build_model(config, DataInfo.from_dict(state["data_info"]), registry)
    module.load_state_dict(state["model"])
    if isinstance(state.get("ema"), dict):
        getattr(module, EMA_ATTRIBUTE).load_state_dict(state["ema"])
    return config, module.eval(), state
