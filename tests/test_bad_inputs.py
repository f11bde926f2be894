"""Inputs that used to crash or hang later: each is one ``error:`` line and exit 2, before any damage.

Filesystem faults (read-only, full disk, file-size limit, a file in the path, a name too long), damaged
images that pass ``verify``, values that pass type checks, hostile files (a FIFO as config, YAML nested
thousands deep, a 5 MB value) and hand-edited run files.
"""

from __future__ import annotations

import errno
import os
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganzoo.trainer.checkpoint import load_checkpoint, save_checkpoint

TINY = [
    "--no-progress",
    "--device",
    "cpu",
    "--set",
    "model.g_channels=4",
    "--set",
    "model.d_channels=4",
    "--set",
    "train.batch_size=8",
    "--set",
    "train.num_samples=4",
    "--set",
    "train.sample_every=1000",
    "--set",
    "train.precision=fp32",
]


def one_error(result: tuple[int, str, str], code: int = 2) -> str:
    """The single error line of a failed command (and nothing else on stderr but warnings)."""
    got, _, err = result
    errors = [line for line in err.strip().split("\n") if line.startswith("error:")]
    assert got == code and len(errors) == 1 and err.strip().split("\n")[-1] == errors[0], err[-3000:]
    assert "Traceback" not in err and len(errors[0]) < 1000
    return errors[0]


@pytest.fixture
def finished(in_tmp: Path, cli) -> Path:
    """A two-step dcgan run with checkpoints at step 1 and 2."""
    assert (
        cli("run", "dcgan", "--out", "run", *TINY, "--set", "train.steps=2", "--set", "train.checkpoint_every=1")[0]
        == 0
    )
    return in_tmp / "run"


# --- filesystem faults --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "fix"),
    [(errno.EROFS, "read-only"), (errno.ENOSPC, "free some disk space"), (errno.EACCES, "permissions")],
)
def test_a_failing_disk_is_one_line(in_tmp: Path, cli, monkeypatch: pytest.MonkeyPatch, number: int, fix: str) -> None:
    import tempfile

    def refuse(*args: object, dir: str = "", **kwargs: object) -> None:
        raise OSError(number, os.strerror(number), str(dir))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)  # every file a run writes goes through atomic_write
    line = one_error(cli("run", "dcgan", "--out", "run", *TINY, "--set", "train.steps=1"))
    assert os.strerror(number) in line and fix in line and "run" in line


