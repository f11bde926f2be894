"""How well a CGAN obeys its label: the share of samples drawn for class k that a classifier labels k."""

from __future__ import annotations

import torch
from torch import nn

from ganzoo_plugins.cgan.model import CGAN


@torch.no_grad()
def label_accuracy(module: CGAN, classifier: nn.Module, per_class: int = 100, seed: int = 0) -> list[float]:
    """Per class k: the fraction of ``per_class`` samples drawn with label k that ``classifier`` calls k."""
    was_training = module.training
    module.eval()
    generator = torch.Generator(module.device).manual_seed(seed)
    accuracies = []
    for k in range(module.num_classes):
        images = module.sample(per_class, generator, label=k)["image"].float().cpu()
        accuracies.append((classifier(images).argmax(1) == k).float().mean().item())
    module.train(was_training)
    return accuracies
