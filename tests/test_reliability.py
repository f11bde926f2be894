"""Reliability: runs killed with SIGKILL resume bit-exactly, Ctrl-C checkpoints, corrupt checkpoints fall
back, NaN/inf stops or skips, crafted checkpoints are refused, run directories are never overwritten.

Kills are real: ``python -m ganzoo run`` in a subprocess, SIGKILLed when its metrics (logged every step)
reach a randomly drawn step. The seed is printed; set GANZOO_KILL_SEED to replay a failing draw.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import torch

from ganzoo import config as cfg
from ganzoo.data import DataInfo, LoadedData
from ganzoo.errors import UserError
from ganzoo.module import GANModule
from ganzoo.registry import get_registry
from ganzoo.trainer import Callback, Trainer
from ganzoo.trainer.checkpoint import FORMAT, CheckpointError, atomic_write, load_checkpoint, save_checkpoint
from ganzoo.trainer.nonfinite import NonFiniteError
from ganzoo.trainer.outputs import read_metrics

# One thread everywhere: subprocess and in-process runs then do the same float arithmetic on the CPU.
THREADS_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
COMMON = [
    "--device",
    "cpu",
    "--no-progress",
    "--set",
    "train.precision=fp32",
    "--set",
    "train.log_every=1",
    "--set",
    "train.sample_every=100000",
]
# Tiny versions of each model; a model that is not registered is skipped.
TINY = {
    "dcgan": [
        "--set",
        "model.g_channels=8",
        "--set",
        "model.d_channels=8",
        "--set",
        "train.batch_size=16",
        "--set",
        "train.steps=30",
    ],
    "wgan-gp": [
        "--set",
        "model.g_channels=8",
        "--set",
        "model.d_channels=8",
        "--set",
        "train.d_steps=2",
        "--set",
        "train.batch_size=16",
        "--set",
        "train.steps=24",
    ],
    "seqgan": [
        "--set",
        "model.mle_steps=8",
        "--set",
        "model.d_pretrain_steps=4",
        "--set",
        "train.steps=20",
        "--set",
        "model.embed_dim=8",
        "--set",
        "model.hidden_dim=8",
        "--set",
        "model.d_embed_dim=8",
        "--set",
        "model.d_filter_sizes=[2,3]",
        "--set",
        "model.d_num_filters=[4,4]",
        "--set",
        "model.rollout_num=2",
        "--set",
        "train.d_steps=1",
        "--set",
        "model.k_epochs=1",
        "--set",
        "model.d_batches=1",
        "--set",
        "data.num_sequences=128",
        "--set",
        "data.vocab_size=40",
        "--set",
        "data.length=8",
        "--set",
        "train.batch_size=16",
        "--set",
        "train.num_samples=4",
    ],
}


@pytest.fixture
def one_thread() -> Iterator[None]:
    """In-process runs on one thread, like the subprocesses (restored afterwards)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _weights(run: Path) -> dict[str, torch.Tensor]:
    return load_checkpoint(run / "checkpoints" / "last.pt")["model"]


def _assert_same_weights(a: Path, b: Path) -> None:
    wa, wb = _weights(a), _weights(b)
    assert wa.keys() == wb.keys()
    for name in wa:
        assert torch.equal(wa[name], wb[name]), f"{name} differs between {a} and {b}"


def _losses(run: Path) -> list[dict]:
    """Per-step logged values without the timing fields, which legitimately differ."""
    return [
        {k: v for k, v in r.items() if k not in ("time", "samples_per_s")} for r in read_metrics(run / "metrics.jsonl")
    ]


def _last_step(run: Path) -> int:
    try:  # a resume that finds no checkpoint deletes the file while this polls it
        records = read_metrics(run / "metrics.jsonl")
    except FileNotFoundError:
        return 0
    return records[-1]["step"] if records else 0


def _logged_since(run: Path, started: float) -> bool:
    """Whether this process has written the metrics (so stale lines of the previous run do not count)."""
    try:  # a resume that finds no checkpoint deletes the file while this polls it
        return (run / "metrics.jsonl").stat().st_mtime > started
    except FileNotFoundError:
        return False


