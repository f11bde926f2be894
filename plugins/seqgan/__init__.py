"""SeqGAN (Yu et al. 2017) as a model plugin, with its ``policy_gradient`` loss."""

from ganzoo import TEXT, LossSpec, ModelSpec, hookimpl

from ganzoo_plugins.seqgan.discriminator import PAPER_FILTER_SIZES, PAPER_NUM_FILTERS


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
            defaults={
                "model": {
                    "embed_dim": 32, "hidden_dim": 32, "mle_steps": 2000, "d_pretrain_steps": 50,
                    "g_steps": 1, "d_steps": 5, "k_epochs": 3, "d_batches": 4, "rollout_num": 16,
                    "rollout_update_rate": 0.8, "reward_baseline": False, "rollout_chunk": 4096, "grad_clip": 5.0,
                    "d_embed_dim": 64, "d_filter_sizes": list(PAPER_FILTER_SIZES),
                    "d_num_filters": list(PAPER_NUM_FILTERS), "d_dropout": 0.25, "d_l2": 0.2, "d_lr": 1e-4,
                    "mle_only": False,
                },
                "data": {"name": "oracle"},
                "loss": "policy_gradient",
                "train": {"steps": 200, "batch_size": 64, "lr": 0.01, "betas": [0.9, 0.999],
                          "sample_every": 100, "checkpoint_every": 100, "num_samples": 20},
            },
            test_config={
                "model": {"embed_dim": 8, "hidden_dim": 8, "mle_steps": 1, "d_pretrain_steps": 1, "d_batches": 1,
                          "k_epochs": 1, "d_steps": 1, "rollout_num": 2, "d_embed_dim": 8,
                          "d_filter_sizes": [2, 3], "d_num_filters": [4, 4]},
                "data": {"num_sequences": 64, "vocab_size": 50, "embed_dim": 8, "hidden_dim": 8},
            },
        )
    ]


@hookimpl
def ganzoo_losses() -> list[LossSpec]:
    """REINFORCE on per-token rewards, for sequence GANs."""
    return [LossSpec("policy_gradient", "REINFORCE with per-token rollout rewards (SeqGAN's generator loss)",
                     "ganzoo_plugins.seqgan.loss:PolicyGradient", paper="1609.05473", role="policy")]
