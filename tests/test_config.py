"""Config resolution: precedence, types, unknown keys, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ganzoo import UserError
from ganzoo.config import parse_overrides
from ganzoo.runner import RunRequest, resolve_config


def test_precedence_defaults_file_then_set(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text("train:\n  steps: 7\n  batch_size: 16\nloss: hinge\n")
    config, model, dataset = resolve_config(RunRequest("dcgan", config_file=str(path), overrides=["train.steps=9"]))
    assert (model.name, dataset.name) == ("dcgan", "digits")
    assert config["train"]["steps"] == 9  # --set beats the file
    assert config["train"]["batch_size"] == 16  # the file beats the defaults
    assert config["loss"] == "hinge"
    assert config["model"]["z_dim"] == 100  # the model's default
    assert config["data"]["image_size"] == 32  # the dataset's default


def test_values_are_typed() -> None:
    config, _, _ = resolve_config(RunRequest("dcgan", overrides=["train.lr=2e-4", "train.betas=[0.0, 0.9]"]))
    assert config["train"]["lr"] == pytest.approx(2e-4) and isinstance(config["train"]["lr"], float)
    assert tuple(config["train"]["betas"]) == (0.0, 0.9)
    with pytest.raises(TypeError):
        config["train"]["steps"] = 3  # frozen


@pytest.mark.parametrize(
    "override, message",
    [
        ("train.stepz=3", r"unknown config key .train.stepz. \(did you mean: train.steps"),
        ("train.steps=many", r"'train.steps' must be an integer >= 1, got 'many'"),
        ("train.steps=-5", r"'train.steps' must be an integer >= 1"),
        ("train.lr=fast", r"'train.lr' must be a number"),
        ("train=3", r"'train' is a section and must be a mapping"),
        ("train.precision=fp8", r"'train.precision' must be one of"),
        ("loss=nope", r"unknown loss 'nope'"),
        ("nokey", r"--set expects KEY=VALUE"),
    ],
)
def test_bad_overrides_are_rejected(override: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        resolve_config(RunRequest("dcgan", overrides=[override]))


@pytest.mark.parametrize(
    "text, message",
    [
        ("- a\n- b\n", "must hold a mapping"),
        ("train: [\n", "is not valid YAML"),
        ("train:\n  steps: 1.5\n", "must be an integer"),
    ],
)
def test_bad_files_are_rejected(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(UserError, match=message):
        resolve_config(RunRequest("dcgan", config_file=str(path)))


def test_an_empty_file_is_empty_config(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("")
    config, _, _ = resolve_config(RunRequest("dcgan", config_file=str(path)))
    assert config["train"]["steps"] == 2000


def test_missing_file_is_a_user_error() -> None:
    with pytest.raises(UserError, match="cannot read config file"):
        resolve_config(RunRequest("dcgan", config_file="/no/such/file.yaml"))


def test_overrides_nest_by_dots() -> None:
    assert parse_overrides(["a.b=1", "a.c=x", "d=true"]) == {"a": {"b": 1, "c": "x"}, "d": True}
