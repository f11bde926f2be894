"""The plugin contract: one hook per kind of spec.

A plugin is a module registered under the ``ganzoo`` entry-point group in its ``pyproject.toml``::

    [project.entry-points.ganzoo]
    my_gan = "my_package.plugin"

and implements any of the hooks below with ``@ganzoo.hookimpl``. The spec hooks return lists of specs;
specs must be cheap (no networks built, no data read) because ``ganzoo list`` calls every hook. A
``ganzoo_*`` function that is not one of ``HOOKS`` (a misspelling) marks the plugin broken.

A plugin module may declare the plugin API it was written for, ``GANZOO_PLUGIN_API = "1"``. A module
that declares nothing is taken as written for the current API; one that declares a version this ganzoo
does not support is listed as broken with the reason, and its hooks are never called.
"""

from __future__ import annotations

import argparse

import pluggy

from ganzoo.specs import DatasetSpec, EvaluatorSpec, LossSpec, ModelSpec

PROJECT = "ganzoo"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

# The plugin API: the hooks, the spec fields, GANModule, AdversarialGAN and StepContext. The major version
# changes only when a change breaks existing plugins; SUPPORTED_PLUGIN_APIS lists every version this ganzoo
# still runs. API 2 moved training policy into the trainer (train.d_steps, g_lr/d_lr, lr_schedule,
# grad_clip, ema) and added typed ``ModelSpec.keys``; API-1 plugins load unchanged, and their old keys
# (model.n_critic, model.g_lr, ...) map onto the new ones with a deprecation notice.
PLUGIN_API_VERSION = "2"
SUPPORTED_PLUGIN_APIS = ("1", "2")
API_ATTRIBUTE = "GANZOO_PLUGIN_API"


@hookspec
def ganzoo_models() -> list[ModelSpec]:
    """Return the GAN models this plugin provides; each factory builds a ``ganzoo.GANModule``."""


@hookspec
def ganzoo_losses() -> list[LossSpec]:
    """Return the named losses this plugin provides, for models to pick with ``--set loss=NAME``."""


@hookspec
def ganzoo_datasets() -> list[DatasetSpec]:
    """Return the datasets this plugin provides; each factory returns a ``ganzoo.LoadedData``."""


@hookspec
def ganzoo_evaluators() -> list[EvaluatorSpec]:
    """Return metrics for a data kind or for named datasets; the bench scores every cell with them."""


@hookspec
def ganzoo_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add CLI subcommands: ``p = subparsers.add_parser(NAME, help=...)``, its arguments, then
    ``p.set_defaults(handler=FUNCTION)``; ``FUNCTION(args)`` runs the command (import heavy modules inside it,
    raise ``ganzoo.UserError`` for a one-line error with exit code 2). As llm's ``register_commands``."""


HOOKS = ("ganzoo_models", "ganzoo_losses", "ganzoo_datasets", "ganzoo_evaluators", "ganzoo_commands")
