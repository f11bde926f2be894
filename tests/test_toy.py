"""The toy mixtures and the vanilla GAN: data layout, training through the CLI, sampling, packing."""

from __future__ import annotations

import pytest
import torch

import ganzoo
from ganzoo import VECTORS, DataInfo, UserError
from ganzoo.registry import get_registry
from ganzoo.runner import RunRequest, build_model, resolve_config
from ganzoo.trainer.policy import RateSetter


@pytest.mark.parametrize("name, modes, radius", [("ring8", 8, 2.0), ("grid25", 25, 4 * 2**0.5)])
def test_mixture_datasets_are_fixed_vectors_with_their_centres(name: str, modes: int, radius: float) -> None:
    spec = get_registry().dataset(name)
    assert spec.kind == "vectors" and spec.shape == (2,)
    data = spec.build({**spec.defaults, "name": name, "root": None, "size": 4000})
    again = spec.build({**spec.defaults, "name": name, "root": None, "size": 4000})
    assert torch.equal(data.tensors["x"], again.tensors["x"])
    means = torch.tensor(data.info.extras["means"])
    assert means.shape == (modes, 2)
    assert float(means.norm(dim=1).max()) == pytest.approx(radius, rel=1e-5)
    nearest = torch.cdist(data.tensors["x"], means).argmin(1)
    assert torch.bincount(nearest, minlength=modes).min() > 4000 / modes * 0.7


def test_gan_trains_on_a_mixture_and_samples_vectors(in_tmp, cli) -> None:
    code, out, err = cli(
        "run",
        "gan",
        "--dataset",
        "ring8",
        "--no-progress",
        "--set",
        "train.steps=20",
        "--set",
        "model.hidden=16",
        "--set",
        "model.pack=2",
        "--set",
        "train.sample_every=10",
        "--out",
        "r",
    )
    assert code == 0, err
    assert (in_tmp / "r" / "samples" / "step_0000010.png").is_file()
    trained = ganzoo.load_run(in_tmp / "r")
    assert trained.step == 20
    points = trained.sample(7, seed=0)["x"]
    assert points.shape == (7, 2) and torch.isfinite(points).all()
    assert trained.module.discriminator[0].in_features == 4  # two packed 2D samples


def test_gan_on_flattened_images_gives_images_in_range(in_tmp) -> None:
    trained = ganzoo.train(
        "gan", "digits", out="d", device="cpu", train={"steps": 3, "batch_size": 8}, model={"hidden": 16}
    )
    images = trained.sample(5)["image"]
    assert images.shape == (5, 1, 32, 32)
    assert images.min() >= -1 and images.max() <= 1


def test_gan_rejects_a_batch_that_packing_cannot_split(in_tmp, cli) -> None:
    code, _, err = cli("run", "gan", "--dataset", "grid25", "--set", "model.pack=3", "--set", "train.batch_size=64")
    assert code == 2
    assert "multiple of model.pack" in err


def _toy_gan(*overrides: str) -> torch.nn.Module:
    config, _, _ = resolve_config(
        RunRequest(
            "gan",
            "grid25",
            overrides=[
                "model.hidden=8",
                "model.depth=1",
                "train.lr_schedule=linear",
                "train.steps=10",
                "train.lr=1e-3",
                *overrides,
            ],
        )
    )
    return build_model(config, DataInfo("grid25", VECTORS, (2,)))


def test_lr_decay_holds_the_rate_until_its_start_then_falls_linearly_to_zero() -> None:
    module = _toy_gan("train.lr_decay_start=0.6")
    optimizers = module.configure_optimizers()
    setter = RateSetter(optimizers, module.config["train"], total=10)
    rates = []
    for step in range(1, 11):
        setter.apply(step)
        rates.append({g["lr"] for opt in optimizers.values() for g in opt.param_groups})
    assert all(len(r) == 1 for r in rates)
    assert [r.pop() for r in rates] == pytest.approx([1e-3] * 7 + [7.5e-4, 5e-4, 2.5e-4])


def test_api1_lr_decay_keys_map_onto_the_trainer_schedule() -> None:
    notices: list[str] = []
    config, _, _ = resolve_config(
        RunRequest("gan", "grid25", overrides=["model.lr_decay=true", "model.lr_decay_start=0.6"]),
        notice=notices.append,
    )
    assert config["train"]["lr_schedule"] == "linear" and config["train"]["lr_decay_start"] == 0.6
    assert len(notices) == 2 and "deprecated" in notices[0] and "train.lr_schedule" in notices[0]


def test_lr_decay_start_outside_the_steps_is_refused() -> None:
    with pytest.raises(UserError, match="lr_decay_start"):
        _toy_gan("train.lr_decay_start=1.0")
