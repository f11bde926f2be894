"""Listing is cheap: ``import ganzoo``, ``ganzoo list``, ``info`` and ``plugins`` never import torch."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = (
    "import sys; from ganzoo.cli import main; code = main(sys.argv[1:]); "
    "heavy = sorted(m for m in ('torch', 'numpy', 'torchvision') if m in sys.modules); "
    "print('HEAVY', code, heavy, file=sys.stderr)"
)


@pytest.mark.parametrize(
    "command", [["list"], ["list", "models", "*gan"], ["info", "dcgan"], ["info", "digits"], ["plugins"]]
)
def test_listing_commands_do_not_import_torch(command: list[str]) -> None:
    result = subprocess.run([sys.executable, "-c", PROBE, *command], capture_output=True, text=True)
    assert result.stderr.strip().splitlines()[-1] == "HEAVY 0 []", result.stderr


def test_the_package_root_and_its_spec_types_are_torch_free() -> None:
    code = (
        "import sys, ganzoo; from ganzoo import ModelSpec, Key, hookimpl, IMAGE; ganzoo.list_models(); "
        "print('torch' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
