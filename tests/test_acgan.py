"""ACGAN: D's auxiliary head predicts the class; its cross-entropy enters D's loss on real and fake images and
G's on fakes, the label reaches G only, and ``sample(label=k)`` conditions the samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from zoo_support import build, context, labelled_batch

from ganzoo import UserError

SMALL = ("model.g_channels=8", "model.d_channels=8")


def test_discriminator_returns_scores_and_class_logits_and_ignores_the_label() -> None:
    module = build("acgan", *SMALL)
    x = labelled_batch(4)["image"]
    scores, logits = module.discriminate(x, {"label": torch.zeros(4, dtype=torch.long)})
    again, _ = module.discriminate(x, {"label": torch.full((4,), 9)})
    assert scores.shape == (4,) and logits.shape == (4, 10) and torch.equal(scores, again)


def test_class_loss_enters_both_players_objectives() -> None:
    module = build("acgan", *SMALL)
    batch = labelled_batch()
    logs = module.training_step(context(module, lambda: batch))
    assert {"d_real_class", "d_class", "g_class", "fake_class_accuracy"} <= logs.keys()
    assert logs["d_loss"] == pytest.approx((logs["d_adv"] + logs["d_real_class"] + logs["d_class"]).item(), rel=1e-5)
    assert logs["g_loss"] == pytest.approx((logs["g_adv"] + logs["g_class"]).item(), rel=1e-5)
    # Untrained, the head is near uniform over 10 classes: cross-entropy about log(10).
    assert logs["d_real_class"].item() == pytest.approx(2.30, abs=0.4)


def test_the_real_class_term_is_the_cross_entropy_of_the_real_labels() -> None:
    module = build("acgan", *SMALL, "model.class_weight=2.0")
    batch = labelled_batch()
    _, logits = module.discriminate(batch["image"], {})
    terms = module.real_terms({"label": batch["label"]}, logits)
    assert terms["class"].item() == pytest.approx(2 * F.cross_entropy(logits, batch["label"]).item(), rel=1e-6)


def test_training_the_aux_head_teaches_it_the_real_labels() -> None:
    # Real images whose class is their mean brightness: D's head learns it through the real class term alone.
    module = build("acgan", *SMALL, "train.lr=2e-3")
    torch.manual_seed(1)

    def batch() -> dict[str, torch.Tensor]:
        labels = torch.randint(0, 10, (32,))
        return {"image": (labels.float() / 4.5 - 1).reshape(-1, 1, 1, 1).expand(-1, 1, 28, 28).clone(), "label": labels}

    ctx = context(module, batch)
    first = module.training_step(ctx)["d_real_class"].item()
    for _ in range(60):
        last = module.training_step(ctx)["d_real_class"].item()
    assert last < first / 2


def test_sample_obeys_the_label_and_checks_its_range() -> None:
    module = build("acgan", *SMALL).eval()
    out = module.sample(5, label=3)
    assert out["image"].shape == (5, 1, 28, 28) and out["label"].tolist() == [3] * 5
    with pytest.raises(UserError, match="label must be in 0..9"):
        module.sample(2, label=10)


def test_cli_sample_with_cond_label(in_tmp: Path, cli) -> None:
    tiny = [
        "--no-progress",
        "--set",
        "model.g_channels=8",
        "--set",
        "model.d_channels=8",
        "--set",
        "train.batch_size=16",
    ]
    code, _, err = cli("run", "acgan", "--out", "r", "--set", "train.steps=2", *tiny)
    assert code == 0, err
    assert cli("sample", "r", "--cond", "label=3", "-n", "4", "--out", "three.npz")[0] == 0
    assert np.load("three.npz")["labels"].tolist() == [3] * 4
