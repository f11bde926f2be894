"""Property-based tests: no bad input gives a traceback.

Hypothesis generates config files (wrong types, negative sizes, unknown keys, empty YAML, YAML that is
not a mapping, bytes that are not text), ``--set`` overrides, whole command lines and dataset roots
(missing, empty, wrong files, truncated or corrupt files). Each goes through ``ganzoo.cli.main``
in-process; the property: no exception escapes, and the exit code is 0 (the input was fine), 2 (one
``error:`` line naming the problem) or 3 (training diverged, one line). Any single-byte flip or
truncation of a checkpoint is detected or harmless. Counts are printed at the end of the module.
"""

from __future__ import annotations

import json
import os
import string
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ganzoo.errors import UserError
from ganzoo.registry import get_registry
from ganzoo.trainer.checkpoint import CheckpointError, load_checkpoint, save_checkpoint

GENERATED: Counter[str] = Counter()
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Appended to every `run`: a valid input trains one tiny step, so only bad input costs nothing.
TINY_RUN = [
    "--no-progress",
    "--device",
    "cpu",
    "--set",
    "train.steps=1",
    "--set",
    "train.batch_size=8",
    "--set",
    "train.num_samples=4",
    "--set",
    "model.g_channels=4",
    "--set",
    "model.d_channels=4",
    "--set",
    "train.sample_every=1000",
    "--set",
    "train.checkpoint_every=1000",
]


