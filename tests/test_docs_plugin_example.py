"""The minimal plugin in docs/plugins.md works as printed: its two files load through an entry point,
pass the contract checks and train with trainer keys, so the guide cannot drift from the API."""

from __future__ import annotations

import importlib.metadata as md
import re
from pathlib import Path

import pytest

from ganzoo import registry as registry_module
from ganzoo.registry import ENTRY_POINT_GROUP, Registry
from ganzoo.runner import RunRequest, run
from ganzoo.testing import check_model_plugin

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "plugins.md"


def test_the_guides_minimal_plugin_loads_passes_the_contract_and_trains(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    section = GUIDE.read_text(encoding="utf-8").split("## A minimal complete plugin", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(# (tinygan/\S+).*?\n.*?)```", section, re.S)
    assert [name for _, name in blocks] == ["tinygan/__init__.py:", "tinygan/model.py:"]
    package = tmp_path / "tinygan"
    package.mkdir()
    for code, name in blocks:
        (tmp_path / name.rstrip(":")).write_text(code, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = Registry(
        [*md.entry_points(group=ENTRY_POINT_GROUP), md.EntryPoint("tinygan", "tinygan", ENTRY_POINT_GROUP)]
    )
    monkeypatch.setattr(registry_module, "get_registry", lambda: registry)
    assert not [p for p in registry.plugins if p.name == "tinygan" and p.broken]
    check_model_plugin("tinygan", registry=registry)
    result = run(
        RunRequest(
            "tinygan",
            out=str(tmp_path / "run"),
            overrides=["train.steps=6", "train.ema=true", "loss=hinge", "model.hidden=8", "data.size=256"],
        ),
        show_progress=False,
        registry=registry,
    )
    assert result.steps == 6 and (tmp_path / "run" / "samples" / "final.png").is_file()
