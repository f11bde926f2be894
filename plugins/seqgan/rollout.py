"""Monte Carlo rollout rewards (SeqGAN eq. 4): for each prefix y_1..y_t of a generated sequence, the
rollout policy completes it ``num_rollouts`` times and the discriminator's mean probability of "real"
over the completions is the reward of token y_t; the last token's reward is D of the sequence itself.

``rollout_rewards`` does all rollouts of a step at once: one pass over the sequences gives the LSTM
state of every prefix, then the (prefix length x rollout x sequence) completions advance together, one
position per step, and the discriminator scores them in large chunks. ``sequential_rollout_rewards``
is the loop of the common implementations (one rollout and one prefix length at a time, re-encoding
the prefix each time), kept as the reference the batched version is checked and timed against. Both
draw token ``s`` of rollout ``m`` from prefix length ``t`` with ``uniform[m, t - 1, :, s]``, so for the
same uniforms they produce the same completions and the same rewards.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ganzoo.text import LSTMLanguageModel, sample_tokens

Scorer = Callable[[torch.Tensor], torch.Tensor]  # tokens (N x L) -> probability of "real" (N,)


def rollout_uniforms(num_rollouts: int, tokens: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """The uniform draws of all rollouts of ``tokens`` (N x L): M x (L - 1) x N x L."""
    n, length = tokens.shape
    return torch.rand(num_rollouts, length - 1, n, length, generator=generator, device=tokens.device)


def _prefix_states(policy: LSTMLanguageModel, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For prefix lengths t = 1..L-1, the LSTM (h, c) after feeding the start token and tokens[:, :t-1]
    (token t-1 is the next input): each (L - 1) x N x H."""
    hs, cs = [], []
    inputs, state = policy.start_tokens(tokens.shape[0]), None
    for t in range(1, tokens.shape[1]):
        _, state = policy.step(inputs, state)
        hs.append(state[0][0])
        cs.append(state[1][0])
        inputs = tokens[:, t - 1]
    return torch.stack(hs), torch.stack(cs)


@torch.no_grad()
def rollout_rewards(
    policy: LSTMLanguageModel,
    scorer: Scorer,
    tokens: torch.Tensor,
    num_rollouts: int,
    uniform: torch.Tensor | None = None,
    chunk_rows: int = 4096,
) -> torch.Tensor:
    """Rewards (N x L, in [0, 1]) of ``tokens`` with all rollouts batched, ``chunk_rows`` rows at a time."""
    n, length = tokens.shape
    if uniform is None:
        uniform = rollout_uniforms(num_rollouts, tokens)
    rewards = torch.empty(length - 1, n, device=tokens.device)
    h_prefix, c_prefix = _prefix_states(policy, tokens)
    group = num_rollouts * n  # rows sharing one prefix length t, ordered (m, n)
    groups_per_chunk = max(1, chunk_rows // group)
    for first in range(1, length, groups_per_chunk):
        ts = list(range(first, min(first + groups_per_chunk, length)))
        rows = len(ts) * group
        # Rows ordered (t, m, n): each prefix state is repeated over the M rollouts.
        index = torch.tensor(ts, device=tokens.device) - 1
        h = h_prefix[index].unsqueeze(1).expand(-1, num_rollouts, -1, -1).reshape(rows, -1).contiguous()
        c = c_prefix[index].unsqueeze(1).expand(-1, num_rollouts, -1, -1).reshape(rows, -1).contiguous()
        seqs = tokens.repeat(len(ts) * num_rollouts, 1)
        inputs = tokens[:, [t - 1 for t in ts]].T.unsqueeze(1).expand(-1, num_rollouts, -1).reshape(rows).clone()
        draws = uniform[:, index].transpose(0, 1).reshape(rows, length)
        for s in range(first, length):
            active = (min(s, ts[-1]) - first + 1) * group  # rows whose prefix is at most s long
            out, (h_new, c_new) = policy.step(inputs[:active], (h[:active].unsqueeze(0), c[:active].unsqueeze(0)))
            sampled = sample_tokens(policy.output(out), draws[:active, s])
            seqs[:active, s] = sampled
            inputs[:active] = sampled
            h[:active], c[:active] = h_new[0], c_new[0]
        scores = scorer(seqs).float().reshape(len(ts), num_rollouts, n)
        rewards[first - 1 : first - 1 + len(ts)] = scores.mean(dim=1)
    return torch.cat([rewards.T, scorer(tokens).float().unsqueeze(1)], dim=1)


@torch.no_grad()
def sequential_rollout_rewards(
    policy: LSTMLanguageModel,
    scorer: Scorer,
    tokens: torch.Tensor,
    num_rollouts: int,
    uniform: torch.Tensor | None = None,
) -> torch.Tensor:
    """The reference: loop over rollouts and prefix lengths, re-encode each prefix, complete, score."""
    n, length = tokens.shape
    if uniform is None:
        uniform = rollout_uniforms(num_rollouts, tokens)
    rewards = torch.zeros(n, length, device=tokens.device)
    for m in range(num_rollouts):
        for t in range(1, length):
            inputs, state = policy.start_tokens(n), None
            for i in range(t):
                _, state = policy.step(inputs, state)
                inputs = tokens[:, i]
            seqs = tokens.clone()
            for s in range(t, length):
                out, state = policy.step(inputs, state)
                inputs = sample_tokens(policy.output(out), uniform[m, t - 1, :, s])
                seqs[:, s] = inputs
            rewards[:, t - 1] += scorer(seqs).float() / num_rollouts
    rewards[:, -1] = scorer(tokens).float()
    return rewards
