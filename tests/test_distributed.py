"""Data-parallel training on 2 CPU processes (gloo): identical replicas, batch equivalence, sharding, resume."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from ganzoo.trainer.batches import InMemoryBatches
from ganzoo.trainer.callbacks import Callback
from ganzoo.trainer.checkpoint import load_checkpoint
from ganzoo.trainer.distributed import DistEnv, wrap_for_ddp

SMALL = [
    "model.g_channels=8",
    "model.d_channels=8",
    "train.batch_size=16",
    "train.log_every=2",
    "train.sample_every=1000",
    "train.checkpoint_every=1000",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _join(rank: int, world_size: int, port: int) -> None:
    """Set the variables torchrun would set for this rank."""
    os.environ.update(
        {
            "RANK": str(rank),
            "WORLD_SIZE": str(world_size),
            "LOCAL_RANK": str(rank),
            "MASTER_ADDR": "127.0.0.1",
            "MASTER_PORT": str(port),
            "OMP_NUM_THREADS": "1",
        }
    )
    torch.set_num_threads(1)


class _SaveReplica(Callback):
    """Writes this rank's (unwrapped) weights when training ends, so the test can compare ranks."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def on_fit_end(self, trainer) -> None:  # type: ignore[no-untyped-def]
        with trainer.networks.unwrapped():
            torch.save({k: v.detach().clone() for k, v in trainer.module.state_dict().items()}, self.path)


def _train_worker(rank: int, world_size: int, port: int, tmp: str) -> None:
    from ganzoo.runner import RunRequest, run

    _join(rank, world_size, port)
    request = RunRequest("dcgan", "digits", overrides=[*SMALL, "train.steps=4"], out=f"{tmp}/run")
    run(request, show_progress=False, callbacks=[_SaveReplica(Path(tmp) / f"rank{rank}.pt")])


@pytest.mark.subprocess
@pytest.mark.slow
def test_two_processes_end_with_identical_weights_and_resume_on_one(tmp_path: Path, cli) -> None:
    mp.spawn(_train_worker, args=(2, _free_port(), str(tmp_path)), nprocs=2, join=True)
    rank0, rank1 = torch.load(tmp_path / "rank0.pt"), torch.load(tmp_path / "rank1.pt")
    assert rank0.keys() == rank1.keys() and not any(".module." in k for k in rank0)
    for name in rank0:
        assert torch.equal(rank0[name], rank1[name]), name
    run = tmp_path / "run"
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [2, 4]  # written once, by rank 0
    state = load_checkpoint(run / "checkpoints" / "last.pt")
    assert state["step"] == 4 and state["batches"]["world_size"] == 2 and len(state["rng"]["ranks"]) == 2
    for name, value in state["model"].items():
        assert torch.equal(value, rank0[name]), name
    code, _, err = cli("run", "dcgan", "--out", str(run), "--resume", "--no-progress", "--set", "train.steps=6")
    assert code == 0, err
    assert load_checkpoint(run / "checkpoints" / "last.pt")["step"] == 6