def _where(run: Path) -> str:
    """Where a killed run stood: its last logged step and its checkpoints."""
    checkpoints = sorted(p.name for p in (run / "checkpoints").glob("*.pt")) if (run / "checkpoints").is_dir() else []
    if not run.exists():
        return "start-up (no run directory yet)"
    return f"logged step {_last_step(run)}, checkpoints {checkpoints or 'none'}"


def _kill_when(args: list[str], cwd: Path, ready: Callable[[float], bool], log: Path) -> None:
    """Start `ganzoo run ARGS` as a real process and SIGKILL it as soon as ``ready(start_time)`` holds."""
    env = {**os.environ, **THREADS_ENV}
    with log.open("ab") as stderr:
        started = time.time()
        proc = subprocess.Popen(
            [sys.executable, "-m", "ganzoo", "run", *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )
        deadline = time.monotonic() + 240
        try:
            while not ready(started):
                if proc.poll() is not None:
                    pytest.fail(f"run ended with code {proc.returncode} before its kill point:\n{log.read_text()}")
                if time.monotonic() > deadline:
                    pytest.fail("kill point not reached in 240 s")
                time.sleep(0.002)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL


def _model_or_skip(name: str) -> None:
    if name.lower() not in get_registry().specs["models"]:
        pytest.skip(f"model '{name}' is not registered (its plugin is not installed yet)")


@pytest.mark.subprocess
@pytest.mark.slow
@pytest.mark.parametrize("model", ["dcgan", "wgan-gp", "seqgan"])
def test_sigkill_at_random_steps_then_resume_is_bit_exact(
    model: str, in_tmp: Path, cli, one_thread, capsys: pytest.CaptureFixture[str]
) -> None:
    _model_or_skip(model)
    args = [*COMMON, *TINY[model]]
    code, _, err = cli("run", model, "--out", "reference", "--set", "train.checkpoint_every=100000", *args)
    assert code == 0, err
    total = load_checkpoint(in_tmp / "reference" / "checkpoints" / "last.pt")["step"]
    every = max(2, total // 3)  # checkpoints at every, 2*every, ...
    args += ["--set", f"train.checkpoint_every={every}"]
    seed = int(os.environ.get("GANZOO_KILL_SEED", time.time_ns() % 100_000))
    rng = random.Random(seed)
    run, log = in_tmp / "killed", in_tmp / "killed.log"
    # Kill points: during start-up, before the first checkpoint, after it, and after the second one.
    startup = time.monotonic() + rng.uniform(0.05, 1.0)
    targets = [rng.randint(1, every - 1), rng.randint(every + 1, 2 * every - 1), rng.randint(2 * every + 1, total - 1)]
    _kill_when([model, "--out", str(run), *args], in_tmp, lambda started: time.monotonic() > startup, log)
    points = [_where(run)]
    for target in targets:
        resume = ["--resume"] if run.exists() else []  # killed before it made its directory: start anew
        _kill_when(
            [model, "--out", str(run), *resume, *args],
            in_tmp,
            lambda started, target=target: _logged_since(run, started) and _last_step(run) >= target,
            log,
        )
        points.append(_where(run))
    with capsys.disabled():  # shown with -s: the kill points this run tried
        print(
            f"\n{model}: GANZOO_KILL_SEED={seed}, {total} steps, checkpoint every {every}; killed at: "
            + " | ".join(points)
        )
    code, _, err = cli("run", model, "--out", str(run), "--resume", *args)
    assert code == 0, err
    _assert_same_weights(in_tmp / "reference", run)
    assert _losses(run) == _losses(in_tmp / "reference")


@pytest.mark.subprocess
@pytest.mark.slow
def test_sigint_writes_a_checkpoint_and_exits_130_with_one_line(in_tmp: Path, cli, one_thread) -> None:
    args = [*COMMON, *TINY["dcgan"], "--set", "train.checkpoint_every=100000"]
    run = in_tmp / "interrupted"
    env = {**os.environ, **THREADS_ENV}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ganzoo", "run", "dcgan", "--out", str(run), *args, "--set", "train.steps=100000"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while _last_step(run) < 3 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    step = load_checkpoint(run / "checkpoints" / "last.pt")["step"]
    assert step >= 3
    message = [line for line in stderr.splitlines() if line.startswith("interrupted")]
    assert message == [
        f"interrupted at step {step}: checkpoint written to {run}/checkpoints/last.pt; "
        f"continue with `ganzoo run dcgan --out {run} --resume`"
    ]
    assert cli("run", "dcgan", "--out", str(run), "--resume", *args, "--set", f"train.steps={step + 2}")[0] == 0
    assert cli("run", "dcgan", "--out", "reference", *args, "--set", f"train.steps={step + 2}")[0] == 0
    _assert_same_weights(in_tmp / "reference", run)


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip_byte(path: Path) -> None:
    """Flip one byte deep inside the tensor data: the file still unpickles, only the digest notices."""
    data = bytearray(path.read_bytes())
    data[int(len(data) * 0.6)] ^= 0x55
    path.write_bytes(bytes(data))


@pytest.mark.slow
def test_resume_falls_back_past_corrupt_checkpoints(in_tmp: Path, cli, one_thread) -> None:
    args = [*COMMON, *TINY["dcgan"], "--set", "train.checkpoint_every=4"]
    assert cli("run", "dcgan", "--out", "run", *args, "--set", "train.steps=12")[0] == 0
    folder = in_tmp / "run" / "checkpoints"
    _truncate(folder / "last.pt")
    _flip_byte(folder / "step_0000008.pt")
    code, _, err = cli("run", "dcgan", "--out", "run", "--resume", *args, "--set", "train.steps=14")
    assert code == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: checkpoint run/checkpoints/last.pt is corrupt or truncated (RuntimeError); falling back to "
        "the previous checkpoint",
        "warning: checkpoint run/checkpoints/step_0000008.pt is corrupt (its contents do not match its "
        "digest); falling back to the previous checkpoint",
    ]
    assert "resuming from step 4 (run/checkpoints/step_0000004.pt)" in err
    assert cli("run", "dcgan", "--out", "reference", *args, "--set", "train.steps=14")[0] == 0
    _assert_same_weights(in_tmp / "reference", in_tmp / "run")
    assert [r["step"] for r in read_metrics(in_tmp / "run" / "metrics.jsonl")] == list(range(1, 15))


def test_resume_with_no_loadable_checkpoint_is_one_error_line(in_tmp: Path, cli) -> None:
    args = [*COMMON, *TINY["dcgan"], "--set", "train.steps=4", "--set", "train.checkpoint_every=2"]
    assert cli("run", "dcgan", "--out", "run", *args)[0] == 0
    for path in (in_tmp / "run" / "checkpoints").glob("*.pt"):
        path.write_bytes(b"")
    code, _, err = cli("run", "dcgan", "--out", "run", "--resume", *args)
    assert code == 2
    assert err.splitlines()[-1] == (
        "error: no loadable checkpoint in run/checkpoints (tried last.pt, "
        "step_0000002.pt); start a new run without --resume"
    )


def test_resume_from_a_checkpoint_missing_an_optimizer_is_one_error_line(in_tmp: Path, cli) -> None:
    args = [*COMMON, *TINY["dcgan"], "--set", "train.steps=2", "--set", "train.checkpoint_every=2"]
    assert cli("run", "dcgan", "--out", "run", *args)[0] == 0
    for path in (in_tmp / "run" / "checkpoints").glob("*.pt"):
        state = load_checkpoint(path)
        del state["optimizers"]["discriminator"]
        save_checkpoint(path, state)
    code, _, err = cli("run", "dcgan", "--out", "run", "--resume", *args, "--set", "train.steps=4")
    assert code == 2
    assert err.splitlines()[-1] == (
        "error: the checkpoint has no state for optimizer(s) discriminator: it was "
        "saved by an older version of the model; start a new run (without --resume)"
    )


def test_a_torn_metrics_line_is_dropped_on_resume(in_tmp: Path, cli) -> None:
    args = [*COMMON, *TINY["dcgan"], "--set", "train.checkpoint_every=3"]
    assert cli("run", "dcgan", "--out", "run", *args, "--set", "train.steps=6")[0] == 0
    metrics = in_tmp / "run" / "metrics.jsonl"
    with metrics.open("a") as handle:
        handle.write('{"step": 7, "d_lo')  # what a kill in the middle of an append leaves
    assert cli("run", "dcgan", "--out", "run", "--resume", *args, "--set", "train.steps=8")[0] == 0
    lines = metrics.read_text().splitlines()
    assert [json.loads(line)["step"] for line in lines] == list(range(1, 9))


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "file.bin"
    target.write_bytes(b"old")

    def half_write(handle) -> None:
        handle.write(b"new but incomp")
        raise OSError("disk full")

    with pytest.raises(OSError):
        atomic_write(target, half_write)
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["file.bin"]


def test_resume_of_a_run_killed_before_its_first_checkpoint_starts_over(in_tmp: Path, cli, one_thread) -> None:
    args = [*COMMON, *TINY["dcgan"], "--set", "train.steps=5"]
    assert cli("run", "dcgan", "--out", "reference", *args)[0] == 0
    # What a kill before the first checkpoint leaves: the config, some metrics, no checkpoints.
    run = in_tmp / "run"
    run.mkdir()
    (run / "config.yaml").write_bytes((in_tmp / "reference" / "config.yaml").read_bytes())
    (run / "metrics.jsonl").write_text('{"step": 1}\n{"step": 2, "d_')
    code, _, err = cli("run", "dcgan", "--out", "run", "--resume", *args)
    assert code == 0, err
    assert "warning: nothing to resume in run (no checkpoint yet); starting over from step 0 with its config" in err
    _assert_same_weights(in_tmp / "reference", run)
    assert _losses(run) == _losses(in_tmp / "reference")


def test_resume_refuses_another_models_run_and_foreign_directories(in_tmp: Path, cli) -> None:
    assert cli("run", "dcgan", "--out", "run", *COMMON, *TINY["dcgan"], "--set", "train.steps=2")[0] == 0
    code, _, err = cli("run", "seqgan", "--out", "run", "--resume")
    assert code == 2 and "cannot resume: run holds a 'dcgan' run, not 'seqgan'" in err
    code, _, err = cli("run", "dcgan", "--out", "run", "--resume", "--seed", "7")
    assert code == 2 and "a resumed run keeps its seed" in err
    (in_tmp / "notes").mkdir()
    (in_tmp / "notes" / "thesis.tex").write_text("precious")
    code, _, err = cli("run", "dcgan", "--out", "notes", "--resume")
    assert code == 2 and "notes is not a ganzoo run directory" in err
    assert [p.name for p in (in_tmp / "notes").iterdir()] == ["thesis.tex"]


@pytest.mark.slow
def test_out_directory_is_never_overwritten(in_tmp: Path, cli) -> None:
    args = [*COMMON, *TINY["dcgan"], "--set", "train.steps=2"]
    assert cli("run", "dcgan", "--out", "mine", *args)[0] == 0
    first = (in_tmp / "mine" / "checkpoints" / "last.pt").read_bytes()
    code, out, _ = cli("run", "dcgan", "--out", "mine", *args, "--seed", "3")
    assert code == 0 and "-> mine-2" in out
    assert (in_tmp / "mine" / "checkpoints" / "last.pt").read_bytes() == first
    assert load_checkpoint(in_tmp / "mine-2" / "checkpoints" / "last.pt")["config"]["seed"] == 3
    (in_tmp / "taken").write_text("a file")
    assert cli("run", "dcgan", "--out", "taken", *args)[0] == 0
    assert (in_tmp / "taken").read_text() == "a file" and (in_tmp / "taken-2" / "config.yaml").is_file()


class _Crafted:
    """Unpickling this runs code (writes a marker file): what a malicious checkpoint would carry."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (exec, (f"open({str(self.marker)!r}, 'w').write('code ran')",))


def test_a_checkpoint_that_would_run_code_is_refused(in_tmp: Path, cli) -> None:
    assert cli("run", "dcgan", "--out", "run", *COMMON, *TINY["dcgan"], "--set", "train.steps=2")[0] == 0
    last = in_tmp / "run" / "checkpoints" / "last.pt"
    state = load_checkpoint(last)
    marker = in_tmp / "marker.txt"
    torch.save({**state, "payload": _Crafted(marker)}, last)
    code, _, err = cli("sample", "run", "-n", "4")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "error: checkpoint run/checkpoints/last.pt was refused: it "
        "holds objects that could run code (it asks for exec); "
        "only load checkpoints you trust"
    )
    with pytest.raises(CheckpointError):
        load_checkpoint(last)
    assert not marker.exists()
    torch.load(last, weights_only=False)  # the file really is live: a plain pickle load runs its code
    assert marker.read_text() == "code ran"


# --- non-finite numbers, through the real trainer with a module that goes bad at a chosen step -----------

BAD_STEP = 7


class _GoesBad(GANModule):
    """Two small networks; the 'critic' update gets a NaN (or inf) loss at ``BAD_STEP`` only."""

    def __init__(self, config, info: DataInfo, poison: float) -> None:
        super().__init__(config, info)
        self.maker = torch.nn.Linear(4, 4)
        self.critic = torch.nn.Linear(4, 1)
        self.poison = poison

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {
            "maker": torch.optim.Adam(self.maker.parameters(), lr=1e-2),
            "critic": torch.optim.Adam(self.critic.parameters(), lr=1e-2),
        }

    def training_step(self, ctx) -> dict[str, torch.Tensor]:
        x = ctx.next_batch()["x"]
        critic_loss = self.critic(x).pow(2).mean()
        if ctx.step == BAD_STEP:
            critic_loss = critic_loss * self.poison
        ctx.optimize(ctx.optimizers["critic"], critic_loss)
        maker_loss = self.maker(x).pow(2).mean()
        ctx.optimize(ctx.optimizers["maker"], maker_loss)
        return {"critic_loss": critic_loss.detach(), "maker_loss": maker_loss.detach()}

    def sample(self, n: int, generator=None, **conditions) -> dict[str, torch.Tensor]:
        return {"image": torch.zeros(n, 1, 4, 4)}


class _Snapshots(Callback):
    def __init__(self) -> None:
        self.critic: dict[int, torch.Tensor] = {}

    def on_step_end(self, trainer: Trainer) -> None:
        self.critic[trainer.step] = trainer.module.critic.weight.detach().clone()


def _trainer(run_dir: Path, policy: str, poison: float) -> tuple[Trainer, _Snapshots]:
    defaults = cfg.merge(cfg.TRAINER_DEFAULTS, {"model": {"name": "goes-bad"}, "data": {"name": "toy"}})
    config = cfg.build_config(
        defaults,
        [
            (
                "test",
                {
                    "train": {
                        "steps": 12,
                        "batch_size": 8,
                        "checkpoint_every": 5,
                        "log_every": 4,
                        "sample_every": 1000,
                        "num_samples": 4,
                        "precision": "fp32",
                        "on_nonfinite": policy,
                    }
                },
            )
        ],
    )
    info = DataInfo("toy", "vectors", (4,))
    data = LoadedData(info, tensors={"x": torch.randn(64, 4, generator=torch.Generator().manual_seed(0))})
    snapshots = _Snapshots()
    trainer = Trainer(
        config,
        _GoesBad(config, info, poison),
        data,
        run_dir,
        torch.device("cpu"),
        "fp32",
        show_progress=False,
        callbacks=[snapshots],
    )
    return trainer, snapshots


@pytest.mark.parametrize("poison", [float("nan"), float("inf")])
def test_nonfinite_loss_stops_naming_step_and_network_and_keeps_the_good_checkpoint(
    tmp_path: Path, poison: float
) -> None:
    trainer, _ = _trainer(tmp_path, "stop", poison)
    with pytest.raises(NonFiniteError) as caught:
        trainer.fit()
    assert str(caught.value).startswith(
        f"step {BAD_STEP}: non-finite loss in the 'critic' update (network critic); the run stopped"
    )
    assert caught.value.exit_code == 3
    kept = load_checkpoint(tmp_path / "checkpoints" / "last.pt")
    assert kept["step"] == 5 and all(torch.isfinite(t).all() for t in kept["model"].values())
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == ["last.pt", "step_0000005.pt"]
    assert [r["step"] for r in read_metrics(tmp_path / "metrics.jsonl")] == [4]


def test_nonfinite_gradient_is_caught_even_when_the_loss_is_finite(tmp_path: Path) -> None:
    trainer, _ = _trainer(tmp_path, "stop", 1.0)
    trainer.module.critic.weight.register_hook(lambda grad: grad * float("nan") if trainer.step == BAD_STEP else grad)
    with pytest.raises(NonFiniteError, match=rf"^step {BAD_STEP}: non-finite gradients in the 'critic' update"):
        trainer.fit()


def test_skip_policy_drops_only_the_bad_update(tmp_path: Path, capsys) -> None:
    trainer, snapshots = _trainer(tmp_path, "skip", float("nan"))
    trainer.fit()
    critic = snapshots.critic
    assert torch.equal(critic[BAD_STEP], critic[BAD_STEP - 1])  # not applied
    assert not torch.equal(critic[BAD_STEP + 1], critic[BAD_STEP])  # training went on
    assert all(torch.isfinite(w).all() for w in critic.values())
    assert f"step {BAD_STEP}: skipped the 'critic' update" in capsys.readouterr().err
    assert load_checkpoint(tmp_path / "checkpoints" / "last.pt")["step"] == 12


def test_nonfinite_through_the_cli_is_one_line(in_tmp: Path, cli) -> None:
    code, _, err = cli(
        "run", "dcgan", "--out", "run", *COMMON, *TINY["dcgan"], "--set", "train.lr=1e30", "--set", "train.steps=6"
    )
    assert code == 3
    error = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and "non-finite" in error[0] and "network" in error[0] and "step" in error[0]
    assert not (in_tmp / "run" / "checkpoints").exists()


def test_unknown_policy_is_a_user_error(in_tmp: Path, cli) -> None:
    code, _, err = cli("run", "dcgan", "--set", "train.on_nonfinite=ignore")
    assert code == 2 and "'train.on_nonfinite' must be one of stop, skip" in err


def test_crafted_checkpoint_missing_format_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "other.pt"
    torch.save({"weights": torch.ones(2)}, path)
    with pytest.raises(UserError, match="is not a ganzoo checkpoint"):
        load_checkpoint(path)
    torch.save({"format": FORMAT, "format_version": 99}, path)
    with pytest.raises(UserError, match="newer than this ganzoo reads"):
        load_checkpoint(path)


@pytest.mark.slow
def test_the_first_metrics_row_after_a_resume_averages_the_same_steps(in_tmp: Path, cli, one_thread) -> None:
    args = [
        *COMMON,
        *TINY["dcgan"],
        "--set",
        "train.log_every=3",
        "--set",
        "train.checkpoint_every=2",
        "--set",
        "train.steps=6",
    ]
    assert cli("run", "dcgan", "--out", "reference", *args)[0] == 0
    assert cli("run", "dcgan", "--out", "run", *args)[0] == 0
    (in_tmp / "run" / "checkpoints" / "last.pt").unlink()  # as if killed after step 5: resume from step 4
    code, _, err = cli("run", "dcgan", "--out", "run", "--resume", *args)
    assert code == 0 and "resuming from step 4" in err
    assert [r["step"] for r in _losses(in_tmp / "run")] == [3, 6]
    assert _losses(in_tmp / "run") == _losses(in_tmp / "reference")  # row 6 averages steps 4-6 in both