@pytest.mark.subprocess
@pytest.mark.slow
def test_file_size_limit_is_one_line(tmp_path: Path) -> None:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    proc = subprocess.run(
        [sys.executable, "-m", "ganzoo", "run", "dcgan", "--out", "run", *TINY, "--set", "train.steps=1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        preexec_fn=limit,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        timeout=300,
    )
    line = one_error((proc.returncode, proc.stdout, proc.stderr))
    assert "File too large" in line and "ulimit -f" in line


def test_bad_output_paths_are_one_line(in_tmp: Path, cli) -> None:
    (in_tmp / "a-file").write_text("x")
    assert "is a file, not a folder" in one_error(cli("run", "dcgan", "--out", "a-file/run", *TINY))
    assert "use a shorter path" in one_error(cli("run", "dcgan", "--out", "r" * 300, *TINY))
    assert (in_tmp / "a-file").read_text() == "x"


# --- damaged images that pass verify() ----------------------------------------------------------------


def _png_with_bad_data_stream(path: Path) -> None:
    """A PNG whose chunks and CRCs are valid but whose compressed pixels are garbage: verify() passes."""
    import struct
    import zlib

    raw = zlib.compress(b"\x00" * 10)[:-6] + b"\xff" * 40  # a deflate stream that ends mid-image

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def test_damaged_images_are_reported_before_training(in_tmp: Path, cli) -> None:
    folder = in_tmp / "images"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in ("good.png", "truncated.jpg"):
        Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(folder / name)
    data = (folder / "truncated.jpg").read_bytes()
    (folder / "truncated.jpg").write_bytes(data[: len(data) // 2])
    _png_with_bad_data_stream(folder / "stream.png")
    for bad in ("truncated.jpg", "stream.png"):
        with Image.open(folder / bad) as handle:
            handle.verify()  # both pass the cheap check
    line = one_error(
        cli(
            "run",
            "srgan",
            "--dataset",
            "sr-pairs",
            "--set",
            f"data.root={folder}",
            "--no-progress",
            "--set",
            "model.blocks=1",
            "--set",
            "model.channels=8",
            "--set",
            "data.hr_size=32",
            "--set",
            "train.steps=2",
            "--set",
            "train.batch_size=2",
        )
    )
    assert line.startswith("error: cannot decode 2 image(s): ") and "stream.png" in line and "truncated.jpg" in line
    assert not any((in_tmp / "runs").iterdir())  # nothing left behind: the failed run's empty directory is removed


# --- values that pass type checks and crash later -----------------------------------------------------


@pytest.mark.parametrize(
    ("model", "override", "expected"),
    [
        ("seqgan", "model.embed_dim=0", "'model.embed_dim' must be an integer in [1, 100000], got 0"),
        ("seqgan", "model.hidden_dim=0", "'model.hidden_dim' must be an integer in [1, "),
        ("seqgan", "model.rollout_num=0", "'model.rollout_num' must be an integer in [1, "),
        ("srgan", "model.channels=0", "'model.channels' must be an integer in [1, "),
        ("dcgan", "model.g_channels=9999999", "'model.g_channels' must be an integer in [1, 4096], got 9999999"),
        ("dcgan", "data.image_size=9999999", "'data.image_size' must be at most 8,192 pixels"),
        ("dcgan", "train.lr=1e39", "'train.lr' must be a number in [0, 1e+30], got 1e+39"),
        ("dcgan", "model.g_channels=" + "x" * 5_000_000, "(5,000,002 characters)"),
        ("dcgan", "model.g_channels=" + "9" * 5000, "must be an integer in [1, 4096], got '9999"),
    ],
    ids=lambda value: value[:40],
)
def test_values_out_of_bounds_are_one_line(in_tmp: Path, cli, model: str, override: str, expected: str) -> None:
    line = one_error(cli("run", model, "--set", override, "--set", "train.steps=1", "--no-progress"))
    assert expected in line, line


def test_sample_arguments_out_of_range_are_one_line(in_tmp: Path, cli) -> None:
    assert cli("run", "cgan", "--out", "c", *TINY, "--set", "train.steps=1")[0] == 0
    assert "-n must be from 1 to 100,000, got 3000000" in one_error(cli("sample", "c", "-n", "3000000"))
    assert "label must be in 0..9 for dataset 'digits', got 1180591620717411303424" in one_error(
        cli("sample", "c", "--label", str(2**70))
    )
    assert cli("sample", "c", "--label", "9", "-n", "2", "--out", "g.png")[0] == 0


# --- hostile files ------------------------------------------------------------------------------------


def test_a_fifo_as_config_does_not_hang(in_tmp: Path, cli) -> None:
    os.mkfifo(in_tmp / "pipe.yaml")
    assert "is not a regular file" in one_error(cli("run", "dcgan", "--config", "pipe.yaml", *TINY))


@pytest.mark.slow
def test_yaml_nested_thousands_deep_is_one_line(in_tmp: Path, cli) -> None:
    (in_tmp / "deep.yaml").write_text("a: " + "[" * 5000 + "]" * 5000)
    assert "nested too deeply" in one_error(cli("run", "dcgan", "--config", "deep.yaml", *TINY))
    (in_tmp / "suite.yaml").write_text("name: " + "[" * 5000 + "]" * 5000)
    assert "nested too deeply" in one_error(cli("bench", "suite.yaml"))


# --- hand-edited run files ----------------------------------------------------------------------------


def test_hand_edited_metrics_lines_are_skipped_on_resume(finished: Path, cli) -> None:
    with (finished / "metrics.jsonl").open("a") as handle:
        handle.write('5\n["step"]\n{"step": "x"}\n{"step": 1.5}\n')
    assert cli("run", "dcgan", "--out", "run", "--resume", *TINY, "--set", "train.steps=3")[0] == 0
    steps = [line.split(",")[0] for line in (finished / "metrics.jsonl").read_text().splitlines()]
    assert steps == ['{"step": 2', '{"step": 3']  # the final steps of both runs (log_every 10), junk dropped


def test_a_hand_edited_config_is_checked_like_a_config_file(in_tmp: Path, cli) -> None:
    assert (
        cli("run", "dcgan", "--out", "run", *TINY, "--set", "train.steps=1", "--set", "train.checkpoint_every=1000")[0]
        == 0
    )
    for path in (in_tmp / "run" / "checkpoints").glob("*.pt"):
        path.unlink()
    text = (in_tmp / "run" / "config.yaml").read_text().replace("batch_size: 8", "batch_size: lots")
    (in_tmp / "run" / "config.yaml").write_text(text)
    line = one_error(cli("run", "dcgan", "--out", "run", "--resume", *TINY))
    assert "the saved config of run: 'train.batch_size' must be an integer in [1, 1000000], got 'lots'" in line


def test_last_checkpoint_that_is_a_directory(finished: Path, cli) -> None:
    last = finished / "checkpoints" / "last.pt"
    last.unlink()
    last.mkdir()
    assert "checkpoint run/checkpoints/last.pt is not a file" in one_error(cli("sample", "run", "-n", "2"))
    result = cli("run", "dcgan", "--out", "run", "--resume", *TINY, "--set", "train.steps=3")
    assert "last.pt is not a file; falling back to the previous checkpoint" in result[2]
    assert one_error(result) == (
        "error: cannot write run/checkpoints/last.pt: a folder of that name is in the way; remove or rename it"
    )


def test_a_resealed_checkpoint_without_config_is_one_line(finished: Path, cli) -> None:
    last = finished / "checkpoints" / "last.pt"
    state = load_checkpoint(last)
    del state["config"]
    save_checkpoint(last, state)
    assert "checkpoint run/checkpoints/last.pt is incomplete (no config)" in one_error(cli("sample", "run"))


# --- smaller -----------------------------------------------------------------------------------------


def test_an_interrupted_suite_says_how_to_continue(in_tmp: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import ganzoo.bench.runner

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(ganzoo.bench.runner, "run_suite", interrupted)
    suite = Path(__file__).parents[1] / "benchmarks" / "toy.yaml"
    code, _, err = cli("bench", str(suite), "--out", "b")
    assert code == 130 and "None" not in err
    assert err.strip() == (
        f"interrupted: finished seeds are kept and the interrupted one continues from its last "
        f"checkpoint with `ganzoo bench {suite} --out b`"
    )


@pytest.mark.subprocess
@pytest.mark.slow
def test_spawned_ranks_import_the_installed_ganzoo_not_a_folder_in_the_cwd(tmp_path: Path) -> None:
    from ganzoo.trainer.distributed import torchrun_environment

    (tmp_path / "ganzoo").mkdir()
    (tmp_path / "ganzoo" / "__init__.py").write_text("raise ImportError('shadowed')\n")
    result = subprocess.run(
        [sys.executable, "-m", "ganzoo", "list", "models"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=torchrun_environment(2),
        timeout=120,
    )
    assert result.returncode == 0 and "dcgan" in result.stdout, result.stderr
