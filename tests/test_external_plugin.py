"""Third-party plugins as their authors live them: pip-installed into a venv, found, run, checked, removed.

One virtual environment per module, which sees the environment running the tests (its torch and its
ganzoo, through a ``.pth`` file; see ``see_running_environment``); ``--no-deps --no-build-isolation
--no-index`` downloads nothing. Tests run in file order and share it:
the example is installed first and uninstalled by the last test. The plugin-API rule is tested
in-process with hand-written dist-info folders, as tests/test_registry.py does for broken plugins.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from ganzoo import PLUGIN_API_VERSION
from ganzoo.registry import Registry

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ganzoo-lsgan"


@dataclass
class Venv:
    """A virtual environment and the folder its commands run in."""

    python: Path
    work: Path

    def run(self, *args: str, cwd: Path | None = None, offline: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``python ARGS`` in the venv with a wide terminal, so tables are not wrapped."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env.update(COLUMNS="1000", PIP_DISABLE_PIP_VERSION_CHECK="1", **({"PIP_NO_INDEX": "1"} if offline else {}))
        return subprocess.run(
            [str(self.python), *args], capture_output=True, text=True, env=env, cwd=cwd or self.work, timeout=300
        )

    def ganzoo(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The ``ganzoo`` command as this venv sees it."""
        return self.run("-m", "ganzoo", *args)

    def pip_install(self, *sources: Path) -> None:
        """Install local packages without their dependencies, building with the installed setuptools when it
        can build wheels (then fetching nothing), else in pip's isolated build environment."""
        local = _builds_wheels()
        result = self.run(
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            *["--no-build-isolation"] * local,
            *map(str, sources),
            offline=local,
        )
        assert result.returncode == 0, result.stderr

    def pip_uninstall(self, *names: str) -> None:
        """Remove installed distributions."""
        result = self.run("-m", "pip", "uninstall", "-y", "-q", *names)
        assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A venv with the example plugin installed from a copy (building in place would litter the repo)."""
    root = tmp_path_factory.mktemp("plugin-venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "env")], check=True)
    see_running_environment(root / "env")
    source = root / "ganzoo-lsgan"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    env = Venv(root / "env" / "bin" / "python", root)
    env.pip_install(source)
    return env


def _builds_wheels() -> bool:
    """Whether the running environment's setuptools has ``bdist_wheel`` (built in from 70.1, else from ``wheel``)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        major, minor = (int(part) for part in version("setuptools").split(".")[:2])
    except (PackageNotFoundError, ValueError):
        return False
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


def see_running_environment(env: Path) -> None:
    """Make the venv at ``env`` see every site folder of the interpreter running the tests (a venv, a conda
    env or the system one), after its own: a ``.pth`` whose ``addsitedir`` lines also run their ``.pth``
    files (editable installs). ``--system-site-packages`` would show the *base* interpreter's instead."""
    sites = [p for p in sys.path if p.rstrip("/").endswith(("site-packages", "dist-packages")) and Path(p).is_dir()]
    own = next((env / "lib").glob("python*/site-packages"))
    (own / "running-environment.pth").write_text(
        "".join(f"import site; site.addsitedir({site!r})\n" for site in sites), encoding="utf-8"
    )


def _rows(output: str, word: str) -> list[str]:
    """Table rows whose first cell is ``word``."""
    return [line for line in output.splitlines() if line.strip("│ ").startswith(f"{word} ")]


@pytest.mark.subprocess
@pytest.mark.slow
def test_ganzoo_lists_the_installed_plugin_with_its_package(venv: Venv) -> None:
    listed = venv.ganzoo("list", "*lsgan*")
    assert listed.returncode == 0, listed.stderr
    for name in ("lsgan", "lsgan-01", "lsgan-pearson", "lsgan-mog"):
        rows = _rows(listed.stdout, name)
        assert len(rows) == 1 and "ganzoo-lsgan" in rows[0], listed.stdout
    assert "1611.04076" in _rows(listed.stdout, "lsgan")[0]
    plugins = venv.ganzoo("plugins")
    row = next(line for line in plugins.stdout.splitlines() if "ganzoo_lsgan" in line)
    assert "ganzoo-lsgan" in row and "0.1.0" in row and "ok" in row and "broken" not in row


