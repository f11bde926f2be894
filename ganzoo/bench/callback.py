"""The trainer callback that scores a cell while it trains: every N steps and at the end.

It records metric-vs-step and wall time, keeps the best checkpoint (``checkpoints/best.pt``, written
atomically), appends each evaluation to ``eval.jsonl`` in the run directory, and stops training at the
first logging step after a wall-clock budget is spent. The budget counts training time only: time spent evaluating
is excluded, so evaluating more often does not shorten training.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

from ganzoo.metrics.evaluate import Evaluator
from ganzoo.trainer.callbacks import Callback
from ganzoo.trainer.checkpoint import save_checkpoint
from ganzoo.trainer.loop import Trainer
from ganzoo.trainer.outputs import CHECKPOINTS

BEST = "best.pt"
EVALS = "eval.jsonl"


@dataclass
class Evaluation:
    """Metrics at one step, with wall time since training started."""

    step: int
    wall_s: float
    metrics: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """Plain form for JSON."""
        return {"step": self.step, "wall_s": round(self.wall_s, 3), "metrics": self.metrics}


@dataclass
class EvalCallback(Callback):
    """Evaluates every ``every`` steps (never without an ``evaluator``: ``eval: false``); ``budget_s`` > 0
    stops training after that much training time."""

    evaluator: Evaluator | None
    every: int
    budget_s: float = 0.0
    history: list[Evaluation] = field(default_factory=list)
    best: Evaluation | None = None
    eval_s: float = 0.0
    samples_seen: int = 0
    started: float = field(default_factory=time.perf_counter)

    def training_seconds(self) -> float:
        """Wall time since the start, less the time spent evaluating."""
        return time.perf_counter() - self.started - self.eval_s

    def on_step_end(self, trainer: Trainer) -> None:
        if self.evaluator is not None and trainer.step % self.every == 0:
            self.evaluate(trainer)
        # Stop on a logging step, so the run's metrics log covers every step it trained.
        logged = trainer.step % int(trainer.train_cfg["log_every"]) == 0
        if self.budget_s and logged and self.training_seconds() >= self.budget_s:
            trainer.should_stop = True

    def on_fit_end(self, trainer: Trainer) -> None:
        self.samples_seen = trainer.samples_seen
        if self.evaluator is not None and (not self.history or self.history[-1].step != trainer.step):
            self.evaluate(trainer)

    def evaluate(self, trainer: Trainer) -> Evaluation:
        """Score the module now, log it, and save ``best.pt`` when it beats the best so far."""
        assert self.evaluator is not None
        begin = time.perf_counter()
        with trainer.sampling() as module:  # plain networks, the EMA generator when train.ema is on
            metrics = {k: float(v) for k, v in self.evaluator.evaluate(module).items()}
        record = Evaluation(trainer.step, begin - self.started, metrics)
        self.history.append(record)
        with (trainer.run_dir / EVALS).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record.to_dict()) + "\n")
        if self._improves(record):
            self.best = record
            save_checkpoint(trainer.run_dir / CHECKPOINTS / BEST, trainer.state_dict())
        self.eval_s += time.perf_counter() - begin
        return record

    def _improves(self, record: Evaluation) -> bool:
        assert self.evaluator is not None  # only evaluate() calls this
        if not all(math.isfinite(v) for v in record.metrics.values()):
            return self.best is None
        if self.best is None:
            return True
        return self.evaluator.score(record.metrics) > self.evaluator.score(self.best.metrics)
