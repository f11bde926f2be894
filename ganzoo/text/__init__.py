"""Text building blocks: one tokenisation and vocabulary for the text datasets, the text models and the text
metrics, and the LSTM language model (SeqGAN's generator, the synthetic oracle).

Everything listed in ``__all__`` is public API: plugins import it from here (or from the submodules).
"""

from ganzoo.text.lstm_lm import LSTMLanguageModel, State, sample_tokens
from ganzoo.text.tokenize import (
    BOS,
    EOS,
    PAD,
    SPECIALS,
    TOKEN_PATTERN,
    UNK,
    build_vocab,
    decode,
    detokenize,
    encode,
    tokenize,
    tokenize_sample,
)

__all__ = [
    "BOS",
    "EOS",
    "PAD",
    "SPECIALS",
    "TOKEN_PATTERN",
    "UNK",
    "LSTMLanguageModel",
    "State",
    "build_vocab",
    "decode",
    "detokenize",
    "encode",
    "sample_tokens",
    "tokenize",
    "tokenize_sample",
]
