"""Every installed model and loss plugin passes ganzoo.testing's contract checks (models landing later too)."""

from __future__ import annotations

import pytest
import torch

from ganzoo.registry import get_registry
from ganzoo.testing import (
    ContractError,
    DataUnavailable,
    check_dataset_plugin,
    check_loss_plugin,
    check_model_plugin,
    factory_modules_imported_by_listing,
)

MODELS = [spec.name for spec in get_registry().list("models")]
LOSSES = [spec.name for spec in get_registry().list("losses")]


@pytest.mark.parametrize("name", MODELS)
def test_model_plugin_meets_the_contract(name: str) -> None:
    try:
        report = check_model_plugin(name)
    except DataUnavailable as exc:
        pytest.skip(f"{name}: {exc}")
    assert report.phases and all(report.logs[phase] for phase in report.phases)


@pytest.mark.parametrize("name", LOSSES)
def test_loss_plugin_meets_the_contract(name: str) -> None:
    check_loss_plugin(name)


@pytest.mark.slow
def test_listing_imports_no_factory_module() -> None:
    assert factory_modules_imported_by_listing() == []


def test_a_model_that_breaks_the_contract_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    from ganzoo_plugins.dcgan.model import DCGAN

    monkeypatch.setattr(
        DCGAN, "sample", lambda self, n, generator=None, **c: {"image": self.generator(self.latent(n, generator)) + 1.5}
    )
    with pytest.raises(ContractError, match=r"model 'dcgan': sample\(\)\['image'\] must lie in \[-1, 1\]"):
        check_model_plugin("dcgan")


def test_a_model_with_hidden_state_fails_the_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    from ganzoo_plugins.dcgan.model import DCGAN

    original = DCGAN.training_step

    def counting_step(self, ctx):  # a Python-side counter the checkpoint cannot see
        self.calls = getattr(self, "calls", 0) + 1
        with torch.no_grad():
            self.generator.net[0].weight.mul_(1 + self.calls)
        return original(self, ctx)

    monkeypatch.setattr(DCGAN, "training_step", counting_step)
    with pytest.raises(ContractError, match="the step after a restore differs"):
        check_model_plugin("dcgan")


def test_digits_dataset_meets_the_contract() -> None:
    data = check_dataset_plugin("digits", {"limit": 100})
    assert len(data) == 100 and data.info.shape == (1, 32, 32)
