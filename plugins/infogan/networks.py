"""InfoGAN's networks for 28x28 images as in the paper's appendix C.1 (MNIST), and the Q head.

G: FC 1024-BN-ReLU, FC 7x7x128-BN-ReLU, 4x4 up-convolution 64-BN-ReLU, 4x4 up-convolution to the image
(tanh, since ganzoo's images lie in [-1, 1]). D: 4x4 convolutions 64 (LeakyReLU 0.1) and 128 (BN,
LeakyReLU), FC 1024-BN-LeakyReLU: the shared body; the score is a linear layer on it, and Q is FC 128-BN-
LeakyReLU then the code outputs on the same body.
"""

from __future__ import annotations

import torch
from torch import nn

from ganzoo.nn import init_weights


class PaperGenerator(nn.Module):
    """latent (N x in_dim) -> image (N x channels x 28 x 28) in [-1, 1]."""

    def __init__(self, in_dim: int, channels: int) -> None:
        super().__init__()
        self.project = nn.Sequential(
            nn.Linear(in_dim, 1024),
            nn.BatchNorm1d(1024),
            nn.ReLU(True),
            nn.Linear(1024, 128 * 7 * 7),
            nn.BatchNorm1d(128 * 7 * 7),
            nn.ReLU(True),
        )
        self.net = nn.Sequential(
            nn.ConvTranspose2d(128, 64, 4, 2, 1),
            nn.BatchNorm2d(64),
            nn.ReLU(True),
            nn.ConvTranspose2d(64, channels, 4, 2, 1),
            nn.Tanh(),
        )
        init_weights(self)

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        return self.net(self.project(latent).reshape(-1, 128, 7, 7))


class PaperDiscriminator(nn.Module):
    """image (N x channels x 28 x 28) -> score (N,); ``features`` is the 1024-d body Q shares."""

    feature_width = 1024

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, 64, 4, 2, 1),
            nn.LeakyReLU(0.1, True),
            nn.Conv2d(64, 128, 4, 2, 1),
            nn.BatchNorm2d(128),
            nn.LeakyReLU(0.1, True),
            nn.Flatten(),
            nn.Linear(128 * 7 * 7, 1024),
            nn.BatchNorm1d(1024),
            nn.LeakyReLU(0.1, True),
        )
        self.head = nn.Linear(1024, 1)
        init_weights(self)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The shared body's output, N x 1024."""
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x)).flatten()


class QHead(nn.Module):
    """Q(c | x) on the discriminator's features: categorical logits, Gaussian means (and log-stds).

    ``trunk`` maps the features to 128 channels: an FC layer on the paper's 1024-d body, or a convolution
    over the DCGAN discriminator's last feature map.
    """

    def __init__(self, trunk: nn.Module, categories: int, continuous: int, learn_std: bool) -> None:
        super().__init__()
        self.categories, self.continuous, self.learn_std = categories, continuous, learn_std
        outputs = categories + continuous * (2 if learn_std else 1)
        self.trunk, self.out = trunk, nn.Linear(128, outputs)
        init_weights(self)

    @classmethod
    def on_vector(cls, width: int, categories: int, continuous: int, learn_std: bool) -> QHead:
        """The paper's Q: FC 128-BN-LeakyReLU on a feature vector."""
        return cls(
            nn.Sequential(nn.Linear(width, 128), nn.BatchNorm1d(128), nn.LeakyReLU(0.1, True)),
            categories,
            continuous,
            learn_std,
        )

    @classmethod
    def on_map(cls, channels: int, size: int, categories: int, continuous: int, learn_std: bool) -> QHead:
        """Q over a ``channels`` x ``size`` x ``size`` feature map (the DCGAN backbone)."""
        trunk = nn.Sequential(
            nn.Conv2d(channels, 128, size, 1, 0, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2, True), nn.Flatten()
        )
        return cls(trunk, categories, continuous, learn_std)

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        out = self.out(self.trunk(features)).float()
        logits, mean = out[:, : self.categories], out[:, self.categories : self.categories + self.continuous]
        log_std = out[:, self.categories + self.continuous :].clamp(-5, 2) if self.learn_std else None
        return logits, mean, log_std
