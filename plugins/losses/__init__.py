"""Built-in loss plugins."""

from ganzoo import LossSpec, hookimpl


@hookimpl
def ganzoo_losses() -> list[LossSpec]:
    """Adversarial objectives any image GAN can switch between with ``--set loss=NAME``."""
    return [
        LossSpec("bce", "Non-saturating binary cross-entropy on logits (the original GAN objective)",
                 "ganzoo_plugins.losses.adversarial:NonSaturatingBCE", paper="1406.2661"),
        LossSpec("hinge", "Hinge loss for the discriminator, -D(G(z)) for the generator",
                 "ganzoo_plugins.losses.adversarial:Hinge", paper="1705.02894"),
    ]
