"""The Large Movie Review Dataset (Maas et al., ACL 2011) as word-id sequences.

Reads the official layout ``aclImdb/{train,test}/{pos,neg}/*.txt`` from the data root (``ROOT/aclImdb``,
``ROOT/imdb/aclImdb`` or ``ROOT`` itself), or a CSV of ``review,sentiment`` rows when ``data.root`` names
a ``.csv`` file (a CSV has no splits: every tenth row is the test split). Online, a missing dataset is
downloaded once into the cache (``$GANZOO_CACHE``, else ``~/.cache/ganzoo``) with a progress bar.
The vocabulary always comes from the training split, so every split encodes with the same ids.
"""

from __future__ import annotations

import csv
import os
import shutil
import tarfile
import tempfile
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from ganzoo import TEXT, DataInfo, LoadedData, UserError, data_root
from ganzoo.text import BOS, EOS, PAD, UNK, build_vocab, encode, tokenize
from ganzoo_plugins.text import IMDB_URL

SPLITS = ("train", "test")
CACHE_ENV = "GANZOO_CACHE"


def cache_dir() -> Path:
    """Where downloads go: ``$GANZOO_CACHE``, else ``~/.cache/ganzoo`` (never the read-only data root)."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "ganzoo").expanduser()


def find_acl_imdb(root: Path) -> Path | None:
    """The ``aclImdb`` folder under ``root`` (``root/aclImdb``, ``root/imdb/aclImdb`` or ``root``)."""
    for candidate in (root / "aclImdb", root / "imdb" / "aclImdb", root):
        if (candidate / "train" / "pos").is_dir():
            return candidate
    return None


def download_file(url: str, target: Path, console: Console | None = None) -> Path:
    """Fetch ``url`` to ``target`` with a rich progress bar, writing a temp file renamed when complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(url) as response:  # noqa: S310 (the URL is the dataset's, or the user's)
        total = int(response.headers.get("Content-Length") or 0) or None
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with (
                os.fdopen(fd, "wb") as handle,
                Progress(
                    TextColumn("[bold]downloading {task.description}"),
                    BarColumn(),
                    DownloadColumn(),
                    TransferSpeedColumn(),
                    TimeRemainingColumn(),
                    console=console or Console(stderr=True),
                    transient=True,
                ) as progress,
            ):
                task = progress.add_task(target.name, total=total)
                while chunk := response.read(1 << 20):
                    handle.write(chunk)
                    progress.advance(task, len(chunk))
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return target


def download_imdb(url: str = IMDB_URL, into: Path | None = None, console: Console | None = None) -> Path:
    """Download and unpack the official archive into the cache; returns the ``aclImdb`` folder."""
    into = into or cache_dir()
    archive = download_file(url, into / Path(url).name, console)
    with tempfile.TemporaryDirectory(dir=into) as tmp:
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        found = find_acl_imdb(Path(tmp))
        if found is None:
            raise UserError(f"{url} does not hold the aclImdb layout (aclImdb/train/pos/*.txt)")
        shutil.rmtree(into / "aclImdb", ignore_errors=True)
        shutil.move(str(found), into / "aclImdb")
    archive.unlink()
    return into / "aclImdb"


def read_acl_imdb(folder: Path, split: str) -> list[str]:
    """Reviews of one split in a stable order (pos then neg, by file name)."""
    reviews: list[str] = []
    for label in ("pos", "neg"):
        files = sorted((folder / split / label).glob("*.txt"), key=lambda p: p.name)
        reviews.extend(p.read_text(encoding="utf-8", errors="replace") for p in files)
    if not reviews:
        raise UserError(f"no reviews in {folder / split}/{{pos,neg}}/*.txt; check data.root")
    return reviews


def read_csv_reviews(path: Path, split: str) -> list[str]:
    """The ``review`` column of a ``review,sentiment`` CSV; every tenth row forms the test split."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"cannot read IMDB CSV {path}: {exc}") from None
    if not rows or "review" not in rows[0]:
        raise UserError(f"IMDB CSV {path} needs a header row with a 'review' column (review,sentiment)")
    return [row["review"] for i, row in enumerate(rows) if (i % 10 == 9) == (split == "test")]


def read_reviews(cfg: Mapping[str, Any], split: str) -> tuple[list[str], str]:
    """Reviews of ``split`` and where they came from, downloading the archive when allowed and needed."""
    root = data_root(cfg.get("root"))
    if root.suffix.lower() == ".csv":
        if not root.is_file():
            raise UserError(f"IMDB CSV {root} does not exist; point data.root at a review,sentiment CSV")
        return read_csv_reviews(root, split), str(root)
    folder = find_acl_imdb(root) or find_acl_imdb(cache_dir())
    if folder is None and cfg["download"]:
        try:
            folder = download_imdb(str(cfg["url"]))
        except (OSError, tarfile.TarError) as exc:
            raise UserError(
                f"IMDB is not in {root} and downloading {cfg['url']} failed ({exc}); put aclImdb/ "
                f"there or point data.root at it"
            ) from None
    if folder is None:
        raise UserError(
            f"IMDB not found in {root} (expected aclImdb/train/pos/*.txt); put the official "
            f"aclImdb folder there, point data.root at it, or set data.download=true"
        )
    return read_acl_imdb(folder, split), str(folder)


def load_imdb(cfg: Mapping[str, Any]) -> LoadedData:
    """IMDB reviews of ``data.split`` cut to ``data.max_length`` tokens, with a training-split vocabulary."""
    split, length = cfg["split"], int(cfg["max_length"])
    if split not in SPLITS:
        raise UserError(f"data.split for imdb must be train or test, got {split!r}")
    if length < 2:
        raise UserError(f"data.max_length must be at least 2, got {length}")
    train_texts, source = read_reviews(cfg, "train")
    train_tokens = [tokenize(text)[:length] for text in train_texts]
    vocab = build_vocab(train_tokens, int(cfg["vocab_size"]))
    tokens = train_tokens if split == "train" else [tokenize(t)[:length] for t in read_reviews(cfg, split)[0]]
    if cfg["limit"]:
        keep = torch.randperm(len(tokens), generator=torch.Generator().manual_seed(0))[: int(cfg["limit"])]
        tokens = [tokens[i] for i in sorted(keep.tolist())]
    index = {word: i for i, word in enumerate(vocab)}
    ids = torch.tensor([encode(t, index, length) for t in tokens], dtype=torch.long)
    info = DataInfo(
        "imdb",
        TEXT,
        (length,),
        extras={
            "vocab": vocab,
            "vocab_size": len(vocab),
            "start_id": index[BOS],
            "pad_id": index[PAD],
            "eos_id": index[EOS],
            "unk_id": index[UNK],
        },
    )
    return LoadedData(
        info,
        tensors={"tokens": ids},
        description=(
            f"IMDB {split} split from {source}, {len(ids)} reviews cut to {length} tokens, vocabulary {len(vocab)}"
        ),
    )
