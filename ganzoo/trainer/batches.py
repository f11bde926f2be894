"""Batch sources. Small datasets live on the training device as tensors and are drawn by index;
large ones stream through a DataLoader. Both shuffle per epoch with their own seeded generator and can
save and restore their position, so a resumed run sees exactly the batches it would have seen.

Distributed runs: every rank draws the same permutation per epoch and takes its own equal shard. A
checkpoint (written by rank 0) holds the epoch's whole permutation and the position within a shard; a
resume on the same number of processes continues exactly, one on a different number re-shards the same
permutation and starts each new shard at the same fraction of the epoch already consumed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import torch
from torch.utils.data import DataLoader

from ganzoo.data import LoadedData, decode_pixels
from ganzoo.errors import UserError


class InMemoryBatches:
    """Shuffled batches drawn by index from tensors held on ``device`` (epochs without replacement)."""

    def __init__(
        self,
        tensors: Mapping[str, torch.Tensor],
        batch_size: int,
        device: torch.device,
        seed: int,
        rank: int = 0,
        world_size: int = 1,
        channels_last: bool = False,
        pixels: Mapping[str, float] | None = None,
    ) -> None:
        self.tensors = {k: _place(v, device, channels_last) for k, v in tensors.items()}
        self.pixels, self.channels_last = dict(pixels or {}), channels_last
        self.size = len(next(iter(self.tensors.values())))
        self.batch_size = batch_size
        self.rank, self.world_size = rank, world_size
        self.per_rank = self.size // world_size
        if self.per_rank < batch_size:
            raise UserError(
                f"train.batch_size={batch_size} is larger than the {self.per_rank} samples "
                f"each process gets from this dataset; lower train.batch_size"
            )
        self.generator = torch.Generator().manual_seed(seed)
        self.permutation = torch.empty(0, dtype=torch.long)
        self.order = self.permutation
        self.position = 0
        self.epoch = 0

    def _new_epoch(self) -> None:
        self.permutation = torch.randperm(self.size, generator=self.generator)
        self.order = self._shard(self.permutation)
        self.position = 0
        self.epoch += 1

    def _shard(self, permutation: torch.Tensor) -> torch.Tensor:
        """This rank's distinct, equal-sized slice of the epoch's permutation (every rank draws the same one)."""
        return permutation[self.rank * self.per_rank : (self.rank + 1) * self.per_rank]

    def __call__(self) -> dict[str, torch.Tensor]:
        if self.position + self.batch_size > len(self.order):
            self._new_epoch()
        index = self.order[self.position : self.position + self.batch_size]
        self.position += self.batch_size
        index = index.to(next(iter(self.tensors.values())).device)
        batch = {k: v[index] for k, v in self.tensors.items()}
        for key, max_value in self.pixels.items():  # stored as integer pixels: decoded per batch
            batch[key] = _place(decode_pixels(batch[key], max_value), batch[key].device, self.channels_last)
        return batch

    def close(self) -> None:
        """Nothing to stop: the data is already in memory (the same interface as ``StreamBatches``)."""

    def state_dict(self) -> dict[str, Any]:
        """The generator state, the epoch's permutation and the position in this rank's shard."""
        return {
            "generator": self.generator.get_state(),
            "permutation": self.permutation,
            "position": self.position,
            "epoch": self.epoch,
            "world_size": self.world_size,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue from a saved position: exactly on the same number of processes, else re-sharded."""
        self.generator.set_state(state["generator"])
        self.epoch = state["epoch"]
        if "permutation" not in state:  # checkpoints from before distributed training: one process
            self.permutation = self.order = state["order"]
            self.position = state["position"]
            return
        self.permutation = state["permutation"]
        self.order = self._shard(self.permutation) if len(self.permutation) else self.permutation
        saved_world = int(state.get("world_size", 1))
        self.position = state["position"] * saved_world // self.world_size


