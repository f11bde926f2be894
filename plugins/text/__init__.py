"""Text datasets: IMDB movie reviews and SeqGAN's synthetic LSTM oracle."""

from ganzoo import TEXT, DatasetSpec, hookimpl

# Defined here rather than in imdb.py, so that listing the specs does not import the loader.
IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"


@hookimpl
def ganzoo_datasets() -> list[DatasetSpec]:
    """The text datasets SeqGAN trains on."""
    return [
        DatasetSpec(
            "imdb",
            "IMDB movie reviews (Maas et al. 2011) as word ids, cut to 32 tokens",
            "ganzoo_plugins.text.imdb:load_imdb",
            kind=TEXT,
            shape=(32,),
            origin=f"ROOT/aclImdb/{{train,test}}/{{pos,neg}}/*.txt, a review,sentiment CSV, or {IMDB_URL}",
            defaults={
                "split": "train",
                "max_length": 32,
                "vocab_size": 5000,
                "limit": 0,
                "download": True,
                "url": IMDB_URL,
            },
        ),
        DatasetSpec(
            "oracle",
            "SeqGAN's synthetic data: sequences sampled from a random N(0,1) LSTM oracle",
            "ganzoo_plugins.text.oracle:load_oracle",
            kind=TEXT,
            shape=(20,),
            origin="generated from data.oracle_seed (arXiv 1609.05473, section 4)",
            defaults={
                "num_sequences": 10000,
                "vocab_size": 5000,
                "length": 20,
                "embed_dim": 32,
                "hidden_dim": 32,
                "oracle_seed": 88,
            },
        ),
    ]
