"""The strict plugin surface: bad specs and misspelt hooks break only their plugin, with the reason; plugin
commands and evaluators arrive through pluggy; suites refuse unknown models and metrics."""

from __future__ import annotations

import itertools
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

import ganzoo
from ganzoo.registry import Registry, get_registry

_count = itertools.count()
GOOD_MODEL = 'ModelSpec("fine-gan", "a fine gan", "ganzoo_plugins.dcgan.model:DCGAN", paper="1511.06434")'


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], Registry]]:
    """Install a one-module plugin package from source (as pip would) and return the fresh registry."""
    modules: list[str] = []

    def install(source: str) -> Registry:
        module = f"surface_probe_{next(_count)}"
        modules.append(module)
        site = tmp_path / module  # a folder each: importlib.metadata caches what it found in a folder
        site.mkdir()
        (site / f"{module}.py").write_text(
            "from ganzoo import *\nfrom ganzoo import hookimpl\n" + textwrap.dedent(source)
        )
        info = site / f"{module.replace('_', '-')}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module.replace('_', '-')}\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text(f"[ganzoo]\n{module} = {module}\n")
        monkeypatch.syspath_prepend(str(site))
        get_registry.cache_clear()
        return get_registry()

    yield install
    get_registry.cache_clear()
    for module in modules:
        sys.modules.pop(module, None)


def _problem(registry: Registry) -> str:
    (broken,) = [p for p in registry.broken if p.package.startswith("surface-probe")]
    return " | ".join(broken.errors)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            'ModelSpec("x-gan", "s", "m:f", paper=1406.2661)',
            "paper must be an arXiv id string such as '1406.2661', got 1406.2661 (a float)",
        ),
        (
            'ModelSpec("x-gan", "s", "m:f", data_kinds=VECTORS)',
            "data_kinds must be a tuple of data kinds such as (VECTORS,)",
        ),
        ('ModelSpec("x-gan", "s", "m:f", data_kinds=("images",))', "unknown data kind 'images' (did you mean: image"),
        ('ModelSpec("x-gan", "s", "ganzoo_plugins.dcgan.model.DCGAN")', "factory must be a 'package.module:attribute'"),
        ('ModelSpec("x-gan", "s", "m:f", defaults={"train": {"lr": "1e-3"}})', "'train.lr' must be a number"),
        ('ModelSpec("x-gan", "s", "m:f", defaults={"loss": 3})', "'loss' must be a string, got 3"),
        (
            'ModelSpec("x-gan", "s", "m:f", defaults={"train": {"lrr": 1.0}})',
            "unknown key 'train.lrr' (did you mean: train.lr",
        ),
        ('ModelSpec("x-gan", "s", "m:f", keys={"z_dim": 64})', "keys must map each model key name to a ganzoo.Key"),
        ('ModelSpec("x gan!", "s", "m:f")', "name must be letters, digits"),
        ('DatasetSpec("x-data", "s", "m:f", kind="vector")', "unknown data kind 'vector' (did you mean: vectors"),
        ('LossSpec("x-loss", "s", "m:f", role="adversary")', "role must be one of adversarial"),
    ],
)
def test_a_bad_spec_breaks_its_plugin_with_the_reason_and_listing_still_works(
    plugin, cli, spec: str, message: str
) -> None:
    kind = (
        spec.split("Spec")[0]
        .lower()
        .replace("model", "models")
        .replace("dataset", "datasets")
        .replace("loss", "losses")
    )
    registry = plugin(f"""
        @hookimpl
        def ganzoo_{kind}():
            return [{spec}]
    """)
    assert message in _problem(registry)
    code, out, err = cli("list")
    assert code == 0 and "dcgan" in out and "failed to load" in err
    code, out, _ = cli("plugins")
    assert code == 0 and "broken" in out


def test_the_good_specs_of_a_plugin_with_a_bad_one_still_register(plugin) -> None:
    registry = plugin(f"""
        @hookimpl
        def ganzoo_models():
            return [{GOOD_MODEL}, ModelSpec("bad-gan", "s", "m:f", paper=1.0)]
    """)
    assert "model 'bad-gan'" in _problem(registry) and registry.model("fine-gan")


def test_a_misspelt_hook_is_reported_with_the_right_name(plugin) -> None:
    registry = plugin("""
        def ganzoo_model():
            return []
    """)
    assert "unknown hook ganzoo_model (did you mean ganzoo_models?)" in _problem(registry)


def test_an_unmarked_hook_function_still_counts_and_a_bad_signature_is_refused(plugin) -> None:
    registry = plugin(f"""
        def ganzoo_models():
            return [{GOOD_MODEL}]

        def ganzoo_commands(parser, extra):
            pass
    """)
    assert "registration failed" in _problem(registry) and "extra" in _problem(registry)
    registry = plugin(f"""
        def ganzoo_models():
            return [{GOOD_MODEL}]
    """)
    assert registry.model("fine-gan").source.startswith("surface-probe")


def test_run_of_a_model_whose_plugin_broke_says_so(plugin, cli, in_tmp: Path) -> None:
    plugin("""
        @hookimpl
        def ganzoo_models():
            return [ModelSpec("x-gan", "s", "m:f", paper=1406.2661)]
    """)
    code, _, err = cli("run", "x-gan")
    assert code == 2 and "comes from plugin package 'surface-probe" in err and "paper must be" in err


