"""The shared training loop: phases, batches, precision, logging, sample grids and checkpoints."""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ganzoo import render
from ganzoo.config import thaw
from ganzoo.data import LoadedData
from ganzoo.errors import UserError
from ganzoo.module import GANModule, Phase
from ganzoo.trainer import distributed, outputs
from ganzoo.trainer.batches import make_batches
from ganzoo.trainer.callbacks import Callback
from ganzoo.trainer.checkpoint import LAST, atomic_write, encode_checkpoint
from ganzoo.trainer.context import StepContext
from ganzoo.trainer.distributed import DistEnv
from ganzoo.trainer.interrupt import TrainingInterrupted
from ganzoo.trainer.loggers import build_loggers
from ganzoo.trainer.nonfinite import NonFiniteGuard
from ganzoo.trainer.policy import GeneratorEMA, RateSetter, StepPolicy
from ganzoo.trainer.resume_changes import load_optimizer, optimizer_settings_changed
from ganzoo.trainer.wrapping import WrappedNetworks

EMA_ATTRIBUTE = "generator"  # the network train.ema averages
GRID_SEED = 1234  # fixed noise for sample grids, so grids from different steps are comparable


@dataclass
class FitResult:
    """What a finished run reached."""

    run_dir: Path
    steps: int
    seconds: float
    last_metrics: dict[str, Any]


def phase_at(phases: list[Phase], step: int) -> Phase:
    """The phase that trainer step ``step`` (1-based) belongs to."""
    end = 0
    for phase in phases:
        end += phase.steps
        if step <= end:
            return phase
    return phases[-1]


