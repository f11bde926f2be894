"""The synthetic-oracle benchmark of SeqGAN (Yu et al. 2017, section 4): a randomly initialised LSTM
whose parameters are drawn from N(0, 1) generates the training set and scores any sequence's true
likelihood (NLL-oracle). The oracle is rebuilt from its seed and sizes alone, so checkpoints and
benchmarks carry only those plain numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ganzoo import TEXT, DataInfo, LoadedData, UserError
from ganzoo.text import LSTMLanguageModel

START_ID = 0  # as in the paper's code, sequences start from token 0 (an ordinary vocabulary word)


class Oracle(LSTMLanguageModel):
    """The oracle LSTM: every parameter N(0, 1) from a seeded generator, so a seed names one oracle."""

    def __init__(self, vocab_size: int, length: int, embed_dim: int = 32, hidden_dim: int = 32, seed: int = 0) -> None:
        super().__init__(vocab_size, embed_dim, hidden_dim, length, START_ID)
        rng = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for param in self.parameters():
                param.copy_(torch.randn(param.shape, generator=rng))
        self.requires_grad_(False)
        self.eval()

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> Oracle:
        """Rebuild the oracle a dataset described in ``DataInfo.extras["oracle"]``."""
        return cls(
            int(spec["vocab_size"]),
            int(spec["length"]),
            int(spec["embed_dim"]),
            int(spec["hidden_dim"]),
            int(spec["seed"]),
        )


def load_oracle(cfg: Mapping[str, Any]) -> LoadedData:
    """``num_sequences`` sequences sampled from the seeded oracle: the synthetic training set."""
    vocab_size, length, n = int(cfg["vocab_size"]), int(cfg["length"]), int(cfg["num_sequences"])
    if vocab_size < 2 or length < 2:
        raise UserError(f"oracle needs data.vocab_size >= 2 and data.length >= 2, got {vocab_size} and {length}")
    spec = {
        "vocab_size": vocab_size,
        "length": length,
        "embed_dim": int(cfg["embed_dim"]),
        "hidden_dim": int(cfg["hidden_dim"]),
        "seed": int(cfg["oracle_seed"]),
    }
    oracle = Oracle.from_spec(spec)
    rng = torch.Generator().manual_seed(int(cfg["oracle_seed"]) + 1)
    tokens = torch.cat(
        [oracle.sample(len(chunk), uniform=chunk) for chunk in torch.rand(n, length, generator=rng).split(4096)]
    )
    info = DataInfo(
        "oracle",
        TEXT,
        (length,),
        extras={
            "vocab": [],
            "vocab_size": vocab_size,
            "start_id": START_ID,
            "pad_id": -1,
            "eos_id": -1,
            "oracle": spec,
        },
    )
    return LoadedData(
        info,
        tensors={"tokens": tokens},
        description=f"{n} oracle sequences of length {length}, vocabulary {vocab_size}",
    )
