"""Text datasets: the tokeniser, IMDB from its official layout / a CSV / a downloaded archive, the oracle."""

from __future__ import annotations

import csv
import tarfile
from pathlib import Path

import pytest
import torch

from ganzoo import UserError
from ganzoo.metrics.text import nll_oracle
from ganzoo.registry import get_registry
from ganzoo.text import build_vocab, decode, detokenize, encode, tokenize
from ganzoo_plugins.text.oracle import Oracle

REVIEWS = {
    "pos": ["A great film.<br /><br />Loved it!", "Great acting, great story."],
    "neg": ["Don't watch it: dull.", "The worst film ever made."],
}


def _load(name: str, **overrides: object):
    spec = get_registry().dataset(name)
    return spec.build({"name": name, "root": None, **spec.defaults, **overrides})


def test_tokenize_strips_html_breaks_and_keeps_apostrophes() -> None:
    assert tokenize("It's GREAT.<br /><br />Don't miss it!") == ["it's", "great", ".", "don't", "miss", "it", "!"]
    vocab = build_vocab([["b", "a", "b"], ["c", "a", "b"]], size=2)
    assert vocab == ["<pad>", "<bos>", "<eos>", "<unk>", "b", "a"]
    index = {w: i for i, w in enumerate(vocab)}
    assert encode(["a", "zzz"], index, 4) == [5, 3, 2, 0]
    assert encode(["a", "b", "a", "b", "a"], index, 4) == [5, 4, 5, 4]
    assert decode([5, 4, 2, 5], vocab, stop_ids=[0, 2]) == ["a", "b"]
    assert detokenize(["it's", "great", ",", "really", "!"]) == "it's great, really!"


def test_imdb_reads_the_real_sample_with_one_vocabulary(data_dir: Path) -> None:
    train = _load("imdb", vocab_size=1000)
    tokens, extras = train.tensors["tokens"], train.info.extras
    assert tokens.shape == (2000, 32) and train.info.shape == (32,)
    assert extras["vocab"][:4] == ["<pad>", "<bos>", "<eos>", "<unk>"] and len(extras["vocab"]) == 1004
    assert tokens.max() < 1004 and "br" not in extras["vocab"][:50]
    assert extras["start_id"] == extras["vocab"].index("<bos>")
    test = _load("imdb", split="test", vocab_size=1000, limit=100)
    assert test.tensors["tokens"].shape == (100, 32) and test.info.extras["vocab"] == extras["vocab"]
    assert "test split" in test.description


def _write_acl_imdb(root: Path) -> None:
    for split in ("train", "test"):
        for label, texts in REVIEWS.items():
            folder = root / "aclImdb" / split / label
            folder.mkdir(parents=True)
            for i, text in enumerate(texts):
                (folder / f"{i}_7.txt").write_text(text, encoding="utf-8")


def test_imdb_downloads_and_unpacks_the_archive_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "source"
    _write_acl_imdb(source)
    archive = tmp_path / "aclImdb_v1.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source / "aclImdb", arcname="aclImdb")
    cache = tmp_path / "cache"
    monkeypatch.setenv("GANZOO_CACHE", str(cache))
    empty = tmp_path / "empty"
    empty.mkdir()
    data = _load("imdb", root=str(empty), url=archive.as_uri(), max_length=6)
    assert data.tensors["tokens"].shape == (4, 6)
    assert (cache / "aclImdb" / "train" / "pos" / "0_7.txt").is_file() and not (cache / archive.name).exists()
    again = _load("imdb", root=str(empty), url="file:///nonexistent.tar.gz", max_length=6)
    assert torch.equal(again.tensors["tokens"], data.tensors["tokens"])
    monkeypatch.setenv("GANZOO_CACHE", str(tmp_path / "other"))
    with pytest.raises(UserError, match="IMDB not found"):
        _load("imdb", root=str(empty), download=False)
    with pytest.raises(UserError, match="downloading"):
        _load("imdb", root=str(empty), url="file:///nonexistent.tar.gz")


def test_imdb_accepts_a_review_sentiment_csv(tmp_path: Path) -> None:
    path = tmp_path / "IMDB Dataset.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["review", "sentiment"])
        for i in range(20):
            writer.writerow([f"Review number {i}, with a <br /> comma.", "positive"])
    train = _load("imdb", root=str(path), max_length=8)
    test = _load("imdb", root=str(path), split="test", max_length=8)
    assert len(train) == 18 and len(test) == 2
    vocab = train.info.extras["vocab"]
    assert decode(train.tensors["tokens"][0].tolist(), vocab, [0, 2]) == [
        "review",
        "number",
        "0",
        ",",
        "with",
        "a",
        "comma",
        ".",
    ]


def test_oracle_is_deterministic_for_a_seed_and_scores_likelihood() -> None:
    sizes = {"num_sequences": 300, "vocab_size": 60, "length": 10}
    first, second = _load("oracle", **sizes), _load("oracle", **sizes)
    other = _load("oracle", **sizes, oracle_seed=7)
    assert first.tensors["tokens"].shape == (300, 10)
    assert torch.equal(first.tensors["tokens"], second.tensors["tokens"])
    assert not torch.equal(first.tensors["tokens"], other.tensors["tokens"])
    oracle = Oracle.from_spec(first.info.extras["oracle"])
    assert torch.equal(oracle.output.weight, Oracle.from_spec(second.info.extras["oracle"]).output.weight)
    assert abs(oracle.output.weight.std().item() - 1) < 0.1
    uniform = torch.randint(0, 60, (300, 10), generator=torch.Generator().manual_seed(0))
    assert nll_oracle(oracle, first.tensors["tokens"]) < nll_oracle(oracle, uniform) - 1.0
