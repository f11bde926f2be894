"""Built-in image datasets: scikit-learn's bundled digits (offline default), torchvision's sets, any folder."""

from ganzoo import IMAGE, DatasetSpec, hookimpl

_TORCHVISION = {"image_size": 0, "split": "train", "limit": 0, "download": True}


@hookimpl
def ganzoo_datasets() -> list[DatasetSpec]:
    """The image datasets every image GAN trains on."""
    return [
        DatasetSpec(
            "digits",
            "scikit-learn's bundled 8x8 handwritten digits, resized to 32x32 (offline)",
            "ganzoo_plugins.datasets.images:load_digits",
            kind=IMAGE,
            shape=(1, 32, 32),
            num_classes=10,
            origin="sklearn.datasets.load_digits (UCI, 1,797 images)",
            defaults={"image_size": 32, "limit": 0},
            classifier_epochs=15,
        ),
        DatasetSpec(
            "mnist",
            "MNIST handwritten digits, 60,000 train / 10,000 test, 28x28",
            "ganzoo_plugins.datasets.images:load_mnist",
            kind=IMAGE,
            shape=(1, 28, 28),
            num_classes=10,
            origin="torchvision.datasets.MNIST (files in ROOT/MNIST/raw)",
            defaults=dict(_TORCHVISION),
            classifier_epochs=2,
        ),
        DatasetSpec(
            "fashion-mnist",
            "Zalando's Fashion-MNIST clothing images, 28x28, 10 classes",
            "ganzoo_plugins.datasets.images:load_fashion_mnist",
            kind=IMAGE,
            shape=(1, 28, 28),
            num_classes=10,
            origin="torchvision.datasets.FashionMNIST (files in ROOT/FashionMNIST/raw)",
            defaults=dict(_TORCHVISION),
            classifier_epochs=3,
        ),
        DatasetSpec(
            "cifar10",
            "CIFAR-10 natural images, 32x32 colour, 10 classes",
            "ganzoo_plugins.datasets.images:load_cifar10",
            kind=IMAGE,
            shape=(3, 32, 32),
            num_classes=10,
            origin="CIFAR-10 python batches in ROOT/cifar-10-batches-py, read by a restricted unpickler",
            defaults={**_TORCHVISION, "split": "auto"},
        ),
        DatasetSpec(
            "folder",
            "your own images: a folder (or .zip) of them, class subfolders become labels",
            "ganzoo_plugins.datasets.folder:load_folder",
            kind=IMAGE,
            origin="any image files under --set data.path=DIR (PIL)",
            defaults={
                "path": "",
                "image_size": 64,
                "channels": 3,
                "labels": "auto",
                "limit": 0,
                "max_in_memory": 20000,
            },
        ),
    ]
