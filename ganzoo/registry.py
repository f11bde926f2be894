"""The registry: loads every ``ganzoo`` entry point through pluggy and answers lookups by name.

Each plugin module is imported, checked and registered with the plugin manager on its own, and each of
its hooks is called **through pluggy, one plugin at a time**: ``pm.subset_hook_caller(hook, others)``
calls only that plugin's implementation. Calling ``pm.hook.ganzoo_models()`` would call every plugin in
one go, so one that raised would lose every plugin's specs (and the blame); per-plugin calls keep the
manager's checks (signatures against ``hookspecs``, ``@hookimpl`` options) and record a plugin that
fails as broken with the reason while the others load. Like pytest with ``pytest_*`` functions, a
``ganzoo_*`` function that is not a hook (``ganzoo_model``) breaks its plugin with a suggestion, and a
hook function without ``@hookimpl`` (as API-1 docs allowed) is still taken as one.

Specs are validated as they arrive (``validate``): a bad spec breaks its plugin, never ``ganzoo list``.
Names are unique across plugins and looked up case-insensitively, with wildcards for listing (as
``timm.list_models('*gan*')``). A plugin that declares a plugin API this ganzoo does not support
(``GANZOO_PLUGIN_API``) is recorded as broken before any of its hooks runs. ganzoo's own evaluators are a
built-in plugin (``ganzoo.metrics.plugin``) registered the same way.
"""

from __future__ import annotations

import builtins
import dataclasses
import fnmatch
import functools
import importlib
import importlib.metadata as md
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, cast, overload

import pluggy

from ganzoo import hookspecs
from ganzoo.errors import UserError, closest, did_you_mean, short
from ganzoo.specs import SPEC_KINDS, DatasetSpec, EvaluatorSpec, LossSpec, ModelSpec, _Spec
from ganzoo.validation import problems

ENTRY_POINT_GROUP = "ganzoo"
BUILTIN_EVALUATORS = "ganzoo.metrics.plugin"
_SINGULAR = {"models": "model", "losses": "loss", "datasets": "dataset", "evaluators": "evaluator"}


