"""InfoGAN: latent codes, the Q head on the shared body, the traversal figure, and a code that captures the class."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
from PIL import Image

import ganzoo
from ganzoo_plugins.infogan.evaluation import code_class_table, majority_matched_accuracy, one_to_one_accuracy
from ganzoo_plugins.losses.info import MutualInformation

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


def test_real_information_rewards_confident_and_evenly_used_codes() -> None:
    """H(c|x) - H(c): -log K when each real image names one code and all K codes are used, 0 when Q is unsure
    or names the same code for every image."""
    balanced = torch.eye(10).repeat(3, 1) * 50
    assert MutualInformation.real_information(balanced).item() == pytest.approx(-math.log(10), abs=1e-4)
    assert MutualInformation.real_information(torch.zeros(30, 10)).item() == pytest.approx(0, abs=1e-6)
    collapsed = torch.zeros(30, 10)
    collapsed[:, 3] = 50
    assert MutualInformation.real_information(collapsed).item() == pytest.approx(0, abs=1e-4)


def test_consistency_is_zero_only_when_the_view_keeps_q_s_code() -> None:
    """KL(Q(x) || Q(view)): 0 for the same logits, positive when the view's code differs, no gradient to Q(x)."""
    logits = torch.randn(8, 10, requires_grad=True)
    assert MutualInformation.consistency(logits, logits.detach()).item() == pytest.approx(0, abs=1e-6)
    view = torch.randn(8, 10, requires_grad=True)
    loss = MutualInformation.consistency(logits, view)
    loss.backward()
    assert loss.item() > 0.1 and logits.grad is None and view.grad.abs().sum() > 0


def test_real_batch_terms_are_keys_off_by_default(in_tmp: Path, cli) -> None:
    """model.real_info_weight and model.consistency_weight add their real-batch terms to D's loss (logged as
    d_real_info, d_real_consistency); at 0, the paper's default, neither is computed."""
    log = ["--set", "train.steps=2", "--set", "train.log_every=1"]
    on = ["--set", "model.real_info_weight=2", "--set", "model.consistency_weight=1"]
    assert cli("run", "infogan", "--out", "on", *TINY, *log, *on)[0] == 0
    assert cli("run", "infogan", "--out", "off", *TINY, *log)[0] == 0
    records = [json.loads(line) for line in (in_tmp / "on" / "metrics.jsonl").read_text().splitlines()]
    assert all(-2 * math.log(10) - 1e-4 <= r["d_real_info"] <= 1e-4 for r in records)
    assert all(r["d_real_consistency"] > 0 for r in records)
    for line in (in_tmp / "off" / "metrics.jsonl").read_text().splitlines():
        assert not {"d_real_info", "d_real_consistency"} & set(json.loads(line))
    code, _, err = cli("run", "infogan", "--out", "bad", *TINY, "--set", "model.real_info_weight=-1")
    assert code == 2 and "model.real_info_weight" in err


def test_noise_scale_shrinks_z(in_tmp: Path, cli) -> None:
    """model.noise_scale multiplies z (ClusterGAN's sigma); the codes keep their priors."""
    assert (
        cli("run", "infogan", "--out", "s", *TINY, "--set", "train.steps=1", "--set", "model.noise_scale=0.1")[0] == 0
    )
    z, cat, cont = ganzoo.load_run("s").module.codes(4000, torch.Generator().manual_seed(0))
    assert abs(z.std().item() - 0.1) < 0.005 and cont.abs().max() > 0.99 and cat.unique().numel() == 10
    code, _, err = cli("run", "infogan", "--out", "bad", *TINY, "--set", "model.noise_scale=0")
    assert code == 2 and "model.noise_scale" in err
