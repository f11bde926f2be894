"""Plugins import only ganzoo's public API and never another plugin (DESIGN.md, "The plugin contract").

Every ``.py`` file under ``plugins/`` and ``examples/`` is parsed (not imported) and each import checked:
``ganzoo`` modules other than the root, ``ganzoo.nn``, ``ganzoo.text``, ``ganzoo.render`` and ``ganzoo.upscale`` (and
``ganzoo.testing`` in test files) are refused, as is any ``ganzoo_plugins.<folder>`` from another folder.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import ganzoo

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ("ganzoo", "ganzoo.nn", "ganzoo.text", "ganzoo.render", "ganzoo.upscale")
TEST_ONLY = ("ganzoo.testing",)
PLUGINS_PACKAGE = "ganzoo_plugins"


def _is_test_file(path: Path) -> bool:
    return "tests" in path.parts or path.name.startswith("test_") or path.name == "conftest.py"


def _public(module: str, test_file: bool) -> bool:
    """Whether ``module`` (a ``ganzoo...`` dotted name) is public API for this kind of file."""
    allowed = PUBLIC + (TEST_ONLY if test_file else ())
    return any(module == name or (name != "ganzoo" and module.startswith(name + ".")) for name in allowed)


def _plugin_package(path: Path, plugins: Path) -> list[str] | None:
    """The package a file under ``plugins/`` belongs to, as ``["ganzoo_plugins", folder, ...]``."""
    if not path.is_relative_to(plugins):
        return None
    return [PLUGINS_PACKAGE, *path.relative_to(plugins).parts[:-1]]


def _imported(node: ast.AST, package: list[str] | None) -> Iterator[str]:
    """The dotted module names an import statement reaches: ``from m import x`` reaches ``m``, and ``m.x`` when
    ``m`` is a package root (``from ganzoo import registry``)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            if package is None:
                return  # an example's relative import stays inside its own package
            base = package[: len(package) - node.level + 1]
            module = ".".join(base + ([node.module] if node.module else []))
        else:
            module = node.module or ""
        if module in ("ganzoo", PLUGINS_PACKAGE):
            yield from (f"{module}.{alias.name}" for alias in node.names)
        else:
            yield module


def import_violations(root: Path) -> list[str]:
    """``file:line: message`` for every import under ``root/plugins`` and ``root/examples`` that breaks the rule."""
    plugins = root / "plugins"
    exported = set(ganzoo.__all__)
    problems = []
    for path in sorted([*plugins.rglob("*.py"), *(root / "examples").rglob("*.py")]):
        package = _plugin_package(path, plugins)
        folder = package[1] if package and len(package) > 1 else None
        test_file = _is_test_file(path)
        where = path.relative_to(root)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            for module in _imported(node, package):
                head, _, rest = module.partition(".")
                if head == "ganzoo" and rest:
                    if rest in exported and isinstance(node, ast.ImportFrom):
                        continue  # a name the package root exports, not a submodule
                    if not _public(module, test_file):
                        problems.append(f"{where}:{node.lineno}: imports {module}, which is not ganzoo's public API")
                elif head == PLUGINS_PACKAGE and rest:
                    other = rest.split(".")[0]
                    if other != folder:
                        problems.append(f"{where}:{node.lineno}: imports {module}, another plugin's code")
    return sorted(set(problems))


def test_plugins_and_examples_import_only_the_public_api() -> None:
    problems = import_violations(ROOT)
    assert not problems, "\n".join(problems)


def test_the_check_reports_each_violation_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "plugins" / "mine").mkdir(parents=True)
    (tmp_path / "plugins" / "mine" / "__init__.py").write_text(
        "from ganzoo import UserError, registry\nimport ganzoo.trainer.loop\nfrom ganzoo.nn import mlp\n"
        "from ganzoo_plugins.mine import model\n"
    )
    (tmp_path / "plugins" / "mine" / "model.py").write_text(
        "from ganzoo_plugins.dcgan.model import DCGAN\nfrom ..other import thing\nfrom . import sibling\n"
        "from ganzoo.testing import check_model_plugin\nfrom ganzoo_plugins import gan\n"
    )
    (tmp_path / "examples" / "pkg" / "tests").mkdir(parents=True)
    (tmp_path / "examples" / "pkg" / "tests" / "test_it.py").write_text(
        "from ganzoo.testing import check_model_plugin\nfrom ganzoo.metrics.evaluate import draw\n"
    )
    assert import_violations(tmp_path) == [
        "examples/pkg/tests/test_it.py:2: imports ganzoo.metrics.evaluate, which is not ganzoo's public API",
        "plugins/mine/__init__.py:1: imports ganzoo.registry, which is not ganzoo's public API",
        "plugins/mine/__init__.py:2: imports ganzoo.trainer.loop, which is not ganzoo's public API",
        "plugins/mine/model.py:1: imports ganzoo_plugins.dcgan.model, another plugin's code",
        "plugins/mine/model.py:2: imports ganzoo_plugins.other, another plugin's code",
        "plugins/mine/model.py:4: imports ganzoo.testing, which is not ganzoo's public API",
        "plugins/mine/model.py:5: imports ganzoo_plugins.gan, another plugin's code",
    ]
