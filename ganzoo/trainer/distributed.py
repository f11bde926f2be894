"""Data-parallel training on torch.distributed: process group, per-rank devices, DDP-wrapped networks.

``torchrun --nproc-per-node N -m ganzoo run ...`` (or ``ganzoo run --nproc N``) starts N processes;
each reads its rank from torchrun's environment, joins one process group (NCCL for CUDA tensors, gloo
for CPU tensors and Python objects) and trains a replica on its own shard of the data. Gradients are
averaged by ``DistributedDataParallel``, so N processes with batch B train like one with batch N x B
(exactly so for networks without batch statistics).

Design choices (see ``wrap_for_ddp``):
- GAN modules call their networks directly (``self.generator(z)``), so the trainer replaces each
  trainable child network with its DDP wrapper and swaps the originals back whenever state is saved or
  samples are drawn (``ganzoo.trainer.wrapping``): checkpoint keys never carry ``module.``.
- Modules also call other methods of their networks (``discriminator.features(x)``, ``generator.nll``).
  DDP only hooks ``forward``, so ``NetworkDDP`` runs any such method through DDP's forward (via a small
  router module) and reads plain attributes from the network. A submodule reached directly
  (``discriminator.head``) runs outside DDP; its gradients are still averaged as long as the same
  backward also passes through a DDP call of that network, which is how every built-in model uses them.
- A discriminator runs several forwards (real, fake, the generator's pass) before one backward. DDP
  allows that; what breaks is syncing buffers on every forward (the old ``broadcast_buffers=True``): it
  overwrites batch-norm buffers in place between forwards and is a collective that sampling on rank 0
  alone would deadlock on. We pass ``forward_sync_buffers=False`` (buffers are synced once at wrapping)
  and average floating buffers across ranks before each checkpoint instead;
  ``train.sync_batchnorm`` (CUDA) synchronises the batch statistics themselves.
- Callbacks run on every rank (a callback that writes files checks ``trainer.dist.is_main``); stop
  requests and interrupts are agreed on by all ranks after each step, so every rank stops together.
- ``find_unused_parameters`` is off (it costs a graph traversal every forward); a model whose networks
  leave some parameters unused in a step turns it on with ``train.find_unused_parameters=true``.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

from ganzoo.errors import UserError


@dataclass(frozen=True)
class DistEnv:
    """This process's place among the training processes (rank 0 of 1 when not distributed)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def enabled(self) -> bool:
        """Whether more than one process trains."""
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """Rank 0: the only process that writes files and shows progress."""
        return self.rank == 0


def env_from_torchrun() -> DistEnv:
    """The rank, world size and local rank torchrun exported (rank 0 of 1 without torchrun)."""
    try:
        return DistEnv(
            int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1)), int(os.environ.get("LOCAL_RANK", 0))
        )
    except ValueError:
        raise UserError("RANK, WORLD_SIZE and LOCAL_RANK must be integers (they are set by torchrun)") from None


def is_main_process() -> bool:
    """Whether this process is rank 0 (also true outside torchrun)."""
    return env_from_torchrun().is_main


def setup(env: DistEnv) -> None:
    """Join the process group once per process; gloo carries CPU tensors and objects, NCCL CUDA tensors."""
    if not env.enabled or dist.is_initialized():
        return
    backend = "gloo"
    if torch.cuda.is_available() and dist.is_nccl_available():
        torch.cuda.set_device(env.local_rank % torch.cuda.device_count())
        backend = "cpu:gloo,cuda:nccl"
    dist.init_process_group(backend=backend)


def teardown() -> None:
    """Leave the process group (after the last collective of the run)."""
    if dist.is_initialized():
        dist.destroy_process_group()


def place_device(device: torch.device, env: DistEnv) -> torch.device:
    """Each process on a CUDA machine gets the GPU of its local rank; CPU processes share the CPU."""
    if not env.enabled or device.type != "cuda":
        return device
    count = torch.cuda.device_count()
    if env.local_rank >= count:
        raise UserError(
            f"local rank {env.local_rank} has no GPU ({count} visible); start at most {count} "
            f"processes per node or use --device cpu"
        )
    return torch.device("cuda", env.local_rank)


def broadcast_object(value: Any, env: DistEnv) -> Any:
    """Rank 0's ``value`` on every rank (picklable objects, tensors included)."""
    if not env.enabled:
        return value
    box = [value if env.is_main else None]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def gather_objects(value: Any, env: DistEnv) -> list[Any]:
    """Every rank's ``value``, in rank order, on every rank."""
    if not env.enabled:
        return [value]
    boxes: list[Any] = [None] * env.world_size
    dist.all_gather_object(boxes, value)
    return boxes


