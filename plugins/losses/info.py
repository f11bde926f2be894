"""InfoGAN's mutual-information term (Chen et al. 2016): the variational lower bound's negative log-likelihood.

Minimising -E[log Q(c | G(z, c))] maximises L_I = H(c) + E[log Q(c | x)] (H(c) is a constant of the
code prior). Categorical codes give a cross-entropy, continuous codes a factored Gaussian likelihood.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


class MutualInformation:
    """lambda_cat * CE(logits, c_cat) + lambda_cont * Gaussian NLL(c_cont | mean, log_std), in float32.

    The paper uses lambda = 1 for discrete codes and a smaller one for continuous codes (their
    differential-entropy term lives on another scale); ``log_std=None`` fixes the std at 1 as the
    authors' code does.
    """

    def __init__(self, categorical_weight: float = 1.0, continuous_weight: float = 0.1) -> None:
        self.categorical_weight = categorical_weight
        self.continuous_weight = continuous_weight

    @staticmethod
    def categorical(logits: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        """Mean cross-entropy of the code indices under Q's logits."""
        return F.cross_entropy(logits.float(), codes.long())

    @staticmethod
    def continuous(mean: torch.Tensor, codes: torch.Tensor, log_std: torch.Tensor | None = None) -> torch.Tensor:
        """Gaussian negative log-likelihood, summed over code dimensions and averaged over the batch."""
        mean, codes = mean.float(), codes.float()
        log_std = torch.zeros_like(mean) if log_std is None else log_std.float()
        nll = log_std + 0.5 * math.log(2 * math.pi) + 0.5 * ((codes - mean) * torch.exp(-log_std)) ** 2
        return nll.sum(dim=1).mean()

    @staticmethod
    def real_information(logits: torch.Tensor) -> torch.Tensor:
        """-I(c; x) on real images as Q reads them: H(c | x) - H(c), both averaged over the batch.

        Minimising it asks Q to name one code per real image (low conditional entropy) and to use all codes
        evenly over the data (high marginal entropy): the regularised information maximisation of Krause et
        al. 2010 (and IMSAT, Hu et al. 2017), which ties the codes to clusters of the real data.
        """
        log_p = F.log_softmax(logits.float(), dim=1)
        conditional = -(log_p.exp() * log_p).sum(dim=1).mean()
        log_marginal = torch.logsumexp(log_p, dim=0) - math.log(log_p.shape[0])
        marginal = -(log_marginal.exp() * log_marginal).sum()
        return conditional - marginal

    @staticmethod
    def consistency(logits: torch.Tensor, view_logits: torch.Tensor) -> torch.Tensor:
        """KL(Q(x) || Q(view of x)), Q(x) held fixed: the code Q names must survive a small transformation
        (IMSAT's self-augmented training, Hu et al. 2017), so that its clusters follow shape, not position."""
        target = F.log_softmax(logits.detach().float(), dim=1)
        return F.kl_div(F.log_softmax(view_logits.float(), dim=1), target, reduction="batchmean", log_target=True)

    def __call__(
        self,
        logits: torch.Tensor | None,
        categorical_codes: torch.Tensor | None,
        mean: torch.Tensor | None = None,
        continuous_codes: torch.Tensor | None = None,
        log_std: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """The weighted sum of the terms whose codes are given."""
        reference = logits if logits is not None else mean
        assert reference is not None, "InfoLoss needs the categorical logits or the continuous mean"
        total = torch.zeros((), device=reference.device)
        if logits is not None and categorical_codes is not None:
            total = total + self.categorical_weight * self.categorical(logits, categorical_codes)
        if mean is not None and continuous_codes is not None and continuous_codes.shape[1]:
            total = total + self.continuous_weight * self.continuous(mean, continuous_codes, log_std)
        return total
