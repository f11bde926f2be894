"""Two unpaired image domains as one dataset (kind ``image-domains``, batch keys ``a`` and ``b``), for CycleGAN."""

from ganzoo import IMAGE_DOMAINS, DatasetSpec, hookimpl


@hookimpl
def ganzoo_datasets() -> list[DatasetSpec]:
    """The ``domains`` dataset: a CycleGAN-layout folder, or any two ganzoo image datasets."""
    return [
        DatasetSpec(
            "domains",
            "two unpaired image domains: a CycleGAN folder (trainA/, trainB/, ...) or two datasets",
            "ganzoo_plugins.domains.loader:load_domains",
            kind=IMAGE_DOMAINS,
            origin="data.path=DIR with trainA/ trainB/ testA/ testB/, else data.a and data.b dataset names",
            defaults={
                "path": "",
                "a": "digits",
                "b": "mnist",
                "split": "train",
                "test_fraction": 0.2,
                "image_size": 28,
                "channels": 1,
                "limit": 0,
                "a_margin": 0,
                "b_margin": 0,
            },
        ),
    ]
