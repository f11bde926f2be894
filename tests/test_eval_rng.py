"""Evaluation never changes training: the same run with and without mid-run evaluations ends with the same
weights, bit for bit (issue 14, item 6). The evaluation is the bench's: ``EvalCallback`` with the image
evaluator (FID, KID, precision/recall, IS, class coverage on the digits classifier)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
import torch

from ganzoo.bench.callback import EvalCallback
from ganzoo.metrics.evaluate import EvalContext, EvalSettings, build_evaluator
from ganzoo.metrics.rng import isolated_rng
from ganzoo.runner import RunRequest, load_data, load_run, resolve_config, run

SMALL = [
    "model.g_channels=8",
    "model.d_channels=8",
    "train.batch_size=16",
    "train.steps=24",
    "train.log_every=6",
    "train.sample_every=1000",
    "train.checkpoint_every=1000",
    "train.precision=fp32",
]


def _final_weights(out: Path, evaluate_every: int) -> dict[str, torch.Tensor]:
    """Train dcgan on digits for 24 steps, evaluating every ``evaluate_every`` steps (0: never)."""
    request = RunRequest("dcgan", "digits", overrides=SMALL, device="cpu", seed=3, out=str(out))
    callbacks = []
    if evaluate_every:
        config, model, dataset = resolve_config(request)
        evaluator = build_evaluator(
            load_data(config),
            EvalSettings(every=evaluate_every, samples=200),
            EvalContext(model, dataset, config["data"]["root"]),
        )
        callbacks.append(EvalCallback(evaluator, evaluate_every))
    result = run(request, show_progress=False, callbacks=callbacks)
    if evaluate_every:
        assert [e.step for e in callbacks[0].history] == [8, 16, 24]
        assert {"fid", "kid", "is", "classes"} <= set(callbacks[0].history[0].metrics)
    return load_run(result.run_dir)[1].state_dict()


@pytest.mark.slow
def test_mid_run_evaluations_leave_the_final_weights_unchanged(tmp_path: Path) -> None:
    plain = _final_weights(tmp_path / "plain", 0)
    evaluated = _final_weights(tmp_path / "evaluated", 8)
    assert plain.keys() == evaluated.keys()
    differ = [key for key in plain if not torch.equal(plain[key], evaluated[key])]
    assert not differ, f"weights differ after mid-run evaluations: {differ[:5]}"


def test_isolated_rng_restores_torch_python_and_numpy_state() -> None:
    torch.manual_seed(0)
    random.seed(0)
    np.random.seed(0)
    expected = (torch.rand(3), random.random(), np.random.rand())
    torch.manual_seed(0)
    random.seed(0)
    np.random.seed(0)
    with isolated_rng(seed=1):
        torch.rand(5), random.random(), np.random.rand(4)
        inside = torch.rand(2)
    assert torch.equal(torch.rand(3), expected[0])
    assert random.random() == expected[1] and np.random.rand() == expected[2]
    with isolated_rng(seed=1):
        torch.rand(5)
        assert torch.equal(torch.rand(2), inside)  # the seed fixes what a metric draws
