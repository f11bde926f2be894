"""Super-resolution datasets: bicubic LR/HR pairs from any image folder, and the Set5/Set14 test sets."""

from ganzoo import IMAGE_PAIRS, DatasetSpec, hookimpl

_WHOLE = {"hr_size": 0, "scale": 4, "crops_per_image": 1, "augment": False, "cache_images": 16}


@hookimpl
def ganzoo_datasets() -> list[DatasetSpec]:
    """``sr-pairs`` for training, ``set5`` and ``set14`` (whole images) for evaluation."""
    return [
        DatasetSpec(
            "sr-pairs",
            "Random HR crops of any image folder with their bicubic LR inputs, flips and rotations",
            "ganzoo_plugins.sr_data.pairs:load_sr_pairs",
            kind=IMAGE_PAIRS,
            shape=(3, 96, 96),
            origin="data.root (a folder of images), else ROOT/<data.subfolder>",
            defaults={
                "subfolder": "Set14",
                "hr_size": 96,
                "scale": 4,
                "crops_per_image": 64,
                "augment": True,
                "cache_images": 64,
            },
        ),
        DatasetSpec(
            "set5",
            "Set5 (Bevilacqua et al. 2012): 5 SR test images, whole, bicubic LR",
            "ganzoo_plugins.sr_data.pairs:load_set5",
            kind=IMAGE_PAIRS,
            shape=(3, 0, 0),
            origin="ROOT/Set5 (PNG files), or data.root",
            defaults=dict(_WHOLE),
        ),
        DatasetSpec(
            "set14",
            "Set14 (Zeyde et al. 2010): 14 SR test images, whole, bicubic LR",
            "ganzoo_plugins.sr_data.pairs:load_set14",
            kind=IMAGE_PAIRS,
            shape=(3, 0, 0),
            origin="ROOT/Set14 (PNG files), or data.root",
            defaults=dict(_WHOLE),
        ),
    ]
