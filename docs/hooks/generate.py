"""mkdocs hook: generate the reference pages from ganzoo's registry at build time, so they cannot drift.

Pages added to the build (none is written into ``docs/``):

- ``reference/config.md``: every trainer key (``ganzoo.config.TRAINER_KEYS``), every installed model's
  ``model_keys()`` and every dataset's ``data`` defaults, with type, bounds and doc.
- ``reference/cli.md``: every command and option, from ``ganzoo.cli.build_parser()`` (plugin commands too).
- ``models/index.md`` and ``models/<name>.md``: one page per installed model (spec, keys, the trainer
  defaults it sets, measured results from ``benchmarks/results_page.py``, a gallery picture when
  ``benchmarks/results/gallery/<name>.png`` is committed), then the hand-written notes in
  ``docs/models/notes/<name>.md`` when present.
- ``benchmarks/results.md``: the results page, rendered by ``benchmarks/results_page.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
NOTES = ROOT / "docs" / "models" / "notes"
GALLERY = ROOT / "benchmarks" / "results" / "gallery"
LOSS_ANY = "any adversarial loss plugin"
LOSS_OWN = "its own objective (a `loss` setting is an error)"


def _results_page() -> Any:
    spec = importlib.util.spec_from_file_location("results_page", ROOT / "benchmarks" / "results_page.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["results_page"] = module
    spec.loader.exec_module(module)
    return module


def _cell(value: Any) -> str:
    text = "`null`" if value is None else f"`{value!r}`" if isinstance(value, str) else f"`{value}`"
    return text.replace("|", "\\|")


def _keys_table(keys: dict[str, Any], prefix: str = "") -> list[str]:
    lines = ["| key | default | type | meaning |", "|---|---|---|---|"]
    for name, key in keys.items():
        doc = (key.doc or "").replace("|", "\\|")
        lines.append(f"| `{prefix}{name}` | {_cell(key.default)} | {key.describe()} | {doc} |")
    return lines


def _flat(mapping: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def arxiv(paper: str) -> str:
    return f"[arXiv {paper}](https://arxiv.org/abs/{paper})" if paper else "-"


def config_page(registry: Any) -> str:
    from ganzoo.config import TRAINER_KEYS

    lines = [
        "# Config reference",
        "",
        "Generated at build time from `ganzoo.config.TRAINER_KEYS` and each installed model's "
        "`ModelSpec.model_keys()`, so it always matches the code. A config is resolved as trainer defaults "
        "< dataset defaults < model defaults < `--config FILE.yaml` < `--set KEY=VALUE` (or the keyword "
        "arguments of `ganzoo.train`). An unknown key or a value of the wrong type or range is one error "
        "line naming the closest valid key. `ganzoo info MODEL` prints the same keys in the terminal.",
        "",
        "## Trainer keys (every model)",
        "",
    ]
    lines += _keys_table(TRAINER_KEYS)
    lines += ["", "## Model keys (`model.*`)", ""]
    for spec in registry.list("models", "*"):
        lines += [f"### {spec.name}", "", f"{spec.summary}. Page: [{spec.name}](../models/{spec.name}.md).", ""]
        keys = spec.model_keys()
        lines += _keys_table(keys, "model.") if keys else ["This model declares no `model.*` keys."]
        lines.append("")
    lines += [
        "## Dataset keys (`data.*`)",
        "",
        "Every dataset also takes `data.root` (where its files live; default `$GANZOO_DATA`, else "
        "`~/.cache/ganzoo`). Types follow the defaults.",
        "",
        "| dataset | key | default |",
        "|---|---|---|",
    ]
    for spec in registry.list("datasets", "*"):
        for key, value in _flat(dict(spec.defaults)).items():
            lines.append(f"| `{spec.name}` | `data.{key}` | {_cell(value)} |")
    return "\n".join(lines) + "\n"


def cli_page() -> str:
    import os

    from ganzoo.cli import build_parser

    os.environ["COLUMNS"] = "100"  # argparse wraps help to the terminal: fix the width so builds are stable
    parser = build_parser()
    lines = [
        "# CLI reference",
        "",
        "Generated at build time from `ganzoo.cli.build_parser()`, including the "
        "commands that installed plugins add. Every user error prints one `error:` line and exits with "
        "code 2.",
        "",
        "```text",
        parser.format_usage().strip(),
        "```",
        "",
    ]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                lines += [
                    f"## `ganzoo {name}`",
                    "",
                    (helps.get(name) or "").rstrip(".") + ".",
                    "",
                    "```text",
                    sub.format_help().replace("usage: ", "", 1).strip(),
                    "```",
                    "",
                ]
    return "\n".join(lines)


def model_page(spec: Any, entries: list[Any], picture: str | None) -> str:
    lines = [
        f"# {spec.name}",
        "",
        f"{spec.summary}.",
        "",
        "| | |",
        "|---|---|",
        f"| paper | {arxiv(spec.paper)} |",
        f"| data kinds | {', '.join(spec.data_kinds)} |",
        f"| conditions | {', '.join(spec.conditions) or 'none'} |",
        f"| `loss` | {LOSS_ANY if spec.takes_loss else LOSS_OWN} |",
        f"| registered by | `{spec.source}` |",
        "",
        "```bash",
        f"ganzoo run {spec.name}",
        f"ganzoo info {spec.name}          # these keys in the terminal",
        "```",
        "",
    ]
    if picture:
        lines += ["## Samples", "", f"![{spec.name} samples]({picture})", ""]
    lines += ["## Keys", ""]
    keys = spec.model_keys()
    lines += _keys_table(keys, "model.") if keys else ["This model declares no `model.*` keys."]
    others = {k: v for k, v in _flat(dict(spec.defaults)).items() if not k.startswith("model.")}
    if others:
        lines += [
            "",
            "Trainer and loss defaults this model sets (override them with `--set`):",
            "",
            "| key | value |",
            "|---|---|",
        ] + [f"| `{k}` | {_cell(v)} |" for k, v in others.items()]
    lines += [
        "",
        "Keys every model shares: [config reference](../reference/config.md#trainer-keys-every-model).",
        "",
        "## Measured results",
        "",
    ]
    mine = [e for e in entries if e.model == spec.name]
    if mine:
        lines += [
            "From the committed results JSON (protocols on the [results page](../benchmarks/results.md)).",
            "",
            "| dataset | metric | value | steps | seeds | source |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {e.dataset} | {e.metric} | {e.value} | {e.protocol.get('steps', '-')} | "
            f"{e.protocol.get('seeds', '-')} | `{e.source}` |"
            for e in mine
        ]
    else:
        lines.append("Not measured yet: no committed results file holds a number for this model.")
    notes = NOTES / f"{spec.name}.md"
    if notes.is_file():
        lines += ["", notes.read_text(encoding="utf-8").rstrip()]
    return "\n".join(lines) + "\n"


def models_index(registry: Any, heads: dict[str, Any]) -> str:
    lines = [
        "# Models",
        "",
        "Every installed model (generated from the registry; a third-party plugin's "
        "models appear here when it is installed at build time).",
        "",
        "| model | paper | data | headline result |",
        "|---|---|---|---|",
    ]
    for spec in registry.list("models", "*"):
        head = heads.get(spec.name)
        result = f"{head.metric}: {head.value} ({head.dataset})" if head else "not measured yet"
        lines.append(
            f"| [{spec.name}]({spec.name}.md) | {arxiv(spec.paper)} | {', '.join(spec.data_kinds)} | {result} |"
        )
    return "\n".join(lines) + "\n"


def on_files(files: Files, config: Any) -> Files:
    from ganzoo.registry import get_registry

    registry = get_registry()
    page = _results_page()
    entries = page.collect()
    heads = page.headlines(entries)

    def add(uri: str, content: str) -> None:
        if files.get_file_from_path(uri) is not None:
            files.remove(files.get_file_from_path(uri))
        files.append(File.generated(config, uri, content=content))

    add("reference/config.md", config_page(registry))
    add("reference/cli.md", cli_page())
    add("models/index.md", models_index(registry, heads))
    for spec in registry.list("models", "*"):
        picture = None
        if (GALLERY / f"{spec.name}.png").is_file():
            files.append(
                File.generated(config, f"models/img/{spec.name}.png", abs_src_path=str(GALLERY / f"{spec.name}.png"))
            )
            picture = f"img/{spec.name}.png"
        add(f"models/{spec.name}.md", model_page(spec, entries, picture))
    if (GALLERY / "montage.png").is_file():
        files.append(File.generated(config, "img/montage.png", abs_src_path=str(GALLERY / "montage.png")))
    results_md = page.render()
    add("benchmarks/results.md", results_md)
    for picture in sorted(set(re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", results_md))):
        source = page.RESULTS / picture  # the page links its pictures relative to benchmarks/results/
        if source.is_file() and files.get_file_from_path(f"benchmarks/{picture}") is None:
            files.append(File.generated(config, f"benchmarks/{picture}", abs_src_path=str(source)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Show the gallery montage at the top of the home page once it is committed."""
    if page.file.src_uri == "index.md" and (GALLERY / "montage.png").is_file():
        title, _, rest = markdown.partition("\n")
        return f"{title}\n\n![samples of every built-in model](img/montage.png)\n{rest}"
    return markdown
