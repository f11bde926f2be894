"""SeqGAN: rollout rewards (batched == sequential reference), the policy-gradient loss, MLE pre-training
lowering NLL-oracle, and a tiny adversarial run on the real IMDB sample through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo import create_loss
from ganzoo.metrics.text import nll_oracle
from ganzoo.runner import RunRequest, build_model, load_data, load_run, resolve_config, seed_everything
from ganzoo.text import LSTMLanguageModel, sample_tokens
from ganzoo.trainer.context import StepContext
from ganzoo_plugins.seqgan.discriminator import Discriminator
from ganzoo_plugins.seqgan.rollout import rollout_rewards, rollout_uniforms, sequential_rollout_rewards
from ganzoo_plugins.text.oracle import Oracle

SMALL_D = [
    "--set",
    "model.d_embed_dim=16",
    "--set",
    "model.d_filter_sizes=[1,2,3,4]",
    "--set",
    "model.d_num_filters=[8,8,8,8]",
]


def _policy_and_scorer(vocab: int = 30, length: int = 6) -> tuple[LSTMLanguageModel, Discriminator]:
    torch.manual_seed(0)
    policy = LSTMLanguageModel(vocab, 16, 16, length, start_id=0)
    discriminator = Discriminator(vocab, length, 16, [1, 2, 3], [8, 8, 8], 0.25).eval()
    return policy, discriminator


def test_rollout_rewards_have_the_right_shape_range_and_completions() -> None:
    policy, discriminator = _policy_and_scorer()
    batch, rollouts, length = 5, 3, 6
    scored: list[torch.Tensor] = []

    def scorer(tokens: torch.Tensor) -> torch.Tensor:
        scored.append(tokens.clone())
        return torch.sigmoid(discriminator(tokens))

    tokens = policy.sample(batch, generator=torch.Generator().manual_seed(1))
    uniform = rollout_uniforms(rollouts, tokens, torch.Generator().manual_seed(2))
    rewards = rollout_rewards(policy, scorer, tokens, rollouts, uniform, chunk_rows=rollouts * batch)
    assert rewards.shape == (batch, length)
    assert rewards.min() >= 0 and rewards.max() <= 1 and rewards.std() > 0
    assert torch.allclose(rewards[:, -1], torch.sigmoid(discriminator(tokens)))
    # One chunk per prefix length t = 1..L-1, rows ordered (rollout, sequence), then the sequences themselves.
    assert len(scored) == length
    for t, completions in enumerate(scored[:-1], start=1):
        assert torch.equal(completions[:, :t], tokens.repeat(rollouts, 1)[:, :t])
    # The last token of a length L-1 prefix is drawn from the generator's own next-token distribution.
    logits = policy(tokens)[:, -1]
    for m in range(rollouts):
        expected = sample_tokens(logits, uniform[m, length - 2, :, length - 1])
        assert torch.equal(scored[-2][m * batch : (m + 1) * batch, -1], expected)


@pytest.mark.parametrize("chunk_rows", [1, 40, 4096])
def test_batched_rollout_gives_the_sequential_rewards_for_a_fixed_seed(chunk_rows: int) -> None:
    policy, discriminator = _policy_and_scorer(vocab=40, length=7)
    scorer = lambda tokens: torch.sigmoid(discriminator(tokens))  # noqa: E731
    tokens = policy.sample(6, generator=torch.Generator().manual_seed(3))
    uniform = rollout_uniforms(4, tokens, torch.Generator().manual_seed(4))
    batched = rollout_rewards(policy, scorer, tokens, 4, uniform, chunk_rows=chunk_rows)
    sequential = sequential_rollout_rewards(policy, scorer, tokens, 4, uniform)
    assert torch.allclose(batched, sequential, atol=1e-5)
    other = rollout_rewards(policy, scorer, tokens, 4, rollout_uniforms(4, tokens, torch.Generator().manual_seed(5)))
    assert not torch.allclose(batched[:, :-1], other[:, :-1])


def test_policy_gradient_pushes_up_rewarded_tokens() -> None:
    loss = create_loss("policy_gradient")
    log_probs = torch.log(torch.tensor([[0.5, 0.5], [0.25, 0.5]])).requires_grad_()
    rewards = torch.tensor([[1.0, 0.0], [0.5, 0.5]])
    value = loss.generator_loss(log_probs, rewards)
    expected = -(torch.log(torch.tensor(0.5)) + 0.5 * torch.log(torch.tensor(0.25 * 0.5))) / 2
    assert torch.isclose(value, expected)
    value.backward()
    assert torch.equal(log_probs.grad, -rewards / 2)


def test_first_policy_step_uses_a_fresh_adam_not_the_mle_state() -> None:
    """Regression: PG updates shared MLE's Adam, whose small second moments turned the large PG gradients
    into steps several times ``lr`` and pushed NLL-oracle up. A fresh Adam's first step is at most ``lr``."""
    config, _, _ = resolve_config(
        RunRequest(
            "seqgan",
            "oracle",
            overrides=[
                "data.num_sequences=200",
                "data.vocab_size=40",
                "data.length=8",
                "model.embed_dim=8",
                "model.hidden_dim=8",
                "model.rollout_num=2",
                "train.d_steps=1",
                "model.d_embed_dim=8",
                "model.d_filter_sizes=[1,2]",
                "model.d_num_filters=[4,4]",
                "train.precision=fp32",
            ],
            seed=0,
        )
    )
    seed_everything(0)
    data = load_data(config)
    model = build_model(config, data.info)
    optimizers = model.configure_optimizers()
    tokens = data.tensors["tokens"]
    ctx = StepContext(
        lambda: {"tokens": tokens[torch.randint(len(tokens), (64,))]}, torch.device("cpu"), "fp32", None, optimizers
    )
    ctx.phase = "mle"
    for _ in range(30):
        model.training_step(ctx)
    mle_state = {k: v.clone() for k, v in optimizers["generator"].state[model.generator.output.weight].items()}
    before = [p.detach().clone() for p in model.generator.parameters()]
    ctx.phase = "adversarial"
    model.training_step(ctx)
    moved = max((p.detach() - b).abs().max().item() for p, b in zip(model.generator.parameters(), before))
    assert 0 < moved <= float(config["train"]["lr"]) * 1.001
    after_state = optimizers["generator"].state[model.generator.output.weight]
    assert all(torch.equal(mle_state[k], after_state[k]) for k in mle_state)