class Trainer:
    """Runs a GAN module's training steps on one device and writes everything into ``run_dir``."""

    def __init__(
        self,
        config: Mapping[str, Any],
        module: GANModule,
        data: LoadedData,
        run_dir: Path,
        device: torch.device,
        precision: str,
        resume: dict[str, Any] | None = None,
        console: Console | None = None,
        show_progress: bool = True,
        callbacks: Sequence[Callback] = (),
        dist: DistEnv | None = None,
    ) -> None:
        self.config = config
        self.callbacks = list(callbacks)
        self.train_cfg = config["train"]
        self.dist = dist or DistEnv()
        channels_last = bool(self.train_cfg.get("channels_last", False))
        self.module: GANModule = (
            # torch's stubs lack the (device, memory_format=) form that Module.to accepts
            module.to(device, memory_format=torch.channels_last)  # type: ignore[call-overload]
            if channels_last
            else module.to(device)
        )
        self.data = data
        self.run_dir = run_dir
        self.device = device
        self.precision = precision
        self.console = console or Console(stderr=True)
        self.show_progress = show_progress and self.dist.is_main
        self.optimizers = module.configure_optimizers()
        self.rates = RateSetter(self.optimizers, self.train_cfg, sum(p.steps for p in module.phases()))
        self.ema = self._make_ema(module)
        self.scaler = torch.amp.GradScaler(device.type) if precision == "fp16" else None
        self.batches = make_batches(
            data,
            int(self.train_cfg["batch_size"]),
            device,
            int(config["seed"]),
            self.dist.rank,
            self.dist.world_size,
            channels_last=channels_last,
        )
        self.samples_seen = 0
        self.context = StepContext(
            self._next_batch,
            device,
            precision,
            self.scaler,
            self.optimizers,
            StepPolicy.from_config(self.train_cfg),
            lambda value: distributed.mean_over_ranks(value, self.dist),
        )
        self.context.guard = NonFiniteGuard(
            module,
            self.optimizers,
            self.train_cfg.get("on_nonfinite", "stop"),
            scaled=self.scaler is not None,
            warn=self._warn,
        )
        self.metrics = outputs.MetricsLog(run_dir / outputs.METRICS)
        self.step = 0
        self.interrupted = 0  # the signal that asked training to stop after the current step (0: none)
        self.should_stop = False  # a callback sets it to end training early (e.g. a wall-clock budget)
        self.log_window: tuple[dict[str, torch.Tensor], int] = ({}, 0)  # sums and count since the last log row
        if resume is not None:
            self._restore(resume)
        self.rates.apply(max(self.step, 1))
        self.networks = WrappedNetworks(module, self._wrappers())
        self.callbacks += build_loggers(self.train_cfg.get("loggers", ()), run_dir, self.step, self.dist.is_main)

    def _make_ema(self, module: GANModule) -> GeneratorEMA | None:
        """``train.ema``'s average of ``module.generator``, or ``None`` when off."""
        if not self.train_cfg.get("ema", False):
            return None
        network = getattr(module, EMA_ATTRIBUTE, None)
        if not isinstance(network, torch.nn.Module):
            raise UserError(
                f"train.ema averages the generator, but model '{self.config['model']['name']}' has no "
                f"`{EMA_ATTRIBUTE}` network; set train.ema=false"
            )
        return GeneratorEMA(network, float(self.train_cfg["ema_decay"]), int(self.train_cfg["ema_start"]))

    @contextlib.contextmanager
    def sampling(self) -> Iterator[GANModule]:
        """The module as samples, grids and evaluations see it: plain networks, the EMA generator when
        ``train.ema`` is on, eval mode, no gradients; training state is restored after."""
        was_training = self.module.training
        with contextlib.ExitStack() as stack:
            stack.enter_context(torch.no_grad())
            stack.enter_context(self.networks.unwrapped())
            if self.ema is not None:
                stack.enter_context(self.ema.swapped_in(self.module, EMA_ATTRIBUTE))
            self.module.eval()
            stack.callback(self.module.train, was_training)
            yield self.module

    def _wrappers(self) -> list[Any]:
        """What wraps each trainable network: ``torch.compile`` when asked, then DDP when distributed."""
        wrappers: list[Any] = []
        if self.train_cfg.get("compile", False):
            wrappers.append(torch.compile)
        if self.dist.enabled:
            wrappers.append(
                distributed.wrap_for_ddp(
                    self.dist,
                    self.device,
                    bool(self.train_cfg.get("sync_batchnorm", False)),
                    bool(self.train_cfg.get("find_unused_parameters", False)),
                )
            )
        return wrappers

    def _next_batch(self) -> dict[str, torch.Tensor]:
        batch = self.batches()
        self.samples_seen += len(next(iter(batch.values())))
        return batch

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue bit-exactly: networks, optimizers, scaler, RNG, data position."""
        rng: dict[str, Any] = {"torch": torch.get_rng_state()}
        if self.device.type == "cuda":
            rng["cuda"] = torch.cuda.get_rng_state(self.device)
        if self.dist.enabled:  # each rank draws its own noise: keep every rank's generator
            rng["ranks"] = distributed.gather_objects(dict(rng), self.dist)
        with self.networks.unwrapped():
            model_state = self.module.state_dict()
        return {
            "step": self.step,
            "phase": phase_at(self.module.phases(), max(self.step, 1)).name,
            "config": thaw(self.config),
            "data_info": self.module.info.to_dict(),
            "model": model_state,
            "optimizers": {name: opt.state_dict() for name, opt in self.optimizers.items()},
            "scaler": self.scaler.state_dict() if self.scaler is not None else None,
            "rng": rng,
            "batches": self.batches.state_dict(),
            "ema": self.ema.state_dict() if self.ema is not None else None,
            "log_window": {"sums": dict(self.log_window[0]), "count": self.log_window[1]},
        }

    def _restore(self, state: dict[str, Any]) -> None:
        self.module.load_state_dict(state["model"])
        missing = sorted(set(self.optimizers) - set(state["optimizers"]))
        if missing:
            raise UserError(
                f"the checkpoint has no state for optimizer(s) {', '.join(missing)}: it was saved by an "
                "older version of the model; start a new run (without --resume)"
            )
        retuned = optimizer_settings_changed(state["config"], thaw(self.config))
        for name, opt in self.optimizers.items():
            load_optimizer(opt, state["optimizers"][name], apply_settings=retuned)
        if self.scaler is not None and state.get("scaler"):
            self.scaler.load_state_dict(state["scaler"])
        rng = state["rng"]
        ranks = rng.get("ranks", [rng])
        if self.dist.rank < len(ranks):
            rng = ranks[self.dist.rank]
            torch.set_rng_state(rng["torch"])
            if self.device.type == "cuda" and "cuda" in rng:
                torch.cuda.set_rng_state(rng["cuda"], self.device)
        else:  # resumed on more processes than saved: a fresh, distinct stream for this rank
            torch.manual_seed(distributed.rank_seed(int(self.config["seed"]) + int(state["step"]), self.dist.rank))
        self.batches.load_state_dict(state["batches"])
        if self.ema is not None:
            if state.get("ema") is None:
                raise UserError(
                    "the checkpoint has no EMA weights (train.ema was off when it was saved); "
                    "resume with train.ema=false, or start a new run"
                )
            self.ema.load_state_dict(state["ema"])
        self.step = int(state["step"])
        window = state.get("log_window") or {"sums": {}, "count": 0}  # so the next row averages the same steps
        self.log_window = ({k: v.to(self.device) for k, v in window["sums"].items()}, int(window["count"]))
        if self.dist.is_main:
            self.metrics.truncate_after(self.step)

    def save_checkpoint(self, keep_step_copy: bool) -> Path:
        """Write ``checkpoints/last.pt`` (and ``step_N.pt`` when asked), each atomically; never a non-finite state."""
        assert self.context.guard is not None  # set in __init__
        self.context.guard.check()
        with self.networks.unwrapped():
            distributed.average_buffers(self.module, self.dist)
        state = self.state_dict()
        folder = self.run_dir / outputs.CHECKPOINTS
        if not self.dist.is_main:
            return folder / LAST
        data = encode_checkpoint(state)
        if keep_step_copy:
            atomic_write(folder / f"step_{self.step:07d}.pt", lambda handle: handle.write(data))
        atomic_write(folder / LAST, lambda handle: handle.write(data))
        return folder / LAST

    def save_samples(self, stem: str) -> Path:
        """Samples from fixed noise (a PNG grid, or a text file for text models), drawn in eval mode so
        sampling never changes training state."""
        assert self.context.guard is not None  # set in __init__
        self.context.guard.check()
        if not self.dist.is_main:
            return self.run_dir / outputs.SAMPLES
        generator = torch.Generator(self.device).manual_seed(GRID_SEED)
        n = int(self.train_cfg["num_samples"])
        with self.sampling(), self.context.autocast():
            path = render.write_samples(self.module, n, self.run_dir / outputs.SAMPLES / stem, generator)
        for callback in self.callbacks:
            callback.on_samples(self, path)
        return path

    def fit(self) -> FitResult:
        """Train until the last phase ends, then write the final checkpoint, samples and loss plot."""
        phases = self.module.phases()
        total = sum(p.steps for p in phases)
        phase_ends = set(itertools.accumulate(p.steps for p in phases))
        every = {k: int(self.train_cfg[k]) for k in ("log_every", "sample_every", "checkpoint_every")}
        sums, count = dict(self.log_window[0]), self.log_window[1]
        last: dict[str, Any] = {}
        window_start, window_samples = time.perf_counter(), self.samples_seen
        started = time.perf_counter()
        self.module.train()
        with self._progress(total) as progress:
            task = progress.add_task("training", total=total, completed=self.step, status="")
            while self.step < total:
                self.step += 1
                self.context.step = self.step
                self.context.phase = phase_at(phases, self.step).name
                if self.rates.needs_every_step():
                    self.rates.apply(self.step)
                logs = self.module.training_step(self.context)
                if self.ema is not None:
                    with self.networks.unwrapped():
                        self.ema.update(getattr(self.module, EMA_ATTRIBUTE), self.step)
                if self.scaler is not None:
                    self.scaler.update()
                for key, value in logs.items():
                    value = value.detach().float() if isinstance(value, torch.Tensor) else torch.tensor(float(value))
                    sums[key] = sums[key] + value if key in sums else value
                count += 1
                if self.step % every["log_every"] == 0 or self.step == total:
                    elapsed = time.perf_counter() - window_start
                    sums = distributed.average_scalars(sums, self.dist)
                    seen = (self.samples_seen - window_samples) * self.dist.world_size
                    last = {
                        "step": self.step,
                        "phase": self.context.phase,
                        **{k: round(float(v) / count, 6) for k, v in sums.items()},
                        "samples_per_s": round(seen / max(elapsed, 1e-9), 2),
                        "time": round(time.time(), 3),
                    }
                    assert self.context.guard is not None  # set in __init__
                    self.context.guard.check()
                    if self.dist.is_main:
                        self.metrics.write(last)
                        for callback in self.callbacks:
                            callback.on_log(self, last)
                    sums, count = {}, 0
                    window_start, window_samples = time.perf_counter(), self.samples_seen
                    progress.update(task, status=_status(last))
                self.log_window = (sums, count)
                if self.step % every["sample_every"] == 0:
                    self.save_samples(f"step_{self.step:07d}")
                if self.step % every["checkpoint_every"] == 0 and self.step != total:
                    self.save_checkpoint(keep_step_copy=True)
                progress.update(task, completed=self.step)
                for callback in self.callbacks:
                    callback.on_step_end(self)
                if self.step in phase_ends:
                    for callback in self.callbacks:
                        callback.on_phase_end(self, self.context.phase)
                if self.dist.enabled:  # every rank stops at the same step, or collectives would hang
                    self.interrupted, self.should_stop = distributed.agree_to_stop(
                        self.interrupted, self.should_stop, self.dist
                    )
                if self.interrupted:
                    raise self._interrupt()
                if self.should_stop:
                    break
        self.save_checkpoint(keep_step_copy=False)
        self.save_samples("final")
        if self.dist.is_main:
            outputs.plot_loss_curves(self.metrics.path, self.run_dir / outputs.LOSS_PLOT)
        for callback in self.callbacks:
            callback.on_fit_end(self)
        return FitResult(self.run_dir, self.step, time.perf_counter() - started, last)

    def close(self) -> None:
        """Stop the data workers as soon as training is over, whether it finished or failed."""
        self.batches.close()

    def request_interrupt(self, signum: int) -> None:
        """Stop after the current step, with a checkpoint (called from a signal handler)."""
        self.interrupted = signum

    def _interrupt(self) -> TrainingInterrupted:
        path = self.save_checkpoint(keep_step_copy=False)
        return TrainingInterrupted(
            f"interrupted at step {self.step}: checkpoint written to {path}; continue with "
            f"`ganzoo run {self.config['model']['name']} --out {self.run_dir} --resume`",
            self.interrupted,
        )

    def _warn(self, line: str) -> None:
        self.console.print(f"[yellow]warning:[/] {line}", highlight=False, soft_wrap=True)

    def _progress(self, total: int) -> Progress:
        return Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"),
            TimeRemainingColumn(),
            console=self.console,
            disable=not self.show_progress,
            transient=False,
        )


def _status(record: dict[str, Any]) -> str:
    shown = {k: v for k, v in record.items() if k.endswith("loss") or k in ("phase", "samples_per_s")}
    return "  ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in shown.items())
