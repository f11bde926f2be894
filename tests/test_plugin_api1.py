"""Plugin API 1 still works: a plugin published for it loads, lists its API, passes the contract and trains;
API-1 config keys that moved into the trainer map onto their new place with a notice."""

from __future__ import annotations

import importlib.metadata as md
from pathlib import Path

import pytest

from ganzoo import registry as registry_module
from ganzoo.registry import ENTRY_POINT_GROUP, Registry
from ganzoo.runner import RunRequest, resolve_config, run
from ganzoo.testing import check_model_plugin

FIXTURE = Path(__file__).parent / "fixtures" / "api1_plugin"


@pytest.fixture
def api1_registry(monkeypatch: pytest.MonkeyPatch) -> Registry:
    """The installed plugins plus the API-1 LSGAN package, as the process-wide registry."""
    monkeypatch.syspath_prepend(str(FIXTURE))
    entry_points = [
        *md.entry_points(group=ENTRY_POINT_GROUP),
        md.EntryPoint("lsgan-api1", "ganzoo_api1_lsgan", ENTRY_POINT_GROUP),
    ]
    registry = Registry(entry_points)
    monkeypatch.setattr(registry_module, "get_registry", lambda: registry)
    return registry


def test_an_api1_plugin_loads_and_reports_its_api(api1_registry: Registry) -> None:
    plugin = next(p for p in api1_registry.plugins if p.name == "lsgan-api1")
    assert plugin.api == "1" and not plugin.broken, plugin.errors
    assert plugin.registered == {
        "models": ["lsgan-api1"],
        "losses": ["api1-lsgan-01", "api1-lsgan-pearson"],
        "datasets": ["api1-lsgan-mog"],
    }
    builtin = next(p for p in api1_registry.plugins if p.name == "dcgan")
    assert builtin.api == "2"


@pytest.mark.parametrize("dataset", ["digits", "api1-lsgan-mog"])
def test_an_api1_model_meets_the_contract(api1_registry: Registry, dataset: str) -> None:
    report = check_model_plugin("lsgan-api1", dataset=dataset, registry=api1_registry)
    assert {"d_loss", "g_loss"} <= set(report.logs["adversarial"])


def test_an_api1_model_trains_under_the_new_trainer_policy(api1_registry: Registry, tmp_path: Path) -> None:
    request = RunRequest(
        "lsgan-api1",
        "api1-lsgan-mog",
        out=str(tmp_path / "run"),
        overrides=[
            "model.hidden=16",
            "model.depth=2",
            "train.steps=12",
            "train.log_every=4",
            "data.size=512",
            "train.lr_schedule=linear",
            "train.grad_clip=1.0",
        ],
    )
    result = run(request, show_progress=False, registry=api1_registry)
    assert result.steps == 12 and (tmp_path / "run" / "checkpoints" / "last.pt").is_file()
    assert result.last_metrics["g_loss"] == result.last_metrics["g_loss"]  # finite, not NaN


def test_moved_api1_keys_set_the_trainer_policy_with_a_notice() -> None:
    notices: list[str] = []
    config, _, _ = resolve_config(RunRequest("wgan-gp", overrides=["model.n_critic=3"]), notice=notices.append)
    assert config["train"]["d_steps"] == 3 and "n_critic" not in config["model"]
    assert notices == ["--set: 'model.n_critic' is deprecated (plugin API 1); it now sets 'train.d_steps'"]
    config, _, _ = resolve_config(RunRequest("infogan", overrides=["model.g_lr=5e-4"]), notice=notices.append)
    assert config["train"]["g_lr"] == 5e-4