def average_scalars(values: dict[str, torch.Tensor], env: DistEnv) -> dict[str, torch.Tensor]:
    """The mean of each logged scalar over ranks (one all-reduce, at log steps only)."""
    if not env.enabled or not values:
        return values
    stacked = torch.stack([values[k].detach().float().reshape(()) for k in values])
    dist.all_reduce(stacked)
    stacked /= env.world_size
    return dict(zip(values, stacked))


def mean_over_ranks(value: torch.Tensor, env: DistEnv) -> torch.Tensor:
    """The mean of a tensor over ranks (a copy; the value itself on one process)."""
    if not env.enabled:
        return value
    total = value.detach().clone()
    dist.all_reduce(total)
    return total / env.world_size


def average_buffers(module: nn.Module, env: DistEnv) -> None:
    """Average floating buffers (batch-norm running statistics) over ranks so saved state is shared."""
    if not env.enabled:
        return
    for buffer in module.buffers():
        if buffer.is_floating_point():
            dist.all_reduce(buffer)
            buffer /= env.world_size
        else:
            dist.broadcast(buffer, src=0)


class _MethodRouter(nn.Module):
    """Makes any method of ``network`` callable as this module's forward, so DDP can run it."""

    def __init__(self, network: nn.Module) -> None:
        super().__init__()
        self.network = network

    def forward(self, *args: Any, _method: str = "forward", **kwargs: Any) -> Any:
        return getattr(self.network, _method)(*args, **kwargs)


class NetworkDDP(nn.parallel.DistributedDataParallel):
    """DDP over one network that also syncs gradients of its other methods (``features``, ``nll``)."""

    @property
    def unwrapped_network(self) -> nn.Module:
        """The plain network inside."""
        return self.module.network

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            router = self.__dict__.get("_modules", {}).get("module")
            if router is None:
                raise
        value = getattr(router.network, name)
        if inspect.ismethod(value) and isinstance(value.__self__, nn.Module):
            return functools.partial(self.__call__, _method=name)
        return value


def wrap_for_ddp(
    env: DistEnv, device: torch.device, sync_batchnorm: bool, find_unused_parameters: bool
) -> Callable[[nn.Module], nn.Module]:
    """A function turning one trainable network into its DDP replica (optionally with SyncBatchNorm)."""
    if sync_batchnorm and device.type != "cuda":
        raise UserError(
            "train.sync_batchnorm needs CUDA devices (torch's SyncBatchNorm is GPU-only); "
            "set train.sync_batchnorm=false on the CPU"
        )

    def wrap(network: nn.Module) -> nn.Module:
        if sync_batchnorm:
            network = nn.SyncBatchNorm.convert_sync_batchnorm(network)
        device_ids = [device.index] if device.type == "cuda" else None
        return NetworkDDP(
            _MethodRouter(network),
            device_ids=device_ids,
            forward_sync_buffers=False,
            find_unused_parameters=find_unused_parameters,
        )

    return wrap


def torchrun_command(nproc: int, ganzoo_args: Sequence[str]) -> list[str]:
    """The torchrun command line that runs ``ganzoo ARGS`` in ``nproc`` local processes."""
    return [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        f"--nproc-per-node={nproc}",
        "-m",
        "ganzoo",
        *ganzoo_args,
    ]


def torchrun_environment(nproc: int) -> dict[str, str]:
    """The environment for torchrun: CPU threads split between the processes unless the user set them, and
    no current folder on ``sys.path`` (a ``ganzoo/`` folder there would shadow the installed package)."""
    env = dict(os.environ, PYTHONSAFEPATH="1")
    env.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // nproc)))
    return env


def agree_to_stop(interrupted: int, should_stop: bool, env: DistEnv) -> tuple[int, bool]:
    """The largest interrupt signal and any stop request over all ranks, so all stop at the same step."""
    flags = torch.tensor([interrupted, int(should_stop)], dtype=torch.int64)
    dist.all_reduce(flags, op=dist.ReduceOp.MAX)
    return int(flags[0]), bool(flags[1])


def rank_seed(seed: int, rank: int) -> int:
    """A seed for ``rank``'s own random stream (noise, dropout): distinct per rank, fixed by ``seed``."""
    return (seed * 1_000_003 + rank * 7_919) % 2**63
