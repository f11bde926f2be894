"""Shared fixtures: the real data folder, a clean working directory, and a CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if "GANZOO_DATA" not in os.environ and SHARED_DATA.is_dir():
    os.environ["GANZOO_DATA"] = str(SHARED_DATA)


@pytest.fixture
def data_dir() -> Path:
    """The real public data (MNIST, CIFAR-10 test split, IMDB sample, Set5/Set14); skip when absent."""
    root = Path(os.environ.get("GANZOO_DATA", ""))
    if not (root / "MNIST" / "raw").is_dir():
        pytest.skip("real data not found: set GANZOO_DATA to the shared data folder")
    return root


@pytest.fixture(scope="session")
def mnist_classifier():
    """The MNIST classifier, trained once on the real train split and cached under $GANZOO_CACHE."""
    root = Path(os.environ.get("GANZOO_DATA", ""))
    if not (root / "MNIST" / "raw").is_dir():
        pytest.skip("real data not found: set GANZOO_DATA to the shared data folder")
    from ganzoo.metrics.classifier import load_classifier

    return load_classifier("mnist", root)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a temporary working directory, so default run directories land there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Call ``ganzoo`` in-process: returns (exit code, stdout, stderr)."""
    from ganzoo.cli import main

    def invoke(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``cuda``-marked tests on a machine without a CUDA device (torch is imported only if some are collected)."""
    cuda_tests = [item for item in items if item.get_closest_marker("cuda") is not None]
    if not cuda_tests:
        return
    import torch

    if not torch.cuda.is_available():
        skip = pytest.mark.skip(reason="needs a CUDA device")
        for item in cuda_tests:
            item.add_marker(skip)
