"""The registry: discovery through installed entry points, isolation of broken plugins, lookups."""

from __future__ import annotations

import importlib.metadata as md
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ganzoo import UserError
from ganzoo.registry import Registry, get_registry


def test_builtins_are_discovered_through_installed_entry_points() -> None:
    group = {ep.name: ep for ep in md.entry_points(group="ganzoo")}
    assert {"dcgan", "losses", "datasets"} <= set(group)
    registry = get_registry()
    assert registry.model("dcgan").source == "ganzoo"
    assert {"bce", "hinge"} <= set(registry.specs["losses"])
    assert {"digits", "mnist", "fashion-mnist", "cifar10"} <= set(registry.specs["datasets"])
    assert not registry.broken


def test_lookup_is_case_insensitive_and_unknown_names_suggest_the_closest() -> None:
    registry = get_registry()
    assert registry.model("DCGAN").name == "dcgan"
    with pytest.raises(UserError, match=r"unknown model 'dcgn' \(did you mean: dcgan[,?]"):
        registry.model("dcgn")


def test_wildcards_filter_names() -> None:
    registry = get_registry()
    assert [s.name for s in registry.list("models", "*GAN")] == [s.name for s in registry.list("models", "*gan")]
    assert "dcgan" in [s.name for s in registry.list("models", "dc*")]
    assert registry.list("datasets", "*mnist") and all("mnist" in s.name for s in registry.list("datasets", "*mnist"))
    assert registry.list("models", "nothing-like-this*") == []


def _install_fake_plugin(site: Path, dist: str, module: str, source: str) -> None:
    """Write a module and a dist-info with a `ganzoo` entry point, as pip would install it."""
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{dist}-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n")
    (info / "entry_points.txt").write_text(f"[ganzoo]\n{module} = {module}\n")


def _registry_with(site: Path, monkeypatch: pytest.MonkeyPatch) -> Registry:
    monkeypatch.syspath_prepend(str(site))
    return Registry()


def test_a_plugin_whose_import_raises_is_recorded_and_the_rest_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install_fake_plugin(tmp_path, "broken-gan", "broken_gan_plugin", "raise ImportError('needs libfoo')\n")
    registry = _registry_with(tmp_path, monkeypatch)
    broken = [p for p in registry.broken if p.package == "broken-gan"]
    assert len(broken) == 1 and "needs libfoo" in broken[0].errors[0]
    assert registry.model("dcgan")


def test_a_hook_that_raises_is_isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install_fake_plugin(
        tmp_path,
        "half-gan",
        "half_gan_plugin",
        """
        from ganzoo import hookimpl, LossSpec

        @hookimpl
        def ganzoo_models():
            raise RuntimeError("model hook exploded")

        @hookimpl
        def ganzoo_losses():
            return [LossSpec("half-loss", "a loss", "math:sqrt")]
    """,
    )
    registry = _registry_with(tmp_path, monkeypatch)
    plugin = next(p for p in registry.plugins if p.package == "half-gan")
    assert "model hook exploded" in plugin.errors[0]
    assert registry.loss("HALF-LOSS").source == "half-gan"


def test_a_duplicate_name_names_both_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install_fake_plugin(
        tmp_path,
        "copycat-gan",
        "copycat_plugin",
        """
        from ganzoo import hookimpl, ModelSpec

        @hookimpl
        def ganzoo_models():
            return [ModelSpec("DCGAN", "another dcgan", "math:sqrt")]
    """,
    )
    registry = _registry_with(tmp_path, monkeypatch)
    plugin = next(p for p in registry.plugins if p.package == "copycat-gan")
    assert "'copycat-gan'" in plugin.errors[0] and "'ganzoo'" in plugin.errors[0]
    assert registry.model("dcgan").source == "ganzoo"


@pytest.mark.subprocess
@pytest.mark.slow
def test_broken_plugin_leaves_the_cli_working(tmp_path: Path) -> None:
    _install_fake_plugin(tmp_path, "broken-gan", "broken_gan_plugin", "import does_not_exist_anywhere\n")
    env = {"PYTHONPATH": str(tmp_path), "COLUMNS": "200", **_base_env()}
    listed = subprocess.run([sys.executable, "-m", "ganzoo", "list", "models"], capture_output=True, text=True, env=env)
    assert listed.returncode == 0 and "dcgan" in listed.stdout and "Traceback" not in listed.stderr
    shown = subprocess.run([sys.executable, "-m", "ganzoo", "plugins"], capture_output=True, text=True, env=env)
    assert shown.returncode == 0
    assert "broken-gan" in shown.stdout and "does_not_exist_anywhere" in shown.stdout


@pytest.mark.subprocess
@pytest.mark.slow
def test_listing_builds_nothing() -> None:
    code = (
        "import sys; from ganzoo.cli import main; main(['list']); "
        "print(sorted(m for m in sys.modules if m.startswith('ganzoo_plugins.')"
        " and m.endswith(('.model', '.networks', '.images'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_base_env())
    assert result.returncode == 0
    assert result.stdout.strip().splitlines()[-1] == "[]"


def _base_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