class StreamBatches:
    """Batches from a map-style dataset through a DataLoader with workers, moved to ``device``."""

    def __init__(
        self,
        dataset: torch.utils.data.Dataset,
        batch_size: int,
        device: torch.device,
        seed: int,
        workers: int = 2,
        rank: int = 0,
        world_size: int = 1,
        channels_last: bool = False,
    ) -> None:
        self.dataset = dataset
        self.device = device
        self.channels_last = channels_last
        self.generator = torch.Generator().manual_seed(seed)
        self.batch_size = batch_size
        self.workers = workers
        self.rank, self.world_size = rank, world_size
        if len(dataset) // world_size < batch_size:  # type: ignore[arg-type]
            raise UserError(
                f"train.batch_size={batch_size} is larger than this dataset allows per process; lower train.batch_size"
            )
        self.epoch_start_state = self.generator.get_state()
        self.consumed = 0
        self.epoch = 0
        self._iterator: Any = None

    def _loader(self) -> DataLoader:
        sampler = _ShardedRandomSampler(len(self.dataset), self.generator, self.rank, self.world_size)  # type: ignore[arg-type]
        return DataLoader(
            self.dataset,
            batch_size=self.batch_size,
            sampler=sampler,
            drop_last=True,
            num_workers=self.workers,
            generator=self.generator,
            pin_memory=self.device.type == "cuda",
        )

    def __call__(self) -> dict[str, torch.Tensor]:
        if self._iterator is None:
            self.epoch_start_state = self.generator.get_state()
            self._iterator = iter(self._loader())
        try:
            batch = next(self._iterator)
        except StopIteration:
            self._iterator = None
            self.consumed = 0
            self.epoch += 1
            return self()
        self.consumed += 1
        return {k: _place(v, self.device, self.channels_last, non_blocking=True) for k, v in batch.items()}

    def close(self) -> None:
        """Stop the DataLoader's worker processes now. Left to the garbage collector, the iterator is
        finalised amid its already-collected queues, the workers never hear the stop and torch waits 5 s
        for each before killing it."""
        self._iterator = None

    def state_dict(self) -> dict[str, Any]:
        """Generator state at the start of this epoch and batches consumed since (per rank)."""
        return {
            "generator": self.epoch_start_state,
            "consumed": self.consumed,
            "epoch": self.epoch,
            "world_size": self.world_size,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Replay the epoch's order and skip the batches already consumed (the same share of the epoch
        when the number of processes changed)."""
        self.generator.set_state(state["generator"])
        self.epoch = state["epoch"]
        self.epoch_start_state = state["generator"]
        loader = self._loader()
        consumed = min(state["consumed"] * int(state.get("world_size", 1)) // self.world_size, len(loader))
        self._iterator = iter(loader)
        for _ in range(consumed):
            next(self._iterator)
        self.consumed = consumed


class _ShardedRandomSampler(torch.utils.data.Sampler[int]):
    """A random permutation per epoch, split into equal shards by rank."""

    def __init__(self, size: int, generator: torch.Generator, rank: int, world_size: int) -> None:
        self.size, self.generator, self.rank, self.world_size = size, generator, rank, world_size
        self.per_rank = size // world_size

    def __iter__(self) -> Iterator[int]:
        perm = torch.randperm(self.size, generator=self.generator)
        return iter(perm[self.rank * self.per_rank : (self.rank + 1) * self.per_rank].tolist())

    def __len__(self) -> int:
        return self.per_rank


def _place(tensor: torch.Tensor, device: torch.device, channels_last: bool, non_blocking: bool = False) -> torch.Tensor:
    """``tensor`` on ``device``; 4-d float tensors (image batches) in channels_last layout when asked."""
    if channels_last and tensor.dim() == 4 and tensor.is_floating_point():
        if tensor.device == device and tensor.shape[1] == 1 and tensor.is_contiguous():
            return _one_channel_as_channels_last(tensor)
        return tensor.to(device, non_blocking=non_blocking, memory_format=torch.channels_last)
    return tensor.to(device, non_blocking=non_blocking)


def _one_channel_as_channels_last(tensor: torch.Tensor) -> torch.Tensor:
    """A contiguous N x 1 x H x W tensor viewed with channels_last strides: with one channel both layouts
    order memory alike, so this is what ``.to(memory_format=channels_last)`` returns, without the copy."""
    n, c, h, w = tensor.shape
    return tensor.as_strided(tensor.shape, (c * h * w, 1, w * c, c))


def make_batches(
    data: LoadedData,
    batch_size: int,
    device: torch.device,
    seed: int,
    rank: int = 0,
    world_size: int = 1,
    workers: int = 2,
    channels_last: bool = False,
) -> InMemoryBatches | StreamBatches:
    """The right batch source for ``data``."""
    if data.stored is not None:
        return InMemoryBatches(data.stored, batch_size, device, seed, rank, world_size, channels_last, data.pixels)
    assert data.dataset is not None  # LoadedData holds exactly one of tensors and dataset
    return StreamBatches(data.dataset, batch_size, device, seed, workers, rank, world_size, channels_last)
