"""Text metrics as the SeqGAN and Texygen benchmarks report them: BLEU-n of samples against held-out
references, self-BLEU (each sample against the other samples: lower is more diverse), NLL-oracle and
perplexity. BLEU is nltk's ``sentence_bleu`` with uniform n-gram weights and smoothing method 1, as in
Texygen, averaged over hypotheses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import torch
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu


class TokenScorer(Protocol):
    """A language model that scores tokens: log p(token_t | tokens_<t) for each position (N x L)."""

    def log_probs(self, tokens: torch.Tensor) -> torch.Tensor: ...


def bleu(hypotheses: Sequence[Sequence[str]], references: Sequence[Sequence[str]], n: int) -> float:
    """Mean BLEU-``n`` of each tokenised hypothesis against all ``references`` (Texygen's BLEU)."""
    if not hypotheses or not references:
        raise ValueError("BLEU needs at least one hypothesis and one reference")
    weights = tuple(1.0 / n for _ in range(n))
    smoothing = SmoothingFunction().method1
    refs = [list(r) for r in references]
    return sum(sentence_bleu(refs, list(h), weights, smoothing_function=smoothing) for h in hypotheses) / len(
        hypotheses
    )


def self_bleu(samples: Sequence[Sequence[str]], n: int) -> float:
    """Mean BLEU-``n`` of each sample against all the other samples: high means the samples repeat."""
    if len(samples) < 2:
        raise ValueError("self-BLEU needs at least two samples")
    weights = tuple(1.0 / n for _ in range(n))
    smoothing = SmoothingFunction().method1
    total = 0.0
    for i, sample in enumerate(samples):
        others = [list(s) for j, s in enumerate(samples) if j != i]
        total += sentence_bleu(others, list(sample), weights, smoothing_function=smoothing)
    return total / len(samples)


@torch.no_grad()
def mean_nll(
    model: TokenScorer, tokens: torch.Tensor, mask: torch.Tensor | None = None, batch_size: int = 1024
) -> float:
    """Mean negative log-likelihood per (unmasked) token of ``tokens`` under ``model``."""
    total, count = 0.0, 0.0
    for i in range(0, len(tokens), batch_size):
        logp = model.log_probs(tokens[i : i + batch_size]).double()
        if mask is None:
            total, count = total - float(logp.sum()), count + logp.numel()
        else:
            part = mask[i : i + batch_size].to(logp)
            total, count = total - float((logp * part).sum()), count + float(part.sum())
    return total / max(count, 1.0)


def nll_oracle(oracle: TokenScorer, samples: torch.Tensor) -> float:
    """SeqGAN's NLL-oracle: the true mean negative log-likelihood per token of generated samples."""
    return mean_nll(oracle, samples)


def perplexity(model: TokenScorer, tokens: torch.Tensor, mask: torch.Tensor | None = None) -> float:
    """exp(mean NLL per token) of held-out ``tokens`` under ``model`` (masked positions left out)."""
    return math.exp(mean_nll(model, tokens, mask))