@pytest.mark.parametrize(
    ("factory", "body", "message"),
    [
        ('"no_such_module_anywhere:Build"', "", "factory 'no_such_module_anywhere:Build' cannot be imported"),
        (
            'f"{__name__}:Netless"',
            """
        class Netless(ganzoo.GANModule):
            def training_step(self, ctx):
                return {}
    """,
            "breaks the GAN module contract: Netless has no `generator`/`discriminator` networks",
        ),
    ],
)
def test_a_model_that_cannot_be_built_is_one_line_and_leaves_no_run_directory(
    plugin, cli, in_tmp: Path, factory: str, body: str, message: str
) -> None:
    plugin(
        "import ganzoo\n"
        + textwrap.dedent(body)
        + f"""
@hookimpl
def ganzoo_models():
    return [ModelSpec("odd-gan", "s", {factory})]
"""
    )
    code, _, err = cli("run", "odd-gan", "--out", "runs/odd", "--set", "train.steps=1")
    assert code == 2 and message in err and "plugin package 'surface-probe" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (in_tmp / "runs" / "odd").exists()


def test_plugins_add_cli_commands_and_a_failing_one_is_isolated(plugin, cli) -> None:
    plugin("""
        @hookimpl
        def ganzoo_commands(subparsers):
            p = subparsers.add_parser("hello", help="say hello")
            p.add_argument("--to", default="world")
            p.set_defaults(handler=lambda args: print(f"hello {args.to}"))
    """)
    assert cli("hello", "--to", "gans")[:2] == (0, "hello gans\n")
    registry = plugin("""
        @hookimpl
        def ganzoo_commands(subparsers):
            subparsers.add_parser("list")
    """)
    code, out, _ = cli("list", "models")
    assert code == 0 and "dcgan" in out
    assert "hook ganzoo_commands raised" in _problem(registry)
    code, _, err = cli("upscale", "no-run", "x.png", "-o", "y.png")  # srgan's command is still there
    assert code == 2 and "no-run does not exist" in err


def test_an_evaluator_for_one_dataset_wins_over_its_kinds(plugin) -> None:
    from ganzoo.metrics.evaluate import evaluator_spec

    registry = plugin("""
        @hookimpl
        def ganzoo_evaluators():
            return [EvaluatorSpec("ring-only", "s", "m:f", datasets=("ring8",), metrics=("ringness",))]
    """)
    assert evaluator_spec(registry.dataset("ring8"), registry).name == "ring-only"
    assert evaluator_spec(registry.dataset("grid25"), registry).name == "vectors"


def _suite(tmp_path: Path, **changes: object) -> Path:
    data = {
        "name": "s",
        "device": "cpu",
        "threads": 1,
        "budget": {"steps": 4},
        "eval": {"every": 4, "samples": 100},
        "set": {"model.hidden": 8, "model.depth": 2, "train.batch_size": 16, "train.log_every": 2},
        "cells": [{"model": "gan", "datasets": ["ring8"]}],
        **changes,
    }
    path = tmp_path / "suite.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cells": [{"model": "gann", "datasets": ["ring8"]}]}, "unknown model 'gann' (did you mean: gan"),
        ({"cells": [{"model": "gan", "datasets": ["ring9"]}]}, "unknown dataset 'ring9' (did you mean: ring8"),
        ({"eval": {"metrics": ["bogus", "modes"]}}, "unknown metric 'bogus'"),
        ({"eval": {"metrics": ["mode"]}}, "unknown metric 'mode' (did you mean: modes"),
    ],
)
def test_suites_refuse_unknown_models_datasets_and_metrics(tmp_path: Path, cli, changes: dict, message: str) -> None:
    code, _, err = cli("bench", _suite(tmp_path, **changes), "--out", tmp_path / "out")
    assert code == 2 and message in err
    assert not (tmp_path / "out" / "runs").exists()


def test_a_suite_can_switch_evaluation_off_and_any_vectors_dataset_is_scored(plugin, tmp_path: Path) -> None:
    from ganzoo.bench.runner import run_suite
    from ganzoo.bench.suite import load_suite

    registry = plugin("""
        import ganzoo

        @hookimpl
        def ganzoo_datasets():
            return [DatasetSpec("two-lines", "two parallel lines, no mixture centres", f"{__name__}:load",
                                kind=VECTORS, shape=(2,))]

        def load(config):
            import torch
            x = torch.linspace(-1, 1, 200)
            points = torch.cat([torch.stack([x, x * 0 + 1], 1), torch.stack([x, x * 0 - 1], 1)])
            return ganzoo.LoadedData(ganzoo.DataInfo("two-lines", VECTORS, (2,)), tensors={"x": points})
    """)
    cells = [{"model": "gan", "datasets": ["two-lines"]}, {"model": "gan", "datasets": ["ring8"], "eval": False}]
    results = run_suite(load_suite(_suite(tmp_path, cells=cells)), tmp_path / "out", registry=registry)
    scored, unscored = results["cells"]
    assert scored["status"] == "ok" and set(scored["final"]) == {"energy", "mmd"}
    assert scored["primary"] == "energy"
    assert unscored["status"] == "ok" and unscored["final"] == {} and unscored["steps"]["mean"] == 4


def test_the_classifier_features_are_declared_by_the_dataset_spec() -> None:
    from ganzoo.metrics.classifier import load_classifier

    with pytest.raises(
        ganzoo.UserError, match=r"declares no classifier_epochs\); use one of digits, fashion-mnist, mnist"
    ):
        load_classifier("cifar10")