def test_seqgan_refuses_an_adversarial_loss(in_tmp: Path, cli) -> None:
    code, _, err = cli(
        "run",
        "seqgan",
        "--set",
        "loss=bce",
        "--set",
        "data.num_sequences=100",
        "--set",
        "data.vocab_size=20",
        "--no-progress",
    )
    assert code == 2 and "policy_gradient" in err


def test_mle_pretraining_lowers_nll_oracle(in_tmp: Path, cli) -> None:
    code, _, err = cli(
        "run",
        "seqgan",
        "--dataset",
        "oracle",
        "--out",
        "mle",
        "--no-progress",
        "--set",
        "data.num_sequences=1000",
        "--set",
        "data.vocab_size=50",
        "--set",
        "data.length=10",
        "--set",
        "model.mle_only=true",
        "--set",
        "model.mle_steps=150",
        "--set",
        "train.steps=151",
        "--set",
        "train.precision=fp32",
        "--set",
        "train.log_every=50",
        *SMALL_D,
    )
    assert code == 0, err
    config, trained, state = load_run(in_tmp / "mle")
    assert state["phase"] == "mle" and state["step"] == 151
    seed_everything(0)
    untrained = build_model(config, trained.info)
    oracle = Oracle.from_spec(trained.info.extras["oracle"])
    draw = lambda model: model.sample(500, torch.Generator().manual_seed(0))["tokens"]  # noqa: E731
    before, after = nll_oracle(oracle, draw(untrained)), nll_oracle(oracle, draw(trained))
    assert after < before - 0.5, (before, after)


@pytest.mark.slow
def test_tiny_adversarial_run_on_imdb_writes_and_samples_decoded_reviews(in_tmp: Path, cli, data_dir: Path) -> None:
    code, _, err = cli(
        "run",
        "seqgan",
        "--dataset",
        "imdb",
        "--no-progress",
        "--set",
        "data.vocab_size=300",
        "--set",
        "model.mle_steps=6",
        "--set",
        "model.d_pretrain_steps=2",
        "--set",
        "train.steps=10",
        "--set",
        "model.rollout_num=2",
        "--set",
        "train.d_steps=1",
        "--set",
        "model.k_epochs=1",
        "--set",
        "model.d_batches=1",
        "--set",
        "train.batch_size=8",
        "--set",
        "train.log_every=1",
        "--set",
        "train.sample_every=5",
        "--set",
        "train.precision=fp32",
        *SMALL_D,
    )
    assert code == 0, err
    run = in_tmp / "runs" / "seqgan-imdb"
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["phase"] for r in records] == ["mle"] * 6 + ["discriminator"] * 2 + ["adversarial"] * 2
    assert all(0 <= r["reward"] <= 1 and r["g_loss"] > 0 for r in records[-2:])
    lines = (run / "samples" / "final.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 20 and (run / "samples" / "step_0000005.txt").is_file()
    vocab = set(ganzoo.load_run(run).module.info.extras["vocab"])
    words = [w for line in lines for w in line.split()]
    assert len(words) > 20 and sum(w.strip(".,!?") in vocab for w in words) > 0.8 * len(words)
    code, out, err = cli("sample", run, "-n", "5", "--seed", "3")
    assert code == 0, err
    printed = out.strip().splitlines()
    assert len(printed) == 5 and all(line.strip() for line in printed)
    assert cli("sample", run, "-n", "5", "--seed", "3")[1] == out


def test_sampling_temperature_sharpens_and_flattens_the_generator() -> None:
    torch.manual_seed(0)
    model = LSTMLanguageModel(30, 16, 16, 8, start_id=0)
    with torch.no_grad():
        model.output.weight.mul_(20)  # a peaked distribution, so the temperature's effect is large
    same = torch.Generator().manual_seed(1)
    assert torch.equal(model.sample(64, torch.Generator().manual_seed(1)), model.sample(64, same, temperature=1.0))
    entropy = {}
    for temperature in (0.5, 1.0, 2.0):
        tokens = model.sample(512, torch.Generator().manual_seed(2), temperature=temperature)
        entropy[temperature] = -model.log_probs(tokens, temperature=temperature).mean().item()
    assert entropy[0.5] < entropy[1.0] < entropy[2.0], entropy
    with pytest.raises(ValueError, match="temperature must be positive"):
        model.sample(2, temperature=0)
