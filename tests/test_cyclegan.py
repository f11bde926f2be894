"""CycleGAN: the cycle and identity L1 losses, the pool of 50 past fakes (kept in buffers), translation both ways,
and the ``domains`` dataset (two named datasets or the CycleGAN folder layout)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from zoo_support import build, context, images

import ganzoo
from ganzoo import IMAGE_DOMAINS, DataInfo, UserError
from ganzoo.testing import check_dataset_plugin
from ganzoo_plugins.cyclegan.networks import ImagePool

INFO = DataInfo("domains", IMAGE_DOMAINS, (1, 28, 28))
SMALL = ("model.g_channels=4", "model.g_blocks=1", "model.d_channels=4", "model.d_layers=2")


def _model(*overrides: str):
    return build("cyclegan", *SMALL, *overrides, dataset="domains", info=INFO)


def test_cycle_and_identity_losses_are_weighted_l1_of_the_round_trips() -> None:
    module = _model("model.cycle_weight=10", "model.identity_weight=0.5")
    a, b = images(2), images(2)
    out = module.cycle_losses(a, b)
    g = module.generator
    cycle = F.l1_loss(g(g(a, "a2b"), "b2a"), a) + F.l1_loss(g(g(b, "b2a"), "a2b"), b)
    identity = F.l1_loss(g(b, "a2b"), b) + F.l1_loss(g(a, "b2a"), a)
    assert out["cycle"].item() == pytest.approx(10 * cycle.item(), rel=1e-5)
    assert out["identity"].item() == pytest.approx(5 * identity.item(), rel=1e-5)
    assert "identity" not in _model("model.identity_weight=0").cycle_losses(a, b)


def test_a_perfect_round_trip_has_zero_cycle_loss() -> None:
    module = _model()
    for direction in ("a2b", "b2a"):  # identity generators: F(G(a)) = a
        setattr(module.generator, direction, torch.nn.Identity())
    a, b = images(3), images(3)
    out = module.cycle_losses(a, b)
    assert out["cycle"].item() == 0 and out["identity"].item() == 0


def test_image_pool_fills_then_swaps_half_the_time() -> None:
    torch.manual_seed(0)
    pool = ImagePool(50, (1, 2, 2))
    first = torch.arange(50).float().reshape(50, 1, 1, 1).expand(50, 1, 2, 2)
    assert torch.equal(pool.query(first), first) and pool.count.item() == 50
    new = -1 - torch.arange(400).float().reshape(400, 1, 1, 1).expand(400, 1, 2, 2)
    shown = pool.query(new)
    from_history = (shown[:, 0, 0, 0] != new[:, 0, 0, 0]).float().mean().item()
    assert 0.4 < from_history < 0.6 and pool.count.item() == 50
    assert (pool.images < 0).any() and len(pool.images) == 50
    assert torch.equal(ImagePool(0, (1, 2, 2)).query(new[:3]), new[:3])


def test_the_pool_and_preview_live_in_the_state_dict() -> None:
    module = _model("model.pool_size=50")
    batch = {"a": images(4), "b": images(4)}
    logs = module.training_step(context(module, lambda: batch))
    state = module.state_dict()
    assert state["pool_a.count"].item() == 4 and state["pool_b.images"].shape == (50, 1, 28, 28)
    assert torch.equal(state["preview_a"][:4], batch["a"]) and state["preview_ready"].item()
    assert {"g_cycle", "g_identity", "g_adv", "d_loss", "d_real", "d_fake"} <= logs.keys()


def test_translate_and_sample_map_both_ways() -> None:
    module = _model().eval()
    a, b = images(3), images(3)
    with torch.no_grad():
        assert torch.equal(module.translate(a, "a2b"), module.generator.a2b(a))
        assert torch.equal(module.sample(3, b=b)["image"], module.generator.b2a(b))
        assert module.translate(a[0]).shape == (1, 1, 28, 28)
    with pytest.raises(UserError, match="direction must be one of a2b, b2a"):
        module.translate(a, "sideways")
    with pytest.raises(UserError, match="translates 1x28x28 images"):
        module.translate(images(2, (3, 28, 28)))
    with pytest.raises(UserError, match="give a=IMAGES or b=IMAGES"):
        module.sample(2)


def test_domains_from_two_named_datasets_split_and_cycled() -> None:
    train = check_dataset_plugin("domains", {"a": "digits", "b": "digits", "image_size": 28})
    test = check_dataset_plugin("domains", {"a": "digits", "b": "digits", "split": "test", "limit": 50})
    assert train.info.shape == (1, 28, 28) and train.info.extras["a_size"] == 1797 - 359
    assert test.info.extras["a_size"] == 50 and len(test.tensors["a_label"]) == 50
    train_set = {tuple(x.flatten()[:64].tolist()) for x in train.tensors["a"][:50]}
    assert not train_set & {tuple(x.flatten()[:64].tolist()) for x in test.tensors["a"]}


def test_a_margin_frames_one_domain_like_mnist_and_bad_margins_are_rejected() -> None:
    plain = ganzoo.load_dataset("domains", a="digits", b="digits", limit=20).tensors
    framed = ganzoo.load_dataset("domains", a="digits", b="digits", limit=20, a_margin=4).tensors
    border = torch.ones(28, 28, dtype=torch.bool)
    border[4:24, 4:24] = False
    assert framed["a"].shape == (20, 1, 28, 28) and (framed["a"][:, :, border] == -1).all()
    assert plain["a"][:, :, border].max() > -1  # unframed digits reach the border
    inner = F.interpolate(plain["a"], size=20, mode="area")  # same digits, shrunk: the framed inner box
    assert (framed["a"][:, :, 4:24, 4:24] - inner).abs().mean() < 0.1
    assert torch.equal(framed["b"], plain["b"])  # only domain a is framed
    with pytest.raises(UserError, match="a_margin"):
        ganzoo.load_dataset("domains", a="digits", b="digits", a_margin=14)


def test_domains_from_the_cyclegan_folder_layout(tmp_path: Path) -> None:
    for folder, count, value in (("trainA", 3, 0), ("trainB", 5, 255)):
        (tmp_path / folder).mkdir()
        for i in range(count):
            Image.fromarray(np.full((40, 40, 3), value, np.uint8)).save(tmp_path / folder / f"{i}.png")
    data = check_dataset_plugin("domains", {"path": str(tmp_path), "image_size": 32, "channels": 3})
    assert data.tensors["a"].shape == (5, 3, 32, 32) and data.info.extras == {
        "a": str(tmp_path / "trainA") + " (3 images)",
        "b": str(tmp_path / "trainB") + " (5 images)",
        "a_size": 3,
        "b_size": 5,
        "a_dataset": "",
        "b_dataset": "",
    }
    assert data.tensors["a"].max() == -1 and data.tensors["b"].min() == 1
    with pytest.raises(Exception, match="testA is missing"):
        check_dataset_plugin("domains", {"path": str(tmp_path), "split": "test"})


class _Identity(torch.nn.Module):
    """A 'translator' that returns its input: translations keep every label the classifier can read."""

    device = torch.device("cpu")

    def sample(self, n: int, generator: torch.Generator | None = None, a: torch.Tensor | None = None) -> dict:
        return {"image": a}


def test_translation_evaluator_scores_fid_to_b_and_the_labels_kept() -> None:
    evaluator = ganzoo.create_evaluator("cyclegan", "domains", ganzoo.load_dataset("domains", b="digits"), samples=300)
    identity = evaluator.evaluate(_Identity())
    untrained = evaluator.evaluate(_model())
    assert evaluator.primary == "fid" and not evaluator.higher_is_better
    assert identity["label_kept"] > 0.9 and untrained["label_kept"] < 0.5, (identity, untrained)
    assert identity["fid"] < untrained["fid"]
