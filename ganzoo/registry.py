"""The registry: loads every ``ganzoo`` entry point through pluggy and answers lookups by name.

Each plugin is loaded and each of its hooks is called on its own, so a plugin that fails to import or
whose hook raises is recorded as broken and the others still load. Names are unique across plugins and
looked up case-insensitively, with wildcards for listing (as ``timm.list_models('*gan*')``).
A plugin that declares a plugin API this ganzoo does not support (``GANZOO_PLUGIN_API``) is recorded as
broken with the reason before any of its hooks runs.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import importlib.metadata as md
from collections.abc import Iterable
from dataclasses import dataclass, field

import pluggy

from ganzoo import hookspecs
from ganzoo.errors import UserError, did_you_mean
from ganzoo.specs import SPEC_KINDS, DatasetSpec, LossSpec, ModelSpec, _Spec

ENTRY_POINT_GROUP = "ganzoo"
_SINGULAR = {"models": "model", "losses": "loss", "datasets": "dataset"}


@dataclass
class PluginInfo:
    """What one entry point registered, or why it could not."""

    name: str
    module: str
    package: str
    version: str
    registered: dict[str, list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # The plugin API the module declares (or the current one when it declares none); "" until imported.
    api: str = ""

    @property
    def broken(self) -> bool:
        """True when the plugin failed to import, a hook raised, or a name clashed."""
        return bool(self.errors)


class Registry:
    """Specs collected from entry points, keyed by kind (``models``, ``losses``, ``datasets``)."""

    def __init__(self, entry_points: Iterable[md.EntryPoint] | None = None) -> None:
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self.plugins: list[PluginInfo] = []
        self.specs: dict[str, dict[str, _Spec]] = {kind: {} for kind in SPEC_KINDS}
        if entry_points is None:
            entry_points = md.entry_points(group=ENTRY_POINT_GROUP)
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
        info.api, problem = plugin_api_of(module)
        if problem:
            info.errors.append(problem)
            return
        try:
            self.manager.register(module, name=f"{package}:{entry_point.name}")
        except Exception as exc:  # pluggy rejects hooks whose signatures do not match the hookspecs
            info.errors.append(f"registration failed: {type(exc).__name__}: {exc}")
            return
        for kind, spec_type in SPEC_KINDS.items():
            hook = getattr(module, f"ganzoo_{kind}", None)
            if hook is None:
                continue
            try:
                specs = list(hook() or [])
            except Exception as exc:
                info.errors.append(f"hook ganzoo_{kind} raised {type(exc).__name__}: {exc}")
                continue
            for spec in specs:
                self._add(kind, spec_type, spec, info)

    def _add(self, kind: str, spec_type: type[_Spec], spec: object, info: PluginInfo) -> None:
        if not isinstance(spec, spec_type):
            info.errors.append(f"ganzoo_{kind} returned {type(spec).__name__}, expected {spec_type.__name__}")
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

    def get(self, kind: str, name: str) -> _Spec:
        """The spec of ``kind`` called ``name`` (any case); unknown names fail with the closest ones."""
        spec = self.specs[kind].get(name.lower())
        if spec is None:
            names = [s.name for s in self.specs[kind].values()]
            raise UserError(
                f"unknown {_SINGULAR[kind]} '{name}'{did_you_mean(name, names)}; "
                f"`ganzoo list {kind}` shows the {len(names)} available"
            )
        return spec

    def model(self, name: str) -> ModelSpec:
        """Look up a model spec by name."""
        return self.get("models", name)  # type: ignore[return-value]

    def loss(self, name: str) -> LossSpec:
        """Look up a loss spec by name."""
        return self.get("losses", name)  # type: ignore[return-value]

    def dataset(self, name: str) -> DatasetSpec:
        """Look up a dataset spec by name."""
        return self.get("datasets", name)  # type: ignore[return-value]

    def list(self, kind: str, pattern: str = "*") -> list[_Spec]:
        """Specs of ``kind`` whose name matches the shell-style ``pattern`` (case-insensitive), sorted."""
        pattern = pattern.lower()
        return sorted(
            (s for key, s in self.specs[kind].items() if fnmatch.fnmatchcase(key, pattern)),
            key=lambda s: s.name.lower(),
        )

    @property
    def broken(self) -> list[PluginInfo]:
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
        return str(declared), (f"{hookspecs.API_ATTRIBUTE} must be a plugin API version such as "
                               f"'{hookspecs.PLUGIN_API_VERSION}', got {declared!r}")
    declared = str(int(declared))
    if declared in hookspecs.SUPPORTED_PLUGIN_APIS:
        return declared, ""
    supported = ", ".join(hookspecs.SUPPORTED_PLUGIN_APIS)
    if int(declared) > int(hookspecs.PLUGIN_API_VERSION):
        fix = "upgrade ganzoo, or install a release of the plugin written for this API"
    else:
        fix = "upgrade the plugin package to a release written for this API"
    return declared, (f"written for ganzoo plugin API {declared}, but this ganzoo supports plugin API "
                      f"{supported}; {fix}")


def _package(entry_point: md.EntryPoint) -> str:
    return entry_point.dist.name if entry_point.dist else "?"


def _with_source(spec: _Spec, package: str) -> _Spec:
    return dataclasses.replace(spec, source=package)


@functools.lru_cache(maxsize=1)
def get_registry() -> Registry:
    """The process-wide registry of installed plugins, loaded on first use."""
    return Registry()
