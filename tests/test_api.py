"""The Python API in the package root: list, create, train, load a run, sample, save a grid, metrics."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

import pytest
import torch
from PIL import Image

import ganzoo

TINY = {"train": {"steps": 2, "batch_size": 8, "log_every": 1}, "model": {"g_channels": 8, "d_channels": 8}}


@pytest.fixture(scope="module")
def dcgan_run(tmp_path_factory: pytest.TempPathFactory) -> ganzoo.Run:
    return ganzoo.train("dcgan", "digits", out=tmp_path_factory.mktemp("api") / "run", **TINY)


def test_listing_and_lookups_return_names_and_specs() -> None:
    assert "dcgan" in ganzoo.list_models() and ganzoo.list_models("dc*") == ["dcgan"]
    assert "bce" in ganzoo.list_losses() and "digits" in ganzoo.list_datasets("dig*")
    assert ganzoo.is_model("DCGAN") and not ganzoo.is_model("nope")
    assert ganzoo.get_spec("cgan").conditions == ("label",)
    assert isinstance(ganzoo.get_spec("digits"), ganzoo.DatasetSpec)
    with pytest.raises(ganzoo.UserError, match="did you mean: dcgan"):
        ganzoo.get_spec("dcgn")


def test_create_model_takes_nested_overrides_validated_like_set() -> None:
    module = ganzoo.create_model("dcgan", "digits", model={"z_dim": 16, "g_channels": 8}, seed=3)
    assert isinstance(module, ganzoo.GANModule) and module.config["model"]["z_dim"] == 16
    assert module.config["seed"] == 3
    with pytest.raises(ganzoo.UserError, match="train.steps"):
        ganzoo.create_model("dcgan", "digits", train={"steps": "ten"})


def test_load_dataset_with_options() -> None:
    data = ganzoo.load_dataset("ring8", size=64)
    assert data.tensors["x"].shape == (64, 2)
    with pytest.raises(ganzoo.UserError, match="has no option 'sizes'"):
        ganzoo.load_dataset("ring8", sizes=64)


def test_train_returns_a_run_with_config_step_metrics_and_samples(dcgan_run: ganzoo.Run, tmp_path: Path) -> None:
    assert dcgan_run.step == 2 and dcgan_run.config["model"]["g_channels"] == 8
    assert [row["step"] for row in dcgan_run.metrics()] == [1, 2]
    images = dcgan_run.sample(5, seed=1)["image"]
    assert images.shape == (5, 1, 32, 32) and torch.equal(images, dcgan_run.sample(5, seed=1)["image"])
    assert Image.open(dcgan_run.save_grid(tmp_path / "grid.png", n=4)).size == (2 * 34 + 2, 2 * 34 + 2)
    with pytest.raises(ganzoo.UserError, match="cannot be conditioned on 'label'"):
        dcgan_run.sample(2, label=3)


def test_load_run_uses_the_ema_generator(tmp_path: Path) -> None:
    run = ganzoo.train(
        "dcgan", "digits", out=tmp_path / "ema", train={**TINY["train"], "ema": True}, model=TINY["model"]
    )
    state = torch.load(run.dir / "checkpoints" / "last.pt", weights_only=True)
    for name, value in state["ema"].items():
        assert torch.equal(run.module.generator.state_dict()[name], value)
    assert any(not torch.equal(state["model"][f"generator.{k}"], v) for k, v in state["ema"].items())


def test_conditional_samples_take_the_declared_condition(tmp_path: Path) -> None:
    run = ganzoo.train("cgan", "digits", out=tmp_path / "c", **TINY)
    assert run.sample(4, label=7)["label"].tolist() == [7] * 4


class _Recorder(ganzoo.Callback):
    """Records what the trainer tells a callback."""

    def __init__(self) -> None:
        self.steps: list[int] = []
        self.logged: list[int] = []
        self.phases: list[tuple[int, str]] = []

    def on_step_end(self, trainer: Any) -> None:
        self.steps.append(trainer.step)

    def on_log(self, trainer: Any, record: dict[str, Any]) -> None:
        self.logged.append(record["step"])

    def on_phase_end(self, trainer: Any, phase: str) -> None:
        self.phases.append((trainer.step, phase))


def test_train_takes_set_strings_callbacks_and_resumes(tmp_path: Path) -> None:
    recorder = _Recorder()
    sets = ["train.steps=3", "train.batch_size=8", "train.log_every=2", "model.g_channels=8", "model.d_channels=8"]
    run = ganzoo.train("dcgan", "digits", tmp_path / "r", sets=sets, callbacks=[recorder], train={"steps": 2})
    assert run.step == 2, "keyword overrides win over sets"
    assert recorder.steps == [1, 2] and recorder.logged == [2] and recorder.phases == [(2, "adversarial")]
    resumed = ganzoo.train("dcgan", "digits", tmp_path / "r", sets=sets, resume=True)
    assert resumed.step == 3
    with pytest.raises(ganzoo.UserError, match="list of KEY=VALUE strings"):
        ganzoo.train("dcgan", "digits", tmp_path / "s", sets="train.steps=1")


def test_phase_end_reaches_callbacks_for_every_phase(tmp_path: Path) -> None:
    recorder = _Recorder()
    model = {"mle_steps": 2, "d_pretrain_steps": 1, "rollout_num": 1, "d_batches": 1, "k_epochs": 1}
    ganzoo.train(
        "seqgan", "oracle", tmp_path / "s", callbacks=[recorder], model=model,
        train={"steps": 4, "batch_size": 8}, data={"num_sequences": 64, "vocab_size": 20},
    )  # fmt: skip
    assert recorder.phases == [(2, "mle"), (3, "discriminator"), (4, "adversarial")]


def test_create_evaluator_scores_a_model_as_the_bench_does() -> None:
    evaluator = ganzoo.create_evaluator("gan", "ring8", samples=200, metrics=["energy", "modes"])
    untrained = evaluator.evaluate(ganzoo.create_model("gan", "ring8"))
    assert isinstance(evaluator, ganzoo.Evaluator) and evaluator.primary == "modes"
    assert untrained["energy"] > 0 and 0 <= untrained["modes"] <= 8 and "mmd" not in untrained
    with pytest.raises(ganzoo.UserError, match="has no setting sample"):
        ganzoo.create_evaluator("gan", "ring8", sample=10)


class _WatchTrainer(ganzoo.Callback):
    """Keeps only a weak reference to the trainer, to see whether anything else still holds it."""

    def on_fit_end(self, trainer: Any) -> None:
        self.trainer = weakref.ref(trainer)


def test_a_finished_run_frees_its_trainer_and_data_without_waiting_for_the_collector(tmp_path: Path) -> None:
    """The trainer, model and data hold each other in cycles; ``train`` frees them before it returns, so a
    suite of runs in one process (or a process about to exit) does not carry them."""
    watch = _WatchTrainer()
    gc.disable()  # only an explicit collection inside ganzoo can free the cycles now
    try:
        ganzoo.train("dcgan", "digits", out=tmp_path / "run", callbacks=[watch], **TINY)
        assert watch.trainer() is None
    finally:
        gc.enable()
