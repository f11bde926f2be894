"""Swap a GAN module's networks for wrapped versions (DDP replicas, ``torch.compile``d modules) in place.

A GAN module calls its networks as attributes (``self.generator(z)``), so the wrappers must sit where
the networks were. State dicts and sample drawing use the originals (``unwrapped()``): checkpoint keys
stay free of ``module.``/``_orig_mod.`` prefixes and load into a plain module on any number of processes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from torch import nn


def trainable_children(module: nn.Module) -> list[str]:
    """Names of the direct children holding parameters that train (frozen feature extractors are skipped)."""
    return [name for name, child in module.named_children() if any(p.requires_grad for p in child.parameters())]


class WrappedNetworks:
    """Holds the original networks of ``module`` and the wrappers that replaced them."""

    def __init__(self, module: nn.Module, wrappers: Sequence[Callable[[nn.Module], nn.Module]]) -> None:
        self.module = module
        self.originals: dict[str, nn.Module] = {}
        self.wrapped: dict[str, nn.Module] = {}
        if not wrappers:
            return
        for name in trainable_children(module):
            network = getattr(module, name)
            for wrap in wrappers:
                network = wrap(network)
            self.originals[name] = _innermost(network)
            self.wrapped[name] = network
            setattr(module, name, network)

    @contextmanager
    def unwrapped(self) -> Iterator[nn.Module]:
        """Inside, ``module`` holds its original networks (for state dicts and sampling)."""
        for name, network in self.originals.items():
            setattr(self.module, name, network)
        try:
            yield self.module
        finally:
            for name, network in self.wrapped.items():
                setattr(self.module, name, network)


def _innermost(network: nn.Module) -> nn.Module:
    """The plain network inside DDP (``unwrapped_network``) and compiled (``._orig_mod``) wrappers."""
    while True:
        inner = getattr(network, "unwrapped_network", None) or getattr(network, "_orig_mod", None)
        if not isinstance(inner, nn.Module):
            return network
        network = inner
