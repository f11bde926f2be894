"""SeqGAN's discriminator (Yu et al. 2017, appendix): a CNN over token embeddings with many window
sizes, max-over-time pooling, a highway layer and dropout, giving one real-vs-generated logit."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ganzoo import UserError

# The paper's table of window sizes and filter counts for the discriminator.


class Highway(nn.Module):
    """y = t * relu(W_h x) + (1 - t) * x with gate t = sigmoid(W_t x) (Srivastava et al. 2015)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.transform = nn.Linear(width, width)
        self.gate = nn.Linear(width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate = torch.sigmoid(self.gate(x))
        return gate * F.relu(self.transform(x)) + (1 - gate) * x


class Discriminator(nn.Module):
    """tokens (N x L) -> logit (N,) that the sequence is real; windows longer than L are left out."""

    def __init__(
        self,
        vocab_size: int,
        length: int,
        embed_dim: int,
        filter_sizes: Sequence[int],
        num_filters: Sequence[int],
        dropout: float,
    ) -> None:
        super().__init__()
        if len(filter_sizes) != len(num_filters):
            raise UserError(
                f"model.d_filter_sizes ({len(filter_sizes)}) and model.d_num_filters ({len(num_filters)}) "
                f"must have the same length"
            )
        windows = [(k, n) for k, n in zip(filter_sizes, num_filters) if k <= length]
        if not windows:
            raise UserError(f"no window in model.d_filter_sizes fits sequences of length {length}; add smaller ones")
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.convs = nn.ModuleList(nn.Conv1d(embed_dim, n, k) for k, n in windows)
        width = sum(n for _, n in windows)
        self.highway = Highway(width)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(width, 1)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.embedding(tokens).transpose(1, 2)
        pooled = torch.cat([F.relu(conv(x)).amax(dim=2) for conv in self.convs], dim=1)
        return self.head(self.dropout(self.highway(pooled))).squeeze(1)