@pytest.mark.subprocess
@pytest.mark.slow
def test_ganzoo_run_trains_the_plugin_model(venv: Venv) -> None:
    result = venv.ganzoo(
        "run",
        "lsgan",
        "--dataset",
        "digits",
        "--out",
        "run",
        "--no-progress",
        "--set",
        "train.steps=4",
        "--set",
        "train.log_every=2",
        "--set",
        "train.batch_size=16",
        "--set",
        "model.g_channels=8",
        "--set",
        "model.d_channels=8",
        "--set",
        "train.precision=fp32",
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in (venv.work / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [2, 4]
    assert all(isinstance(r[k], float) and abs(r[k]) < 1e6 for r in records for k in ("d_loss", "g_loss"))
    assert (venv.work / "run" / "checkpoints" / "last.pt").is_file()
    assert (venv.work / "run" / "samples" / "final.png").is_file()


@pytest.mark.subprocess
@pytest.mark.slow
def test_the_example_passes_its_own_tests_built_on_the_contract_kit(venv: Venv) -> None:
    result = venv.run("-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", cwd=venv.work / "ganzoo-lsgan")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "7 passed" in result.stdout


def _package(root: Path, dist: str, module: str, source: str) -> Path:
    """A minimal pip-installable plugin package registering ``module`` in the ``ganzoo`` group."""
    folder = root / dist
    folder.mkdir()
    (folder / f"{module}.py").write_text(textwrap.dedent(source))
    (folder / "pyproject.toml").write_text(
        textwrap.dedent(f"""
        [build-system]
        requires = ["setuptools>=64"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "{dist}"
        version = "2.0.0"

        [project.entry-points.ganzoo]
        {module} = "{module}"

        [tool.setuptools]
        py-modules = ["{module}"]
    """)
    )
    return folder


@pytest.mark.subprocess
@pytest.mark.slow
def test_clashing_broken_and_too_new_plugins_are_reported_and_the_rest_works(venv: Venv) -> None:
    # Packages load in name order after ganzoo's own, so "lsgan-copycat" comes after "ganzoo-lsgan".
    copycat = _package(
        venv.work,
        "lsgan-copycat",
        "copycat_gan",
        """
        from ganzoo import ModelSpec, hookimpl

        @hookimpl
        def ganzoo_models():
            return [ModelSpec("LSGAN", "another lsgan", "copycat_gan:build")]
    """,
    )
    broken = _package(venv.work, "ganzoo-broken", "broken_gan", "raise ImportError('needs libfoo 3')\n")
    future = _package(
        venv.work,
        "ganzoo-future",
        "future_gan",
        """
        from ganzoo import ModelSpec, hookimpl

        GANZOO_PLUGIN_API = "99"

        @hookimpl
        def ganzoo_models():
            return [ModelSpec("future-gan", "needs a newer ganzoo", "future_gan:build")]
    """,
    )
    venv.pip_install(copycat, broken, future)
    try:
        _check_reported_and_isolated(venv)
    finally:
        venv.pip_uninstall("lsgan-copycat", "ganzoo-broken", "ganzoo-future")


def _check_reported_and_isolated(venv: Venv) -> None:
    """Each problem shows against its own plugin in `ganzoo plugins`; listing and lsgan keep working."""
    plugins = venv.ganzoo("plugins")
    assert plugins.returncode == 0, plugins.stderr
    status = {
        name: next(line for line in plugins.stdout.splitlines() if f"({name})" in line)
        for name in ("copycat_gan", "broken_gan", "future_gan", "ganzoo_lsgan")
    }
    assert "model 'LSGAN' from package 'lsgan-copycat'" in status["copycat_gan"]
    assert "already registered by package 'ganzoo-lsgan'" in status["copycat_gan"]
    assert "broken" in status["broken_gan"] and "needs libfoo 3" in status["broken_gan"]
    assert "written for ganzoo plugin API 99, but this ganzoo supports plugin API" in status["future_gan"]
    assert "ok" in status["ganzoo_lsgan"] and "broken" not in status["ganzoo_lsgan"]
    listed = venv.ganzoo("list", "models")
    assert listed.returncode == 0 and "Traceback" not in listed.stderr
    assert "ganzoo-lsgan" in _rows(listed.stdout, "lsgan")[0] and _rows(listed.stdout, "dcgan")
    assert not _rows(listed.stdout, "future-gan")
    assert "plugin(s) failed to load" in listed.stderr


@pytest.mark.subprocess
@pytest.mark.slow
def test_uninstalling_removes_the_plugin(venv: Venv) -> None:
    venv.pip_uninstall("ganzoo-lsgan")
    listed = venv.ganzoo("list", "*lsgan*")
    assert listed.returncode == 0 and "failed to load" not in listed.stderr
    assert "ganzoo-lsgan" not in listed.stdout and not _rows(listed.stdout, "lsgan")
    assert not _rows(listed.stdout, "lsgan-mog") and not _rows(listed.stdout, "lsgan-01")


def _fake_install(site: Path, dist: str, module: str, declared: str | None) -> None:
    """A plugin module (declaring ``declared`` if given) with a dist-info folder, as pip would leave it."""
    line = f"GANZOO_PLUGIN_API = {declared}\n" if declared is not None else ""
    (site / f"{module}.py").write_text(
        line
        + textwrap.dedent(f"""
        from ganzoo import LossSpec, hookimpl

        CALLED = []

        @hookimpl
        def ganzoo_losses():
            CALLED.append(True)
            return [LossSpec("{module}-loss", "a loss", "math:sqrt")]
    """)
    )
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[ganzoo]\n{module} = {module}\n")


@pytest.mark.parametrize(
    ("declared", "api", "problem"),
    [
        (None, PLUGIN_API_VERSION, ""),
        ('"1"', "1", ""),
        ("1", "1", ""),
        ('"2"', "2", ""),
        ('"3"', "3", "written for ganzoo plugin API 3, but this ganzoo supports plugin API 1, 2; upgrade ganzoo"),
        ('"0"', "0", "written for ganzoo plugin API 0, but this ganzoo supports plugin API 1, 2; upgrade the plugin"),
        ('"one"', "one", "GANZOO_PLUGIN_API must be a plugin API version such as '2', got 'one'"),
    ],
)
def test_the_declared_plugin_api_is_checked_before_any_hook_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, declared: str | None, api: str, problem: str
) -> None:
    module = f"api_probe_{abs(hash((declared, str(tmp_path)))) % 10**8}"
    _fake_install(tmp_path, "api-probe", module, declared)
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = Registry()
    plugin = next(p for p in registry.plugins if p.package == "api-probe")
    assert plugin.api == api
    called = sys.modules[module].CALLED
    if problem:
        assert plugin.broken and problem in plugin.errors[0]
        assert not called and f"{module}-loss" not in registry.specs["losses"]
    else:
        assert not plugin.broken and called and registry.loss(f"{module}-loss").source == "api-probe"
    assert registry.model("dcgan")
