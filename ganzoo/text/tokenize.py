"""Word-level tokenisation and vocabularies: one tokenisation for the text datasets, SeqGAN and the metrics.

Tokenisation is one documented regular expression, ``TOKEN_PATTERN``, applied to lower-cased text after
HTML line breaks are replaced by spaces: a token is a run of word characters, optionally joined by
apostrophes (``don't``, ``director's``), or any single other non-space character (punctuation).
``tokenize_sample`` reads generated or decoded text back into tokens the same way, keeping special
tokens such as ``<unk>`` whole.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

TOKEN_PATTERN = re.compile(r"\w+(?:'\w+)*|[^\w\s]")
SAMPLE_PATTERN = re.compile(r"<\w+>|" + TOKEN_PATTERN.pattern)
_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_SPACE_BEFORE = re.compile(r" ([.,!?;:%)\]}])")
_SPACE_AFTER = re.compile(r"([(\[{$]) ")

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
SPECIALS = (PAD, BOS, EOS, UNK)


def tokenize(text: str) -> list[str]:
    """Lower-cased word and punctuation tokens of ``text`` with ``<br />`` breaks stripped."""
    return TOKEN_PATTERN.findall(_HTML_BREAK.sub(" ", text).lower())


def tokenize_sample(text: str) -> list[str]:
    """Tokens of generated or decoded text (``tokenize``, special tokens kept whole); ``["<empty>"]`` for none,
    so that every sample can be scored."""
    return SAMPLE_PATTERN.findall(text.lower()) or ["<empty>"]


def build_vocab(documents: Iterable[Sequence[str]], size: int) -> list[str]:
    """The special tokens, then the ``size`` most frequent words (ties broken alphabetically)."""
    counts = Counter(word for doc in documents for word in doc)
    for special in SPECIALS:
        counts.pop(special, None)
    words = sorted(counts, key=lambda w: (-counts[w], w))[:size]
    return [*SPECIALS, *words]


def encode(tokens: Sequence[str], index: dict[str, int], length: int) -> list[int]:
    """Ids of the first ``length`` tokens; shorter texts get ``<eos>`` and then ``<pad>`` up to ``length``."""
    unk = index[UNK]
    ids = [index.get(token, unk) for token in tokens[:length]]
    if len(ids) < length:
        ids.append(index[EOS])
        ids.extend([index[PAD]] * (length - len(ids)))
    return ids


def decode(ids: Iterable[int], vocab: Sequence[str], stop_ids: Iterable[int] = ()) -> list[str]:
    """Words of ``ids`` up to the first stop id (``<eos>``/``<pad>``); ids name themselves without a vocab."""
    stops = set(stop_ids)
    words = []
    for i in ids:
        if i in stops:
            break
        words.append(vocab[i] if vocab else str(i))
    return words


def detokenize(words: Sequence[str]) -> str:
    """Join tokens into readable text (no space before closing punctuation or after opening brackets)."""
    return _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", " ".join(words)))
