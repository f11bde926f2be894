"""SeqGAN (Yu et al. 2017) as a model plugin, with its ``policy_gradient`` loss."""

from ganzoo import TEXT, Key, LossSpec, ModelSpec, hookimpl
from ganzoo_plugins.seqgan.paper import PAPER_FILTER_SIZES, PAPER_NUM_FILTERS

GANZOO_PLUGIN_API = "2"


@hookimpl
def ganzoo_models() -> list[ModelSpec]:
    """The SeqGAN model spec (paper sizes by default)."""
    return [
        ModelSpec(
            "seqgan",
            "Sequence GAN: LSTM policy trained by REINFORCE on rollout rewards from a CNN discriminator",
            "ganzoo_plugins.seqgan.model:SeqGAN",
            paper="1609.05473",
            data_kinds=(TEXT,),
            keys={
                "embed_dim": Key(32, "generator token embedding size", low=1, high=100_000),
                "hidden_dim": Key(32, "generator LSTM width", low=1, high=100_000),
                "mle_steps": Key(2000, "MLE pre-training steps (the first phase of train.steps)", low=0),
                "d_pretrain_steps": Key(50, "discriminator pre-training d-steps (a phase)", low=0),
                "g_steps": Key(1, "policy-gradient updates per adversarial step", low=1, high=1000),
                "k_epochs": Key(3, "epochs of each d-step over its batches", low=1, high=1000),
                "d_batches": Key(4, "batches of fresh negatives per d-step", low=1, high=1000),
                "rollout_num": Key(16, "Monte Carlo rollouts per token reward", low=1, high=10_000),
                "rollout_update_rate": Key(
                    0.8, "the rollout policy keeps this share of its weights per update", low=0, high=1
                ),
                "reward_baseline": Key(False, "subtract the batch's mean reward per position (not in the paper)"),
                "rollout_chunk": Key(4096, "rows per rollout batch (memory bound)", low=1),
                "d_embed_dim": Key(64, "discriminator embedding size", low=1, high=100_000),
                "d_filter_sizes": Key(list(PAPER_FILTER_SIZES), "CNN filter widths", items=int, low=1, high=1000),
                "d_num_filters": Key(list(PAPER_NUM_FILTERS), "filters per width", items=int, low=1, high=100_000),
                "d_dropout": Key(0.25, "discriminator dropout", low=0, high=0.99),
                "d_l2": Key(0.2, "L2 weight on the discriminator head", low=0),
                "mle_only": Key(False, "the MLE baseline: MLE steps instead of the D and adversarial phases"),
            },
            defaults={
                "data": {"name": "oracle"},
                "loss": "policy_gradient",
                "train": {
                    "steps": 2250,
                    "batch_size": 64,
                    "lr": 0.01,
                    "d_lr": 1e-4,
                    "betas": [0.9, 0.999],
                    "d_steps": 5,
                    "grad_clip": 5.0,
                    "sample_every": 100,
                    "checkpoint_every": 100,
                    "num_samples": 20,
                },
            },
            test_config={
                "model": {
                    "embed_dim": 8,
                    "hidden_dim": 8,
                    "mle_steps": 1,
                    "d_pretrain_steps": 1,
                    "d_batches": 1,
                    "k_epochs": 1,
                    "rollout_num": 2,
                    "d_embed_dim": 8,
                    "d_filter_sizes": [2, 3],
                    "d_num_filters": [4, 4],
                },
                "data": {"num_sequences": 64, "vocab_size": 50, "embed_dim": 8, "hidden_dim": 8},
                "train": {"d_steps": 1, "steps": 3},
            },
        )
    ]


@hookimpl
def ganzoo_losses() -> list[LossSpec]:
    """REINFORCE on per-token rewards, for sequence GANs."""
    return [
        LossSpec(
            "policy_gradient",
            "REINFORCE with per-token rollout rewards (SeqGAN's generator loss)",
            "ganzoo_plugins.seqgan.loss:PolicyGradient",
            paper="1609.05473",
            role="policy",
        )
    ]
