"""Toy 2D Gaussian mixtures (Unrolled GAN, VEEGAN, PacGAN): ``ring8`` and ``grid25`` as dataset plugins."""

from ganzoo import VECTORS, DatasetSpec, hookimpl


@hookimpl
def ganzoo_datasets() -> list[DatasetSpec]:
    """The two mixtures every mode-collapse paper reports on; batches carry the points under ``x``."""
    return [
        DatasetSpec(
            "ring8",
            "8 Gaussians on a circle of radius 2, std 0.02 (Unrolled GAN, VEEGAN)",
            "ganzoo_plugins.toy.mixtures:load_ring8",
            kind=VECTORS,
            shape=(2,),
            origin="generated (Metz et al. 2016, arXiv 1611.02163)",
            defaults={"size": 100_000, "std": 0.02, "radius": 2.0},
        ),
        DatasetSpec(
            "grid25",
            "25 Gaussians on a 5x5 grid with spacing 2, std 0.05 (VEEGAN, PacGAN)",
            "ganzoo_plugins.toy.mixtures:load_grid25",
            kind=VECTORS,
            shape=(2,),
            origin="generated (Srivastava et al. 2017, arXiv 1705.07761)",
            defaults={"size": 100_000, "std": 0.05, "spacing": 2.0},
        ),
    ]
