"""InfoGAN: latent codes, the Q head on the shared body, the traversal figure, and a code that captures the class."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from PIL import Image

import ganzoo
from ganzoo_plugins.infogan.evaluation import code_class_table, majority_matched_accuracy, one_to_one_accuracy

TINY = ["--no-progress", "--set", "model.g_channels=8", "--set", "model.d_channels=8", "--set", "train.batch_size=16"]


def test_traverse_writes_the_papers_figure(in_tmp: Path, cli) -> None:
    code, _, err = cli("run", "infogan", "--out", "r", "--set", "train.steps=2", *TINY)
    assert code == 0, err
    assert cli("traverse", "r", "--code", "1", "--out", "traverse.png")[0] == 0  # the infogan plugin's command
    assert Image.open("traverse.png").size == (10 * 34 + 2, 10 * 34 + 2)  # 10 categories x 10 code values
    code, _, err = cli("traverse", "r", "--code", "2", "--out", "bad.png")
    assert code == 2 and "continuous code 2 does not exist" in err
    module = ganzoo.load_run("r").module
    images, nrow = module.traversal_grid(steps=5, code=0)
    assert images.shape == (50, 1, 32, 32) and nrow == 5
    assert not torch.equal(images[0], images[4])  # the sweep changes the image along a row


def test_traverse_is_refused_by_models_without_codes(in_tmp: Path, cli) -> None:
    assert cli("run", "dcgan", "--out", "d", "--set", "train.steps=1", *TINY)[0] == 0
    code, _, err = cli("traverse", "d")
    assert code == 2 and "traverse works with infogan" in err


def test_q_head_shares_the_discriminator_body_and_the_info_loss_trains_the_generator(in_tmp: Path, cli) -> None:
    assert cli("run", "infogan", "--out", "r", "--set", "train.steps=1", *TINY)[0] == 0
    module = ganzoo.load_run("r").module
    module.train()
    z, cat, cont = module.codes(8)
    fake = module.generate({"z": z, "code": cat, "continuous": cont})
    logits, mean, log_std = module.q_head(module.discriminator.features(fake))
    assert logits.shape == (8, 10) and mean.shape == (8, 2) and log_std is None
    module.info_loss(logits, cat, mean, cont).backward()
    assert module.generator.net[0].weight.grad.abs().sum() > 0
    assert module.discriminator.body[0].weight.grad.abs().sum() > 0
    assert module.discriminator.head.weight.grad is None  # only the score uses the score head
    groups = module.configure_optimizers()
    assert groups["generator"].param_groups[0]["lr"] == pytest.approx(1e-3)
    assert groups["discriminator"].param_groups[0]["lr"] == pytest.approx(2e-4)


def test_code_matching_on_a_known_table() -> None:
    table = torch.tensor([[8, 2, 0], [1, 1, 8], [5, 5, 0]])
    assert majority_matched_accuracy(table) == pytest.approx((8 + 8 + 5) / 30)
    assert one_to_one_accuracy(table) == pytest.approx((8 + 8 + 5) / 30)  # codes 0->0, 1->2, 2->1
    assert one_to_one_accuracy(torch.tensor([[9, 1], [8, 2]])) == pytest.approx((9 + 2) / 20)


@pytest.mark.learning
@pytest.mark.slow
def test_the_categorical_code_captures_the_digit_class(in_tmp: Path, cli, data_dir: Path, mnist_classifier) -> None:
    # 600 steps on 10,000 images (about 25 s of one CPU core): the code already sorts digits well above chance.
    code, _, err = cli("run", "infogan", "--dataset", "mnist", "--out", "m", "--no-progress", *LEARN)
    assert code == 0, err
    module = ganzoo.load_run("m").module
    table = code_class_table(module, mnist_classifier, n=1000)
    largest_class_share = (table.sum(0).max() / table.sum()).item()
    # Majority matching scores at least the largest class's share even when codes carry no class at all.
    assert majority_matched_accuracy(table) >= largest_class_share + 0.05, table
    assert one_to_one_accuracy(table) >= 0.2, table  # about 0.1-0.13 for codes independent of the class


LEARN = [
    "--set",
    "model.backbone=dcgan",
    "--set",
    "data.limit=10000",
    "--set",
    "model.g_channels=16",
    "--set",
    "model.d_channels=16",
    "--set",
    "train.precision=fp32",
    "--set",
    "train.steps=600",
    "--set",
    "train.sample_every=100000",
    "--set",
    "train.checkpoint_every=100000",
]


def test_the_papers_networks_at_28_pixels(in_tmp: Path, cli) -> None:
    """Appendix C.1's networks are the default at 28x28: FC body of 1024 shared by D's score and Q."""
    assert (
        cli(
            "run",
            "infogan",
            "--out",
            "p",
            "--set",
            "data.image_size=28",
            "--set",
            "train.steps=2",
            "--set",
            "train.batch_size=8",
            "--no-progress",
        )[0]
        == 0
    )
    module = ganzoo.load_run("p").module
    assert module.backbone == "paper"
    assert module.generator.project[0].out_features == 1024 and module.discriminator.head.in_features == 1024
    assert module.sample(3, torch.Generator().manual_seed(0))["image"].shape == (3, 1, 28, 28)
    code, _, err = cli(
        "run", "infogan", "--out", "q", "--set", "model.backbone=paper", "--set", "train.steps=1", "--no-progress"
    )
    assert code == 2 and "28x28" in err


def test_the_noise_prior_is_a_key(in_tmp: Path, cli) -> None:
    """model.noise=uniform draws z from U(-1, 1) (the authors' MNIST code); the default stays N(0, 1)."""
    for noise in ("uniform", "normal"):
        assert (
            cli("run", "infogan", "--out", noise, *TINY, "--set", "train.steps=1", "--set", f"model.noise={noise}")[0]
            == 0
        )
    uniform = ganzoo.load_run("uniform").module.codes(4000, torch.Generator().manual_seed(0))[0]
    normal = ganzoo.load_run("normal").module.codes(4000, torch.Generator().manual_seed(0))[0]
    assert uniform.abs().max() <= 1 and uniform.min() < -0.99 and uniform.std() < 0.6
    assert normal.abs().max() > 3 and abs(normal.std().item() - 1) < 0.05
    code, _, err = cli("run", "infogan", "--out", "bad", *TINY, "--set", "model.noise=gaussian")
    assert code == 2 and "model.noise" in err
