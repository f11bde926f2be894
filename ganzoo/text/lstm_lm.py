"""A word-level LSTM language model: SeqGAN's generator and the synthetic oracle (the text datasets) share it.

Sampling draws categorical tokens by inverse-CDF from given uniform numbers, so the same uniforms give
the same tokens however the rows are batched (the batched and the sequential rollouts rely on this).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

State = tuple[torch.Tensor, torch.Tensor]


def sample_tokens(logits: torch.Tensor, uniform: torch.Tensor) -> torch.Tensor:
    """Categorical samples of ``logits`` (N x V), one per row, by inverting the CDF at ``uniform`` (N)."""
    logits = logits.float()
    cdf = (logits - logits.amax(dim=-1, keepdim=True)).exp_().cumsum(dim=-1)  # unnormalised CDF
    target = (uniform.to(cdf.dtype) * cdf[:, -1]).unsqueeze(-1)
    return torch.searchsorted(cdf, target, right=True).squeeze(-1).clamp_(max=logits.shape[-1] - 1)


class LSTMLanguageModel(nn.Module):
    """Embedding -> one-layer LSTM -> linear over the vocabulary; sequences start from ``start_id``."""

    def __init__(self, vocab_size: int, embed_dim: int, hidden_dim: int, length: int, start_id: int) -> None:
        super().__init__()
        self.vocab_size, self.length, self.start_id = vocab_size, length, start_id
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_dim, batch_first=True)
        self.output = nn.Linear(hidden_dim, vocab_size)

    def inputs(self, tokens: torch.Tensor) -> torch.Tensor:
        """Teacher-forcing inputs: the start token, then ``tokens`` shifted right by one."""
        start = torch.full_like(tokens[:, :1], self.start_id)
        return torch.cat([start, tokens[:, :-1]], dim=1)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Next-token logits (N x L x V) for every position of ``tokens`` (N x L) under teacher forcing."""
        hidden, _ = self.lstm(self.embedding(self.inputs(tokens)))
        return self.output(hidden)

    def log_probs(self, tokens: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
        """log p(token_t | tokens_<t) for every position (N x L), in float32, of the model whose logits are
        divided by ``temperature`` (the distribution ``sample`` draws from at that temperature)."""
        logits = self(tokens).float()
        if temperature != 1.0:
            logits = logits / temperature
        return logits.log_softmax(-1).gather(-1, tokens.unsqueeze(-1)).squeeze(-1)

    def nll(self, tokens: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """Mean negative log-likelihood per (unmasked) token: the MLE loss."""
        logits = self(tokens).float()
        losses = F.cross_entropy(logits.transpose(1, 2), tokens, reduction="none")
        if mask is None:
            return losses.mean()
        return (losses * mask).sum() / mask.sum().clamp(min=1)

    def step(self, tokens: torch.Tensor, state: State | None) -> tuple[torch.Tensor, State]:
        """Feed one token per row; returns the LSTM output (N x H) and the new state."""
        out, (h, c) = self.lstm(self.embedding(tokens).unsqueeze(1), state)
        return out.squeeze(1), (h, c)

    def start_tokens(self, n: int) -> torch.Tensor:
        """The first input of every sequence."""
        return torch.full((n,), self.start_id, dtype=torch.long, device=self.output.weight.device)

    @torch.no_grad()
    def sample(
        self,
        n: int,
        generator: torch.Generator | None = None,
        uniform: torch.Tensor | None = None,
        temperature: float = 1.0,
    ) -> torch.Tensor:
        """``n`` sequences (N x length) sampled token by token; ``uniform`` (N x length) fixes the draws;
        ``temperature`` below 1 sharpens the distribution (quality), above 1 flattens it (diversity)."""
        if temperature <= 0:
            raise ValueError(f"the sampling temperature must be positive, got {temperature}")
        device = self.output.weight.device
        if uniform is None:
            uniform = torch.rand(n, self.length, generator=generator, device=device)
        tokens = torch.empty(n, self.length, dtype=torch.long, device=device)
        inputs, state = self.start_tokens(n), None
        for position in range(self.length):
            out, state = self.step(inputs, state)
            logits = self.output(out)
            inputs = sample_tokens(logits if temperature == 1.0 else logits.float() / temperature, uniform[:, position])
            tokens[:, position] = inputs
        return tokens