@dataclass
class PluginInfo:
    """What one entry point registered, or why it could not."""

    name: str
    module: str
    package: str
    version: str
    registered: dict[str, list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # names of specs refused as invalid
    # The plugin API the module declares (or the current one when it declares none); "" until imported.
    api: str = ""

    @property
    def broken(self) -> bool:
        """True when the plugin failed to import, a hook raised, or a name clashed."""
        return bool(self.errors)


class _Manager(pluggy.PluginManager):
    """pluggy's manager that also takes an unmarked ``ganzoo_*`` function named like a hook as one."""

    def parse_hookimpl_opts(self, plugin: object, name: str) -> dict | None:  # type: ignore[override]
        options = super().parse_hookimpl_opts(plugin, name)
        if options is None and name in hookspecs.HOOKS and callable(getattr(plugin, name, None)):
            return {}
        return options  # type: ignore[return-value]


class Registry:
    """Specs collected from entry points, keyed by kind (``models``, ``losses``, ``datasets``, ``evaluators``)."""

    def __init__(self, entry_points: Iterable[md.EntryPoint] | None = None) -> None:
        self.manager = _Manager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self.plugins: list[PluginInfo] = []
        self.modules: dict[str, object] = {}
        self.specs: dict[str, dict[str, _Spec]] = {kind: {} for kind in SPEC_KINDS}
        if entry_points is None:
            entry_points = md.entry_points(group=ENTRY_POINT_GROUP)
        self._register(
            importlib.import_module(BUILTIN_EVALUATORS),
            PluginInfo("metrics", BUILTIN_EVALUATORS, "ganzoo", _own_version()),
        )
        # ganzoo's own plugins first, then the others in a stable order.
        ordered = sorted(entry_points, key=lambda ep: (_package(ep) != "ganzoo", _package(ep), ep.name))
        for entry_point in ordered:
            self._load(entry_point)

    def _load(self, entry_point: md.EntryPoint) -> None:
        package = _package(entry_point)
        version = entry_point.dist.version if entry_point.dist else ""
        info = PluginInfo(entry_point.name, entry_point.value, package, version)
        self.plugins.append(info)
        try:
            module = entry_point.load()
        except Exception as exc:  # a third-party plugin may raise anything on import
            info.errors.append(f"import failed: {type(exc).__name__}: {exc}")
            return
        self._register(module, info)

    def _register(self, module: object, info: PluginInfo) -> None:
        """Check ``module``'s API and hook names, register it with the manager and collect its specs."""
        info.api, problem = plugin_api_of(module)
        unknown = [
            _unknown_hook(name)
            for name in dir(module)
            if name.startswith("ganzoo_") and name not in hookspecs.HOOKS and callable(getattr(module, name))
        ]
        info.errors.extend([problem] if problem else unknown)
        if info.errors:
            return
        try:
            self.manager.register(module, name=f"{info.package}:{info.name}")
        except Exception as exc:  # pluggy rejects hooks whose signatures do not match the hookspecs
            info.errors.append(f"registration failed: {type(exc).__name__}: {exc}")
            return
        self.modules[info.name] = module
        for kind, spec_type in SPEC_KINDS.items():
            try:
                results = self.call(f"ganzoo_{kind}", module)
                # each result should be a list of specs; one that is not iterable raises TypeError here
                specs = [spec for result in results for spec in cast(Iterable[object], result or [])]
            except Exception as exc:
                info.errors.append(f"hook ganzoo_{kind} raised {type(exc).__name__}: {exc}")
                continue
            for spec in specs:
                self._add(kind, spec_type, spec, info)

    def call(self, hook: str, module: object, **kwargs: object) -> list[object]:
        """Call ``hook`` of the plugin ``module`` alone, through the manager (``[]`` when it has none)."""
        if not hasattr(module, hook):
            return []
        others = [plugin for plugin in self.manager.get_plugins() if plugin is not module]
        return self.manager.subset_hook_caller(hook, remove_plugins=others)(**kwargs)

    def add_commands(self, subparsers: object) -> None:
        """Let every loaded plugin add its CLI subcommands (``ganzoo_commands``); one that raises is broken."""
        for info in self.plugins:
            module = self.modules.get(info.name)
            if module is None or info.broken:
                continue
            try:
                self.call("ganzoo_commands", module, subparsers=subparsers)
            except Exception as exc:  # argparse refuses a command name already taken, among others
                info.errors.append(f"hook ganzoo_commands raised {type(exc).__name__}: {exc}")

    def _add(self, kind: str, spec_type: type[_Spec], spec: object, info: PluginInfo) -> None:
        if not isinstance(spec, spec_type):
            info.errors.append(f"ganzoo_{kind} returned {type(spec).__name__}, expected {spec_type.__name__}")
            return
        found = problems(spec)
        if found:
            label = spec.name if isinstance(spec.name, str) else short(spec.name, 40)
            info.errors.append(f"{_SINGULAR[kind]} '{label}': {'; '.join(found)}")
            info.rejected.append(str(label).lower())
            return
        key = spec.name.lower()
        taken = self.specs[kind].get(key)
        if taken is not None:
            info.errors.append(
                f"{_SINGULAR[kind]} '{spec.name}' from package '{info.package}' clashes with the one "
                f"already registered by package '{taken.source}'; rename one of them"
            )
            return
        spec = _with_source(spec, info.package)
        self.specs[kind][key] = spec
        info.registered.setdefault(kind, []).append(spec.name)

    @overload
    def get(self, kind: Literal["models"], name: str) -> ModelSpec: ...
    @overload
    def get(self, kind: Literal["losses"], name: str) -> LossSpec: ...
    @overload
    def get(self, kind: Literal["datasets"], name: str) -> DatasetSpec: ...
    @overload
    def get(self, kind: Literal["evaluators"], name: str) -> EvaluatorSpec: ...
    @overload
    def get(self, kind: str, name: str) -> _Spec: ...

    def get(self, kind: str, name: str) -> _Spec:
        """The spec of ``kind`` called ``name`` (any case); unknown names fail with the closest ones."""
        spec = self.specs[kind].get(name.lower())
        if spec is None:
            owner = next((p for p in self.broken if name.lower() in p.rejected), None)
            if owner is not None:
                raise UserError(
                    f"{_SINGULAR[kind]} '{name}' comes from plugin package '{owner.package}', which failed "
                    f"to load: {owner.errors[0]}; `ganzoo plugins` shows why"
                )
            names = [s.name for s in self.specs[kind].values()]
            failed = [p.package for p in self.broken if not p.registered]
            maybe = (
                f"; plugin package(s) {', '.join(failed)} failed to load and may provide it (`ganzoo plugins`)"
                if failed
                else ""
            )
            raise UserError(
                f"unknown {_SINGULAR[kind]} '{name}'{did_you_mean(name, names)}; "
                f"`ganzoo list {kind}` shows the {len(names)} available{maybe}"
            )
        return spec

    def model(self, name: str) -> ModelSpec:
        """Look up a model spec by name."""
        return self.get("models", name)

    def loss(self, name: str) -> LossSpec:
        """Look up a loss spec by name."""
        return self.get("losses", name)

    def dataset(self, name: str) -> DatasetSpec:
        """Look up a dataset spec by name."""
        return self.get("datasets", name)

    @overload
    def list(self, kind: Literal["models"], pattern: str = "*") -> builtins.list[ModelSpec]: ...
    @overload
    def list(self, kind: Literal["losses"], pattern: str = "*") -> builtins.list[LossSpec]: ...
    @overload
    def list(self, kind: Literal["datasets"], pattern: str = "*") -> builtins.list[DatasetSpec]: ...
    @overload
    def list(self, kind: Literal["evaluators"], pattern: str = "*") -> builtins.list[EvaluatorSpec]: ...
    @overload
    def list(self, kind: str, pattern: str = "*") -> builtins.list[_Spec]: ...

    def list(self, kind: str, pattern: str = "*") -> builtins.list[Any]:  # list[_Spec]; the overloads narrow it
        """Specs of ``kind`` whose name matches the shell-style ``pattern`` (case-insensitive), sorted."""
        pattern = pattern.lower()
        return sorted(
            (s for key, s in self.specs[kind].items() if fnmatch.fnmatchcase(key, pattern)),
            key=lambda s: s.name.lower(),
        )

    @property
    def broken(self) -> builtins.list[PluginInfo]:
        """Plugins that failed to load fully."""
        return [p for p in self.plugins if p.broken]


def plugin_api_of(module: object) -> tuple[str, str]:
    """The plugin API ``module`` declares and why it cannot be loaded ("" when it can).

    No declaration means "written for the current API", so plugins that predate the declaration keep
    working; only a declared version outside ``SUPPORTED_PLUGIN_APIS`` is refused.
    """
    declared = getattr(module, hookspecs.API_ATTRIBUTE, None)
    if declared is None:
        return hookspecs.PLUGIN_API_VERSION, ""
    if isinstance(declared, bool) or not isinstance(declared, (str, int)) or not str(declared).isdigit():
        return str(declared), (
            f"{hookspecs.API_ATTRIBUTE} must be a plugin API version such as "
            f"'{hookspecs.PLUGIN_API_VERSION}', got {declared!r}"
        )
    declared = str(int(declared))
    if declared in hookspecs.SUPPORTED_PLUGIN_APIS:
        return declared, ""
    supported = ", ".join(hookspecs.SUPPORTED_PLUGIN_APIS)
    if int(declared) > int(hookspecs.PLUGIN_API_VERSION):
        fix = "upgrade ganzoo, or install a release of the plugin written for this API"
    else:
        fix = "upgrade the plugin package to a release written for this API"
    return declared, (
        f"written for ganzoo plugin API {declared}, but this ganzoo supports plugin API {supported}; {fix}"
    )


def _unknown_hook(name: str) -> str:
    """``unknown hook ganzoo_model (did you mean ganzoo_models?)``, as pytest refuses unknown ``pytest_*`` hooks."""
    match = closest(name, hookspecs.HOOKS, n=1)
    return f"unknown hook {name}" + (
        f" (did you mean {match[0]}?)" if match else f"; hooks are {', '.join(hookspecs.HOOKS)}"
    )


def _own_version() -> str:
    from ganzoo import __version__

    return __version__


def _package(entry_point: md.EntryPoint) -> str:
    return entry_point.dist.name if entry_point.dist else "?"


def _with_source(spec: _Spec, package: str) -> _Spec:
    return dataclasses.replace(spec, source=package)


@functools.lru_cache(maxsize=1)
def get_registry() -> Registry:
    """The process-wide registry of installed plugins, loaded on first use."""
    return Registry()