@pytest.fixture(scope="module", autouse=True)
def report_counts() -> Iterator[None]:
    """Print how many inputs each property saw (the report quotes these numbers)."""
    yield
    total = sum(GENERATED.values())
    print(
        f"\nfuzz: {total} generated inputs, none crashed: "
        + ", ".join(f"{kind} {n}" for kind, n in sorted(GENERATED.items()))
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One working directory for the module, so run directories of valid inputs land there."""
    path = tmp_path_factory.mktemp("fuzz")
    before = Path.cwd()
    os.chdir(path)
    yield path
    os.chdir(before)


def _clean(kind: str, result: tuple[int, str, str]) -> None:
    """The property every input must satisfy: a known exit code and, for errors, exactly one line."""
    GENERATED[kind] += 1
    code, _, err = result
    assert code in (0, 2, 3), f"exit code {code}:\n{err}"
    if code:
        # split on newlines only: str.splitlines() also breaks at characters like \x1e that users may type
        lines = [line for line in err.split("\n") if line.strip() and not line.startswith("warning:")]
        assert "Traceback" not in err
        assert len([line for line in lines if line.startswith("error:")]) == 1, err
        assert lines[-1].startswith("error:"), err


# --- configs ------------------------------------------------------------------------------------------


def _dcgan_keys() -> list[str]:
    from ganzoo.runner import default_config

    registry = get_registry()
    config = default_config(registry.model("dcgan"), registry.dataset("digits"))

    def walk(node: dict, prefix: str) -> Iterator[str]:
        for key, value in node.items():
            yield from walk(value, f"{prefix}{key}.") if isinstance(value, dict) else [f"{prefix}{key}"]

    return [k for k in walk(config, "") if not k.endswith(".name")]


KEYS = _dcgan_keys()
NAME = st.text(alphabet=string.ascii_letters + "_-", min_size=1, max_size=8)
# Values of every type; integers stay small or negative so that no valid input asks for a long run.
EDGES = st.sampled_from(
    [
        -(2**70),
        -(2**63) - 1,
        -(2**63),
        -1,
        0,
        1,
        2,
        2**63,
        2**70,
        10**400,
        -1.0,
        0.0,
        1e-300,
        1e308,
        float("nan"),
        float("inf"),
        -float("inf"),
        True,
        False,
        None,
        "",
        "auto",
        "x",
    ]
)
SCALARS = st.one_of(
    EDGES,
    st.integers(-(2**70), 2),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(alphabet=string.ascii_letters + " -_./:", max_size=10),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(NAME, inner, max_size=3)),
    max_leaves=6,
)


def _nest(pairs: dict[str, object]) -> dict:
    """{'train.lr': 1} -> {'train': {'lr': 1}} (a later key may overwrite a section with a value)."""
    root: dict = {}
    for path, value in pairs.items():
        node = root
        parts = path.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            node = node.setdefault(part, {}) if isinstance(child, dict) or child is None else node
        node[parts[-1]] = value
    return root


KEY_PATHS = st.one_of(
    st.sampled_from(KEYS),
    st.builds(lambda a, b: f"{a}.{b}", st.sampled_from(["train", "model", "data", "loss", "seed"]), NAME),
    NAME,
)
CONFIG_TEXT = st.one_of(
    st.dictionaries(KEY_PATHS, VALUES, max_size=5).map(lambda d: yaml.safe_dump(_nest(d))),
    VALUES.map(yaml.safe_dump),  # often not a mapping
    st.just(""),
    st.just("---\n"),
    st.just("null"),
    st.text(max_size=60),  # mostly invalid YAML
)


@pytest.mark.slow
@settings(FUZZ, max_examples=60)
@given(text=CONFIG_TEXT, raw=st.none() | st.binary(max_size=40))
def test_config_files_never_crash(text: str, raw: bytes | None, workdir: Path, cli) -> None:
    path = workdir / "fuzz.yaml"
    if raw is not None:
        path.write_bytes(raw)
    else:
        path.write_text(text, encoding="utf-8")
    _clean("config file", cli("run", "dcgan", "--config", str(path), *TINY_RUN))


OVERRIDE = st.builds(
    lambda key, value: f"{key}={value}",
    KEY_PATHS,
    st.one_of(
        SCALARS.map(lambda v: yaml.safe_dump(v).splitlines()[0] if v is not None else ""),
        st.text(alphabet=string.ascii_letters + "[]{},:=. -", max_size=10),
    ),
)


@settings(FUZZ, max_examples=30)
@given(overrides=st.lists(st.one_of(OVERRIDE, st.text(max_size=12)), min_size=1, max_size=4))
def test_set_overrides_never_crash(overrides: list[str], workdir: Path, cli) -> None:
    args = [arg for value in overrides for arg in ("--set", value)]
    _clean("--set override", cli("run", "dcgan", *TINY_RUN, *args))


def _as_text(value: object) -> str:
    """How a user would type ``value`` after ``--set KEY=`` (JSON is YAML, and NaN/Infinity stay strings)."""
    return json.dumps(value) if not isinstance(value, str) else value


@pytest.mark.slow
@settings(FUZZ, max_examples=90)
@given(key=st.sampled_from(KEYS), value=st.one_of(EDGES, VALUES).map(_as_text))
def test_any_value_for_any_key_never_crashes(key: str, value: str, workdir: Path, cli) -> None:
    _clean("one key, any value", cli("run", "dcgan", *TINY_RUN, "--set", f"{key}={value}"))


# --- command lines ------------------------------------------------------------------------------------

WORDS = [
    "list",
    "info",
    "plugins",
    "sample",
    "models",
    "losses",
    "datasets",
    "*gan*",
    "dcgan",
    "dcgn",
    "digits",
    "mnist",
    "bce",
    "--out",
    "-n",
    "--seed",
    "--set",
    "--config",
    "--device",
    "--dataset",
    "-d",
    "--resume",
    "--help",
    "-h",
    "x=1",
    "0",
    "-1",
    "3",
    "cpu",
    "tpu",
    "no/such/dir",
    "a.png",
    "b.npz",
    "c.txt",
    "",
    "-",
    "--",
    "--bogus",
]


@settings(FUZZ, max_examples=80)
@given(words=st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)), max_size=6), run=st.booleans())
def test_command_lines_never_crash(words: list[str], run: bool, workdir: Path, cli) -> None:
    if "--help" in words or "-h" in words:
        words = [w for w in words if w not in ("--help", "-h")]  # argparse exits 0 through SystemExit
    args = ["run", "dcgan", *words, *TINY_RUN] if run else words
    _clean("command line", cli(*args))


@pytest.fixture(scope="module")
def tiny_run(workdir: Path) -> Path:
    """A finished two-step run that ``sample`` and ``--resume`` can be fuzzed against."""
    from ganzoo.cli import main

    assert main(["run", "dcgan", "--out", "sample-me", *TINY_RUN, "--set", "train.steps=2"]) == 0
    return workdir / "sample-me"


@settings(FUZZ, max_examples=30)
@given(
    n=st.integers(-5, 6),
    out=st.sampled_from(["g.png", "g.npz", "g.jpg", "", "dir/", "x.PNG"]),
    seed=st.integers(-(2**70), 2**70),
)
def test_sample_arguments_never_crash(n: int, out: str, seed: int, tiny_run: Path, cli) -> None:
    args = ["sample", str(tiny_run), "-n", str(n), "--seed", str(seed)] + (["--out", out] if out else [])
    _clean("sample arguments", cli(*args))


# --- dataset roots ------------------------------------------------------------------------------------

MNIST_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
LAYOUTS = {
    "mnist": [f"MNIST/raw/{name}" for name in MNIST_FILES],
    "fashion-mnist": [f"FashionMNIST/raw/{name}" for name in MNIST_FILES],
    "cifar10": [
        "cifar-10-batches-py/test_batch",
        "cifar-10-batches-py/batches.meta",
        *[f"cifar-10-batches-py/data_batch_{i}" for i in range(1, 6)],
    ],
}
DAMAGE = st.sampled_from(["garbage", "truncated", "header", "real", "empty", "directory", "absent"])


def _real_file(relative: str) -> Path | None:
    """The same file in the real data folder (Fashion-MNIST borrows MNIST's), if present."""
    root = Path(os.environ.get("GANZOO_DATA", "/nonexistent"))
    path = root / relative.replace("FashionMNIST", "MNIST")
    return path if path.is_file() else None


def _damaged(target: Path, relative: str, damage: str, noise: bytes, cut: int) -> None:
    """Write one file of a dataset layout, damaged as ``damage`` says."""
    real = _real_file(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    if damage == "absent":
        return
    if damage == "directory":
        target.mkdir()
    elif damage == "real" and real is not None:
        target.symlink_to(real)
    elif damage in ("truncated", "header") and real is not None:
        with real.open("rb") as handle:
            head = handle.read(cut if damage == "truncated" else 16)
        target.write_bytes(head + (noise if damage == "header" else b""))
    else:
        target.write_bytes(b"" if damage == "empty" else noise)


@pytest.mark.slow
@settings(FUZZ, max_examples=40)
@given(
    dataset=st.sampled_from(sorted(LAYOUTS)),
    root_kind=st.sampled_from(["layout", "layout", "layout", "missing", "file"]),
    damages=st.lists(DAMAGE, min_size=7, max_size=7),
    noise=st.binary(max_size=64),
    cut=st.integers(0, 3000),
    split=st.sampled_from(["test", "train"]),
)
def test_dataset_roots_never_crash(
    dataset: str, root_kind: str, damages: list[str], noise: bytes, cut: int, split: str, workdir: Path, cli
) -> None:
    root = Path(tempfile.mkdtemp(prefix="root-", dir=workdir)) / "root"
    if root_kind == "file":
        root.write_bytes(noise)
    elif root_kind == "layout":
        for relative, damage in zip(LAYOUTS[dataset], damages):
            _damaged(root / relative, relative, damage, noise, cut)
    defaults = get_registry().dataset(dataset).defaults
    extra = ["--set", "data.download=false"] if "download" in defaults else []
    extra += ["--set", f"data.split={split}"] if "split" in defaults else []
    extra += ["--set", "data.limit=64"] if "limit" in defaults else []
    _clean("dataset root", cli("run", "dcgan", "--dataset", dataset, "--set", f"data.root={root}", *extra, *TINY_RUN))


IMAGE_KINDS = st.sampled_from(["good", "garbage", "truncated", "empty", "directory", "text"])


def _image_file(target: Path, kind: str, noise: bytes, cut: int) -> None:
    """One file of an image folder: a real small PNG, or a damaged or mislabelled one."""
    from PIL import Image

    if kind == "directory":
        target.mkdir()
        return
    if kind == "text":
        target.write_text("this is not an image")
        return
    image = Image.fromarray(torch.randint(0, 256, (32, 40, 3), dtype=torch.uint8).numpy())
    image.save(target.with_suffix(".png"), format="PNG")
    data = target.with_suffix(".png").read_bytes()
    target.with_suffix(".png").unlink()
    target.write_bytes({"good": data, "garbage": noise, "truncated": data[:cut], "empty": b""}[kind])


@pytest.mark.slow
@settings(FUZZ, max_examples=25)
@given(
    files=st.lists(st.tuples(IMAGE_KINDS, st.sampled_from([".png", ".jpg", ".bmp", ".txt"])), max_size=3),
    noise=st.binary(max_size=64),
    cut=st.integers(0, 400),
)
def test_image_folders_with_corrupt_images_never_crash(
    files: list[tuple[str, str]], noise: bytes, cut: int, workdir: Path, cli
) -> None:
    registry = get_registry()
    if "srgan" not in registry.specs["models"] or "sr-pairs" not in registry.specs["datasets"]:
        pytest.skip("the srgan model and sr-pairs dataset (image folders) are not registered")
    root = Path(tempfile.mkdtemp(prefix="images-", dir=workdir))
    for index, (kind, suffix) in enumerate(files):
        _image_file(root / f"{index}{suffix}", kind, noise, cut)
    tiny = [arg for key, value in _flat(registry.model("srgan").test_config) for arg in ("--set", f"{key}={value}")]
    _clean(
        "image folder",
        cli(
            "run",
            "srgan",
            "--dataset",
            "sr-pairs",
            "--set",
            f"data.root={root}",
            *tiny,
            "--no-progress",
            "--device",
            "cpu",
            "--set",
            "train.steps=1",
            "--set",
            "train.batch_size=2",
            "--set",
            "train.num_samples=2",
            "--set",
            "train.sample_every=1000",
            "--set",
            "train.checkpoint_every=1000",
        ),
    )


def _flat(fragment: dict, prefix: str = "") -> Iterator[tuple[str, object]]:
    for key, value in fragment.items():
        if isinstance(value, dict):
            yield from _flat(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", json.dumps(value)


# --- checkpoints --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checkpoint_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A small but realistic checkpoint: tensors, nested optimizer-like state and plain values."""
    path = tmp_path_factory.mktemp("ckpt") / "c.pt"
    generator = torch.Generator().manual_seed(0)
    save_checkpoint(
        path,
        {
            "step": 5,
            "config": {"train": {"lr": 2e-4, "betas": [0.5, 0.999]}},
            "model": {"w": torch.randn(64, 32, generator=generator), "b": torch.zeros(32)},
            "optimizers": {
                "g": {"state": {0: {"exp_avg": torch.ones(16)}}, "param_groups": [{"lr": 2e-4, "params": [0]}]}
            },
        },
    )
    return path.read_bytes()


@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_damaged_checkpoints_are_detected_or_harmless(
    data: st.DataObject, checkpoint_bytes: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    size = len(checkpoint_bytes)
    if data.draw(st.booleans(), label="truncate"):
        damaged = checkpoint_bytes[: data.draw(st.integers(0, size - 1), label="length")]
    else:
        position = data.draw(st.integers(0, size - 1), label="position")
        flipped = checkpoint_bytes[position] ^ data.draw(st.integers(1, 255), label="xor")
        damaged = checkpoint_bytes[:position] + bytes([flipped]) + checkpoint_bytes[position + 1 :]
    path = tmp_path_factory.mktemp("damaged") / "c.pt"
    path.write_bytes(damaged)
    original = torch.load(_original(checkpoint_bytes, path), weights_only=True)
    GENERATED["damaged checkpoint"] += 1
    try:
        state = load_checkpoint(path)
    except CheckpointError as exc:
        assert "\n" not in str(exc)
        return
    except UserError as exc:  # e.g. "not a ganzoo checkpoint"
        assert "\n" not in str(exc)
        return
    # Loaded: then it must be exactly the original (a flip in zip metadata that nothing reads).
    assert torch.equal(state["model"]["w"], original["model"]["w"])
    assert state["config"] == original["config"] and state["step"] == original["step"]


def test_a_flip_that_breaks_torchs_tensor_rebuild_is_a_corrupt_checkpoint(
    checkpoint_bytes: bytes, tmp_path: Path
) -> None:
    """Found by the fuzz test above: this flip in data.pkl makes torch's safe unpickler raise AssertionError
    (tensor metadata a tuple), which must still be the one-line corrupt-checkpoint error."""
    damaged = bytearray(checkpoint_bytes)
    damaged[454] ^= 215
    path = tmp_path / "c.pt"
    path.write_bytes(bytes(damaged))
    with pytest.raises(CheckpointError, match="corrupt or truncated") as caught:
        load_checkpoint(path)
    assert "\n" not in str(caught.value)


def _original(data: bytes, beside: Path) -> Path:
    path = beside.with_name("original.pt")
    path.write_bytes(data)
    return path


# --- filesystem faults --------------------------------------------------------------------------------

FS_ERRNOS = st.sampled_from(["ENOSPC", "EROFS", "EACCES", "EFBIG", "EDQUOT", "ENAMETOOLONG", "EIO", "EPERM"])


@pytest.mark.slow
@settings(FUZZ, max_examples=12)
@given(name=FS_ERRNOS, where=st.sampled_from(["mkstemp", "replace", "mkdir"]), after=st.integers(0, 6))
def test_filesystem_faults_never_crash(name: str, where: str, after: int, workdir: Path, cli) -> None:
    """The disk fails (full, read-only, quota, size limit...) at the Nth write of a given kind."""
    import errno
    import pathlib
    import tempfile as tempfile_module

    number = getattr(errno, name)
    target, attribute = {
        "mkstemp": (tempfile_module, "mkstemp"),
        "replace": (os, "replace"),
        "mkdir": (pathlib.Path, "mkdir"),
    }[where]
    original, calls = getattr(target, attribute), [0]

    def failing(*args, **kwargs):
        calls[0] += 1
        if calls[0] > after:
            raise OSError(number, os.strerror(number), str(args[0]) if args else "")
        return original(*args, **kwargs)

    setattr(target, attribute, failing)
    try:
        result = cli("run", "dcgan", "--out", tempfile.mkdtemp(dir=workdir) + "/run", *TINY_RUN)
    finally:
        setattr(target, attribute, original)
    _clean("filesystem fault", result)


# --- resume with changed settings ---------------------------------------------------------------------


@pytest.mark.slow
@settings(FUZZ, max_examples=25)
@given(key=st.sampled_from(KEYS), value=st.one_of(EDGES, VALUES).map(_as_text))
def test_resume_with_any_changed_setting_never_crashes(
    key: str, value: str, tiny_run: Path, workdir: Path, cli
) -> None:
    import shutil

    copy = Path(tempfile.mkdtemp(dir=workdir)) / "run"
    shutil.copytree(tiny_run, copy, ignore=shutil.ignore_patterns(".lock"))
    _clean(
        "resume with a change",
        cli(
            "run",
            "dcgan",
            "--out",
            str(copy),
            "--resume",
            *TINY_RUN,
            "--set",
            "train.steps=2",
            "--set",
            f"{key}={value}",
        ),
    )


# --- hostile files ------------------------------------------------------------------------------------


class _Hostile:
    """Unpickling this calls a function that could do anything (here: create a marker file)."""

    def __init__(self, marker: Path, how: str) -> None:
        self.marker, self.how = marker, how

    def __reduce__(self):  # type: ignore[no-untyped-def]
        if self.how == "system":
            return (os.system, (f"touch {self.marker}",))
        return (exec, (f"open({str(self.marker)!r}, 'w')",))


@settings(FUZZ, max_examples=15)
@given(
    how=st.sampled_from(["system", "exec"]),
    where=st.sampled_from(["data", "labels", "top", "meta"]),
    noise=st.binary(max_size=32),
)
def test_hostile_dataset_pickles_never_run_code(how: str, where: str, noise: bytes, workdir: Path, cli) -> None:
    import pickle

    root = Path(tempfile.mkdtemp(prefix="hostile-", dir=workdir))
    folder = root / "cifar-10-batches-py"
    folder.mkdir()
    marker = root / "marker"
    payload = _Hostile(marker, how)
    batch = {"data": payload if where == "data" else noise, "labels": payload if where == "labels" else [0]}
    (folder / "test_batch").write_bytes(pickle.dumps(payload if where == "top" else batch, protocol=2))
    meta = {"label_names": payload if where == "meta" else ["a"] * 10}
    (folder / "batches.meta").write_bytes(pickle.dumps(meta, protocol=2))
    result = cli(
        "run", "dcgan", "--dataset", "cifar10", "--set", f"data.root={root}", "--set", "data.download=false", *TINY_RUN
    )
    _clean("hostile file", result)
    assert result[0] == 2 and not marker.exists()


# --- hand-edited run files ----------------------------------------------------------------------------

EDITS = st.one_of(
    st.binary(max_size=40), VALUES.map(lambda v: json.dumps(v, default=str).encode()), CONFIG_TEXT.map(str.encode)
)


@pytest.mark.slow
@settings(FUZZ, max_examples=25)
@given(
    which=st.sampled_from(["metrics.jsonl", "config.yaml", "checkpoints/last.pt", "checkpoints"]),
    edit=EDITS,
    mode=st.sampled_from(["replace", "append", "directory"]),
    command=st.sampled_from(["resume", "sample"]),
)
def test_hand_edited_run_files_never_crash(
    which: str, edit: bytes, mode: str, command: str, tiny_run: Path, workdir: Path, cli
) -> None:
    import shutil

    copy = Path(tempfile.mkdtemp(dir=workdir)) / "run"
    shutil.copytree(tiny_run, copy, ignore=shutil.ignore_patterns(".lock"))
    target = copy / which
    if mode == "directory" or which == "checkpoints":
        shutil.rmtree(target) if target.is_dir() else target.unlink()
        target.mkdir()
    elif mode == "append":
        with target.open("ab") as handle:
            handle.write(edit)
    else:
        target.write_bytes(edit)
    args = (
        ["run", "dcgan", "--out", str(copy), "--resume", *TINY_RUN, "--set", "train.steps=3"]
        if command == "resume"
        else ["sample", str(copy), "-n", "2", "--out", str(copy / "s.png")]
    )
    _clean("hand-edited run file", cli(*args))


# --- suite values -------------------------------------------------------------------------------------

SUITE_KEYS = st.sampled_from(["name", "seeds", "threads", "device", "data_root", "budget", "eval", "set", "cells"])
SUITE_VALUES = st.one_of(
    EDGES,
    VALUES,
    st.just({"minutes": float("nan")}),
    st.just({"metrics": 5}),
    st.just("../../x"),
    st.just("/abs/dir"),
    st.just(100000),
    st.just([{"model": "../gan", "datasets": ["ring8"]}]),
)


@settings(FUZZ, max_examples=40)
@given(changes=st.dictionaries(SUITE_KEYS, SUITE_VALUES, max_size=3))
def test_suite_values_never_crash(changes: dict, workdir: Path, cli) -> None:
    data = {"name": "fuzz", "budget": {"steps": 1}, "cells": [{"model": "gan", "datasets": ["ring8"]}], **changes}
    path = Path(tempfile.mkdtemp(dir=workdir)) / "suite.yaml"
    path.write_text(yaml.safe_dump(data))
    # --only matches nothing: a valid suite stops with one line before training anything.
    _clean("suite values", cli("bench", str(path), "--only", "no-such/*", "--out", str(path.parent / "out")))