def _critic_steps(
    critic: torch.nn.Module, real: torch.Tensor, fake: torch.Tensor, alpha: torch.Tensor, steps: int
) -> None:
    """WGAN-GP critic updates (Wasserstein estimate plus gradient penalty) on fixed batches."""
    optimizer = torch.optim.Adam(critic.parameters(), lr=1e-4, betas=(0.5, 0.9))
    for _ in range(steps):
        mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
        (grads,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
        penalty = ((grads.flatten(1).norm(dim=1) - 1) ** 2).mean()
        loss = critic(fake).mean() - critic(real).mean() + 10 * penalty
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def _critic(seed: int) -> torch.nn.Module:
    from ganzoo.nn import DCGANDiscriminator as Discriminator

    torch.manual_seed(seed)
    return Discriminator(1, 28, 8, norm="none")


def _batches(size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Real images, fakes and the penalty's mixing weights: one global batch that ranks split."""
    generator = torch.Generator().manual_seed(3)
    return (
        torch.rand(size, 1, 28, 28, generator=generator) * 2 - 1,
        torch.randn(size, 1, 28, 28, generator=generator),
        torch.rand(size, 1, 1, 1, generator=generator),
    )


def _critic_worker(rank: int, world_size: int, port: int, tmp: str, batch: int) -> None:
    _join(rank, world_size, port)
    dist.init_process_group("gloo")
    env = DistEnv(rank, world_size, rank)
    critic = wrap_for_ddp(env, torch.device("cpu"), sync_batchnorm=False, find_unused_parameters=False)(_critic(rank))
    shard = slice(rank * batch, (rank + 1) * batch)
    _critic_steps(critic, *(t[shard] for t in _batches(batch * world_size)), steps=3)
    if rank == 0:
        torch.save(critic.unwrapped_network.state_dict(), Path(tmp) / "ddp.pt")
    dist.barrier()  # both ranks leave together: a rank torn down mid-exchange can abort gloo's threads
    dist.destroy_process_group()


@pytest.mark.subprocess
@pytest.mark.slow
def test_two_processes_of_batch_b_match_one_process_of_batch_2b(tmp_path: Path) -> None:
    batch = 8
    mp.spawn(_critic_worker, args=(2, _free_port(), str(tmp_path), batch), nprocs=2, join=True)
    parallel = torch.load(tmp_path / "ddp.pt")
    single = _critic(0)  # rank 1 was built from another seed: DDP must have taken rank 0's weights
    _critic_steps(single, *_batches(2 * batch), steps=3)
    for name, value in single.state_dict().items():
        torch.testing.assert_close(parallel[name], value, rtol=1e-4, atol=2e-6, msg=name)


def test_ranks_draw_distinct_shards_and_resume_on_another_world_size() -> None:
    data = {"image": torch.arange(40, dtype=torch.float32).reshape(40, 1, 1, 1)}
    ranks = [InMemoryBatches(data, 4, torch.device("cpu"), seed=5, rank=r, world_size=2) for r in range(2)]
    seen = [torch.cat([source()["image"].flatten() for _ in range(5)]) for source in ranks]
    assert len(set(seen[0].tolist()) | set(seen[1].tolist())) == 40  # one epoch, split with no overlap
    for _ in range(2):  # next epoch, two batches in: 8 of 20 per rank, 16 of 40 overall
        ranks[0](), ranks[1]()
    single = InMemoryBatches(data, 4, torch.device("cpu"), seed=5)
    single.load_state_dict(ranks[0].state_dict())
    assert single.epoch == 2 and single.position == 16
    assert torch.equal(single.order, ranks[0].permutation)
    again = InMemoryBatches(data, 4, torch.device("cpu"), seed=5, rank=1, world_size=2)
    again.load_state_dict(ranks[0].state_dict())
    assert torch.equal(again()["image"], ranks[1]()["image"])  # same world size: exactly where rank 1 was


def test_sync_batchnorm_on_cpu_is_a_user_error() -> None:
    from ganzoo.errors import UserError

    with pytest.raises(UserError, match="sync_batchnorm"):
        wrap_for_ddp(DistEnv(0, 2, 0), torch.device("cpu"), sync_batchnorm=True, find_unused_parameters=False)


@pytest.mark.subprocess
def test_nproc_passes_the_same_run_arguments_to_torchrun(monkeypatch: pytest.MonkeyPatch, cli) -> None:
    import subprocess

    calls = []
    monkeypatch.setattr(subprocess, "call", lambda command, env: calls.append((command, env)) or 0)
    code, _, err = cli(
        "run", "dcgan", "--nproc", "2", "--out", "r", "--set", "train.steps=3", "--seed", "4", "--no-progress"
    )
    assert code == 0, err
    command, env = calls[0]
    assert command[1:6] == ["-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2", "-m"]
    assert command[6:] == [
        "ganzoo",
        "run",
        "dcgan",
        "--out",
        "r",
        "--seed",
        "4",
        "--set",
        "train.steps=3",
        "--no-progress",
    ]
    assert int(env["OMP_NUM_THREADS"]) >= 1
    assert cli("run", "dcgan", "--nproc", "0")[0] == 2
