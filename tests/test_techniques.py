"""The training techniques of the shared step and trainer, by config on any adversarial model: EMA,
spectral norm, DiffAugment, R1/R2, TTUR rates, gradient clipping, D steps and class-consistent penalties."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo import IMAGE, DataInfo
from ganzoo.runner import RunRequest, build_model, resolve_config
from ganzoo.trainer.checkpoint import load_checkpoint
from ganzoo.trainer.context import StepContext
from ganzoo.trainer.policy import GeneratorEMA, StepPolicy

TINY = [
    "--set",
    "model.g_channels=8",
    "--set",
    "model.d_channels=8",
    "--set",
    "train.batch_size=8",
    "--set",
    "train.precision=fp32",
    "--no-progress",
]
INFO = DataInfo("digits", IMAGE, (1, 32, 32), 10)


def _model(name: str, *overrides: str) -> torch.nn.Module:
    config, _, _ = resolve_config(
        RunRequest(
            name, "digits", overrides=["model.g_channels=8", "model.d_channels=8", "train.precision=fp32", *overrides]
        )
    )
    return build_model(config, INFO)


def _context(module: torch.nn.Module, batches: list[dict[str, torch.Tensor]]) -> StepContext:
    feed = iter(batches)
    return StepContext(
        lambda: next(feed),
        torch.device("cpu"),
        "fp32",
        None,
        module.configure_optimizers(),
        StepPolicy.from_config(module.config["train"]),
    )


def _digits(n: int = 8, labels: bool = False) -> dict[str, torch.Tensor]:
    batch = {"image": torch.rand(n, 1, 32, 32) * 2 - 1}
    if labels:
        batch["label"] = torch.arange(n) % 10
    return batch


def test_ema_decays_with_warm_up_and_copies_buffers() -> None:
    live = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2))
    ema = GeneratorEMA(live, decay=0.9, start=2)
    before = ema.average[0].weight.clone()
    with torch.no_grad():
        live[0].weight.add_(1.0)
        live[1].running_mean.fill_(3.0)
    ema.update(live, step=2)  # before the start: a copy
    assert torch.equal(ema.average[0].weight, live[0].weight) and not torch.equal(before, live[0].weight)
    copied = ema.average[0].weight.clone()
    with torch.no_grad():
        live[0].weight.add_(1.0)
    ema.update(live, step=3)  # the first averaged step: decay min(0.9, 2 / 11)
    decay = 2 / 11
    assert torch.allclose(ema.average[0].weight, decay * copied + (1 - decay) * live[0].weight)
    assert torch.equal(ema.average[1].running_mean, torch.full((2,), 3.0))


def test_ema_is_kept_in_checkpoints_used_for_samples_and_resumes_exactly(in_tmp: Path, cli) -> None:
    common = ["--set", "train.ema=true", "--set", "train.ema_decay=0.5", *TINY]
    assert cli("run", "dcgan", "--out", "whole", "--set", "train.steps=6", *common)[0] == 0
    assert cli("run", "dcgan", "--out", "split", "--set", "train.steps=3", *common)[0] == 0
    assert cli("run", "dcgan", "--out", "split", "--resume", "--set", "train.steps=6", *common)[0] == 0
    whole, split = (load_checkpoint(in_tmp / d / "checkpoints" / "last.pt") for d in ("whole", "split"))
    assert all(torch.equal(whole["ema"][k], split["ema"][k]) for k in whole["ema"])
    live = {k.removeprefix("generator."): v for k, v in whole["model"].items() if k.startswith("generator.")}
    assert any(not torch.equal(live[k], whole["ema"][k]) for k in live if live[k].is_floating_point())
    module = ganzoo.load_run(in_tmp / "whole").module
    assert all(torch.equal(v, whole["ema"][k]) for k, v in module.generator.state_dict().items())


def test_spectral_norm_on_the_discriminator_by_config() -> None:
    module = _model("dcgan", "model.d_norm=spectral")
    ctx = _context(module, [_digits() for _ in range(4)])
    for _ in range(4):
        module.training_step(ctx)
    convs = [m for m in module.discriminator.modules() if isinstance(m, torch.nn.Conv2d)]
    assert convs and all(hasattr(m, "parametrizations") for m in convs)
    sigma = float(torch.linalg.matrix_norm(convs[1].weight.detach().flatten(1), ord=2))
    assert sigma == pytest.approx(1.0, abs=0.1)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in module.discriminator.modules())


def test_augmentation_reaches_the_discriminator_and_keeps_gradients_to_the_generator() -> None:
    module = _model("dcgan", "train.augment=translation,cutout")
    seen: list[torch.Tensor] = []
    module.discriminator.register_forward_hook(lambda net, args, out: seen.append(args[0].detach()))
    real = _digits()
    ctx = _context(module, [real])
    module.training_step(ctx)
    assert not torch.equal(seen[0], real["image"])  # the real batch D saw was augmented
    assert (seen[0] == 0).float().mean() > 0.2  # cutout and translation padding zero a share of pixels
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in module.generator.parameters())


@pytest.mark.parametrize("name, labels", [("dcgan", False), ("cgan", True)])
def test_r1_and_r2_add_to_the_discriminator_objective(name: str, labels: bool) -> None:
    torch.manual_seed(0)
    plain = _model(name).training_step(_context(_model(name), [_digits(labels=labels)]))
    assert plain["d_penalty"] == 0
    module = _model(name, "train.r1=10.0", "train.r2=1.0")
    logs = module.training_step(_context(module, [_digits(labels=labels)]))
    assert logs["d_penalty"] > 0
    assert logs["d_loss"] == pytest.approx(float(logs["d_adv"] + logs["d_penalty"]), rel=1e-5)


def test_ttur_rates_and_the_optimizer_come_from_the_trainer_keys() -> None:
    module = _model("dcgan", "train.g_lr=1e-4", "train.d_lr=4e-4", "train.optimizer=rmsprop")
    optimizers = module.configure_optimizers()
    assert isinstance(optimizers["generator"], torch.optim.RMSprop)
    assert optimizers["generator"].param_groups[0]["lr"] == 1e-4
    assert optimizers["discriminator"].param_groups[0]["lr"] == 4e-4


def test_gradient_clipping_bounds_every_update() -> None:
    module = _model("dcgan", "train.grad_clip=1e-3")
    ctx = _context(module, [_digits()])
    norms: list[float] = []
    original = ctx.clip_gradients
    ctx.clip_gradients = lambda opt, max_norm: norms.append(float(original(opt, max_norm))) or torch.tensor(0.0)
    module.training_step(ctx)
    assert len(norms) == 2 and all(n > 1e-3 for n in norms)  # both updates were clipped from above the bound
    for optimizer in ctx.optimizers.values():
        grads = [p.grad for g in optimizer.param_groups for p in g["params"] if p.grad is not None]
        assert torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads])) <= 1e-3 * 1.001


def test_conditional_fakes_take_the_real_labels_so_penalty_pairs_share_a_class() -> None:
    module = _model("cgan", "loss=wasserstein_gp")
    batch = _digits(labels=True)
    draw = module.draw(8, batch=batch)
    assert torch.equal(draw["label"], batch["label"])
    scored: list[torch.Tensor] = []
    module.discriminator.register_forward_hook(lambda net, args, out: scored.append(args[1]))
    module.training_step(_context(module, [batch]))
    assert all(torch.equal(labels, batch["label"]) for labels in scored)  # real, fake, interpolates, G step


def test_every_adversarial_model_logs_the_same_keys() -> None:
    keys = {"d_loss", "d_adv", "d_penalty", "d_real", "d_fake", "g_loss", "g_adv"}
    for name, labels in (("dcgan", False), ("cgan", True), ("wgan-gp", False), ("infogan", False)):
        module = _model(name)
        steps = module.config["train"]["d_steps"]
        logs = module.training_step(_context(module, [_digits(labels=labels) for _ in range(steps)]))
        assert keys <= logs.keys(), (name, logs.keys())
