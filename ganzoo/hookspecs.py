"""The plugin contract: one hook per kind of spec.

A plugin is a module registered under the ``ganzoo`` entry-point group in its ``pyproject.toml``::

    [project.entry-points.ganzoo]
    my_gan = "my_package.plugin"

and implements any of the hooks below with ``@ganzoo.hookimpl``. Each hook returns a list of specs;
specs must be cheap (no networks built, no data read) because ``ganzoo list`` calls every hook.
"""

from __future__ import annotations

import pluggy

from ganzoo.specs import DatasetSpec, LossSpec, ModelSpec

PROJECT = "ganzoo"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def ganzoo_models() -> list[ModelSpec]:
    """Return the GAN models this plugin provides; each factory builds a ``ganzoo.GANModule``."""


@hookspec
def ganzoo_losses() -> list[LossSpec]:
    """Return the named losses this plugin provides, for models to pick with ``--set loss=NAME``."""


@hookspec
def ganzoo_datasets() -> list[DatasetSpec]:
    """Return the datasets this plugin provides; each factory returns a ``ganzoo.LoadedData``."""
