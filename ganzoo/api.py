"""The Python API: list, create, train, load a run, sample and export, in a few calls.

```python
import ganzoo

ganzoo.list_models("*gan")                         # names, with shell-style wildcards
run = ganzoo.train("dcgan", dataset="digits", train={"steps": 200}, model={"g_channels": 32})
run = ganzoo.load_run("runs/dcgan-digits")          # the EMA generator when the run kept one
images = run.sample(16, seed=0)["image"]            # tensors in [-1, 1]
run.export("dcgan.onnx")                            # or .safetensors / .pt (TorchScript)
```

**Overrides** are keyword arguments named after the config's top-level keys: a section takes a
mapping (``train={"steps": 10}``, ``model={"z_dim": 64}``), a scalar key a value (``loss="hinge"``,
``seed=1``). They are validated exactly as ``--set`` is (``ganzoo info MODEL`` lists every key). The model
name is positional-only, so ``model={...}`` is always the model section.
This module imports torch only inside the functions that need it, so listing stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ganzoo.errors import UserError
from ganzoo.specs import TEXT, DatasetSpec, LossSpec, ModelSpec

if TYPE_CHECKING:
    import torch

    from ganzoo.data import LoadedData
    from ganzoo.metrics.evaluate import Evaluator
    from ganzoo.module import GANModule
    from ganzoo.runner import RunRequest
    from ganzoo.trainer.callbacks import Callback


def _registry() -> Any:
    from ganzoo.registry import get_registry

    return get_registry()


def list_models(pattern: str = "*") -> list[str]:
    """Names of the installed models matching the shell-style ``pattern`` (case-insensitive), sorted."""
    return [spec.name for spec in _registry().list("models", pattern)]


def list_losses(pattern: str = "*") -> list[str]:
    """Names of the installed losses matching ``pattern``, sorted."""
    return [spec.name for spec in _registry().list("losses", pattern)]


def list_datasets(pattern: str = "*") -> list[str]:
    """Names of the installed datasets matching ``pattern``, sorted."""
    return [spec.name for spec in _registry().list("datasets", pattern)]


def is_model(name: str) -> bool:
    """Whether a model called ``name`` (any case) is installed and loaded."""
    return name.lower() in _registry().specs["models"]


def get_spec(name: str) -> ModelSpec | LossSpec | DatasetSpec:
    """The spec of the model, loss or dataset called ``name``; an unknown name is a ``UserError``."""
    registry = _registry()
    for kind in ("models", "datasets", "losses"):
        if name.lower() in registry.specs[kind]:
            return registry.get(kind, name)
    return registry.model(name)  # raises with the closest names and the plugin that failed, if any


def create_loss(name: str, role: str | None = None, **options: Any) -> Any:
    """Build the registered loss called ``name``; with ``role``, a loss of another role is a ``UserError``."""
    spec = _registry().loss(name)
    if role is not None and spec.role != role:
        raise UserError(
            f"loss '{spec.name}' is not a fitting {role} loss (it is a {spec.role} loss); "
            f"`ganzoo list losses` shows each loss's role"
        )
    return spec.build(**options)


def _request(
    model: str, dataset: str | None, overrides: Mapping[str, Any], sets: Sequence[str] = (), **fields: Any
) -> RunRequest:
    from ganzoo.runner import RunRequest

    if isinstance(sets, str):
        raise UserError(f"sets must be a list of KEY=VALUE strings, not the string {sets!r}; write sets=[{sets!r}]")
    return RunRequest(model, dataset, overrides=tuple(sets), settings=dict(overrides), **fields)


def resolve_config(
    model: str, /, dataset: str | None = None, *, sets: Sequence[str] = (), **overrides: Any
) -> Mapping[str, Any]:
    """The validated, frozen config a run of ``model`` on ``dataset`` with ``overrides`` would use;
    ``sets`` are ``--set``-style ``KEY=VALUE`` strings (``["train.steps=100"]``), applied below ``overrides``."""
    from ganzoo.runner import resolve_config as resolve

    return resolve(_request(model, dataset, overrides, sets))[0]


def load_dataset(name: str, **data_overrides: Any) -> LoadedData:
    """Load the dataset called ``name``; keyword arguments override its ``data`` options (``size=400``)."""
    from ganzoo import config as cfg
    from ganzoo.schema import key_for_default

    spec = _registry().dataset(name)
    options = cfg.merge({"name": spec.name, "root": None}, dict(spec.defaults))
    for key, value in data_overrides.items():
        if key not in options or key == "name":
            raise UserError(
                f"dataset '{spec.name}' has no option '{key}'; it takes: {', '.join(k for k in options if k != 'name')}"
            )
        options[key] = key_for_default(options[key], f"data.{key}").check(f"data.{key}", value, "load_dataset")
    return spec.build(options)


def create_model(name: str, /, dataset: str | None = None, *, sets: Sequence[str] = (), **overrides: Any) -> GANModule:
    """A freshly initialised model ``name`` for ``dataset`` (its default when ``None``), seeded by ``seed``."""
    from ganzoo.runner import build_model, load_data, seed_everything

    config = resolve_config(name, dataset, sets=sets, **overrides)
    data = load_data(config)
    seed_everything(int(config["seed"]))
    return build_model(config, data.info)


def create_evaluator(model: str, /, dataset: str, reference: LoadedData | None = None, **settings: Any) -> Evaluator:
    """The evaluator ``ganzoo bench`` scores ``model`` on ``dataset`` with: ``reference`` is the real data
    (the dataset's test split when ``None`` and it has one); ``settings`` are ``EvalSettings`` fields (``samples=2000``,
    ``features="classifier"``, ``metrics=("fid",)``). ``evaluator.evaluate(run.module)`` gives the scores."""
    from ganzoo.metrics.evaluate import EvalContext, EvalSettings, build_evaluator

    fields = set(EvalSettings.__dataclass_fields__) - {"enabled", "every", "dataset"}
    unknown = sorted(set(settings) - fields)
    if unknown:
        raise UserError(f"create_evaluator has no setting {', '.join(unknown)}; it takes: {', '.join(sorted(fields))}")
    if "metrics" in settings:
        settings["metrics"] = tuple(settings["metrics"])
    registry = _registry()
    context = EvalContext(registry.model(model), registry.dataset(dataset))
    if reference is None:
        has_split = "split" in context.dataset.defaults
        reference = load_dataset(dataset, split="test") if has_split else load_dataset(dataset)
    evaluator = build_evaluator(reference, EvalSettings(**settings), context, registry)
    if evaluator is None:
        raise UserError(
            f"no evaluator scores dataset '{context.dataset.name}'; a plugin can add one (ganzoo_evaluators)"
        )
    return evaluator


def train(
    model: str,
    /,
    dataset: str | None = None,
    out: str | Path | None = None,
    *,
    progress: bool = False,
    sets: Sequence[str] = (),
    callbacks: Sequence[Callback] = (),
    resume: bool = False,
    config_file: str | Path | None = None,
    **overrides: Any,
) -> Run:
    """Train ``model`` on ``dataset`` into the run directory ``out`` (a new one when ``None``); the ``Run``.

    ``sets`` are ``--set``-style ``KEY=VALUE`` strings, applied below ``overrides``; ``callbacks``
    (``ganzoo.Callback`` subclasses) see every step, log row and sample file, as the bench's
    evaluators and the TensorBoard logger do; ``resume`` continues the run in ``out``; ``config_file`` is a
    YAML config applied below ``overrides``."""
    from ganzoo.runner import run

    request = _request(
        model,
        dataset,
        overrides,
        sets,
        out=None if out is None else str(out),
        resume=resume,
        config_file=None if config_file is None else str(config_file),
    )
    result = run(request, show_progress=progress, callbacks=callbacks)
    return load_run(result.run_dir)


def load_run(run_dir: str | Path) -> Run:
    """The run in ``run_dir`` at its last checkpoint, with the EMA generator when it kept one."""
    return Run(Path(run_dir))


class Run:
    """A trained run: its ``config``, ``step`` and ``module`` (CPU, eval mode), metrics, samples, export."""

    def __init__(self, run_dir: Path) -> None:
        from ganzoo.runner import load_run as load

        self.dir = run_dir
        self.config, self.module, state = load(run_dir)
        self.step: int = int(state["step"])

    def __repr__(self) -> str:
        return f"Run({str(self.dir)!r}, model={self.name!r}, step={self.step})"

    @property
    def name(self) -> str:
        """The model's name."""
        return str(self.config["model"]["name"])

    @cached_property
    def spec(self) -> ModelSpec:
        """The model's spec."""
        return _registry().model(self.name)

    def metrics(self) -> list[dict[str, Any]]:
        """The rows of the run's ``metrics.jsonl`` (one per logged step), oldest first; a torn last row is skipped."""
        from ganzoo.trainer.outputs import METRICS, read_metrics

        path = self.dir / METRICS
        return read_metrics(path) if path.is_file() else []

    def sample(self, n: int, seed: int = 0, **conditions: Any) -> dict[str, torch.Tensor]:
        """``n`` samples drawn with ``seed``: ``image`` in [-1, 1] (``x`` for vectors, ``tokens`` for text)
        with conditions beside; ``conditions`` must be ones the model declares (``label=3``)."""
        import torch

        check_conditions(self.spec, conditions)
        with torch.no_grad():
            return self.module.sample(n, generator=torch.Generator().manual_seed(seed), **conditions)

    def save_grid(self, path: str | Path, n: int = 64, seed: int = 0) -> Path:
        """Write the model's sample grid of ``n`` samples (PNG; text models write one sample per line)."""
        import torch

        from ganzoo import render

        path = Path(path)
        with torch.no_grad():
            if self.module.info.kind == TEXT:
                render.save_text(self.module.sample_text(n, generator=torch.Generator().manual_seed(seed)), path)
            else:
                images, nrow = self.module.sample_grid(n, generator=torch.Generator().manual_seed(seed))
                render.save_grid(images, path, nrow)
        return path

    def export(self, path: str | Path, format: str | None = None, batch: int | None = None) -> Path:
        """Write the generator as ``safetensors`` (+ JSON config beside), ``torchscript`` or ``onnx`` (the format
        from the suffix when ``None``); ``batch`` fixes the batch size, else it is a dynamic axis."""
        from ganzoo.export import export_generator

        return export_generator(self.module, Path(path), format, batch)


def check_conditions(spec: ModelSpec, conditions: Mapping[str, Any]) -> None:
    """A condition the model does not declare is a ``UserError`` naming the ones it takes."""
    for key in conditions:
        if key not in spec.conditions:
            takes = f"it takes {', '.join(spec.conditions)}" if spec.conditions else "it takes none"
            hint = " (--label works with class-conditional models such as cgan)" if key == "label" else ""
            raise UserError(f"model '{spec.name}' cannot be conditioned on '{key}': {takes}{hint}")
