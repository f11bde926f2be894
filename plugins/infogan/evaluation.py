"""Whether InfoGAN's categorical code captured the class: accuracy after matching codes to classes by majority."""

from __future__ import annotations

from typing import Protocol

import torch

from ganzoo_plugins.infogan.model import InfoGAN


class DigitClassifier(Protocol):
    """What the evaluation needs of a classifier (ganzoo's MNIST classifier is one): logits and a class count."""

    num_classes: int

    def __call__(self, images: torch.Tensor) -> torch.Tensor: ...


@torch.no_grad()
def code_class_table(module: InfoGAN, classifier: DigitClassifier, n: int = 1000, seed: int = 0) -> torch.Tensor:
    """Counts (categories x classes) of ``classifier``'s labels for ``n`` samples, by categorical code."""
    was_training = module.training
    module.eval()
    generator = torch.Generator(module.device).manual_seed(seed)
    codes = torch.arange(n, device=module.device) % module.categories
    images = torch.cat(
        [module.sample(len(part), generator, code=part)["image"].float().cpu() for part in codes.split(250)]
    )
    module.train(was_training)
    predicted = classifier(images).argmax(1)
    table = torch.zeros(module.categories, int(classifier.num_classes), dtype=torch.long)
    table.index_put_((codes.cpu(), predicted), torch.ones_like(predicted), accumulate=True)
    return table


def majority_matched_accuracy(table: torch.Tensor) -> float:
    """Map each code to its most frequent class; the fraction of samples whose class matches their code's."""
    return (table.max(dim=1).values.sum() / table.sum()).item()


def one_to_one_accuracy(table: torch.Tensor) -> float:
    """Accuracy under the best one-to-one code-to-class matching (Hungarian), which, unlike majority
    matching, cannot score well by sending every code to one frequent class."""
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(table.numpy(), maximize=True)
    return (table[rows, cols].sum() / table.sum()).item()
