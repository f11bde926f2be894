"""CycleGAN's networks (Zhu et al. 2017, appendix 7.2, after Johnson et al. 2016): a ResNet generator with
reflection padding and instance norm, a PatchGAN discriminator, and the buffer of past fakes."""

from __future__ import annotations

import torch
from torch import nn

from ganzoo import UserError
from ganzoo.nn import init_weights, leaky_relu, norm_layer

DIRECTIONS = ("a2b", "b2a")
DOMAINS = ("a", "b")


class ResidualBlock(nn.Module):
    """Reflection-padded conv3x3 - IN - ReLU - conv3x3 - IN, added to its input."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3),
            norm_layer("instance", channels),
            nn.ReLU(True),
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3),
            norm_layer("instance", channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class ResNetGenerator(nn.Module):
    """c7s1-w, d2w, d4w, ``blocks`` x R4w, u2w, uw, c7s1-channels with tanh (two stride-2 stages each way)."""

    def __init__(self, channels: int, width: int, blocks: int) -> None:
        super().__init__()
        layers: list[nn.Module] = [
            nn.ReflectionPad2d(3),
            nn.Conv2d(channels, width, 7),
            norm_layer("instance", width),
            nn.ReLU(True),
        ]
        for w in (width, width * 2):
            layers += [nn.Conv2d(w, w * 2, 3, 2, 1), norm_layer("instance", w * 2), nn.ReLU(True)]
        layers += [ResidualBlock(width * 4) for _ in range(blocks)]
        for w in (width * 4, width * 2):
            layers += [
                nn.ConvTranspose2d(w, w // 2, 3, 2, 1, output_padding=1),
                norm_layer("instance", w // 2),
                nn.ReLU(True),
            ]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(width, channels, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        init_weights(self)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images)


class PatchDiscriminator(nn.Module):
    """``layers`` stride-2 conv4x4 stages (no norm on the first), one stride-1 stage, a 1-channel score map."""

    def __init__(self, channels: int, width: int, layers: int) -> None:
        super().__init__()
        stack: list[nn.Module] = [nn.Conv2d(channels, width, 4, 2, 1), leaky_relu()]
        w = width
        for index in range(1, layers + 1):
            out, stride = width * min(2**index, 8), 2 if index < layers else 1
            stack += [nn.Conv2d(w, out, 4, stride, 1), norm_layer("instance", out), leaky_relu()]
            w = out
        stack.append(nn.Conv2d(w, 1, 4, 1, 1))
        self.net = nn.Sequential(*stack)
        init_weights(self)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images)


class Translators(nn.Module):
    """The two generators, G: A -> B (``a2b``) and F: B -> A (``b2a``), as one network."""

    def __init__(self, channels: int, width: int, blocks: int) -> None:
        super().__init__()
        self.a2b = ResNetGenerator(channels, width, blocks)
        self.b2a = ResNetGenerator(channels, width, blocks)

    def forward(self, images: torch.Tensor, direction: str) -> torch.Tensor:
        if direction not in DIRECTIONS:
            raise UserError(f"direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
        return getattr(self, direction)(images)


class Critics(nn.Module):
    """The two discriminators, D_A (real A vs F(b)) and D_B (real B vs G(a)), as one network."""

    def __init__(self, channels: int, width: int, layers: int) -> None:
        super().__init__()
        self.a = PatchDiscriminator(channels, width, layers)
        self.b = PatchDiscriminator(channels, width, layers)

    def forward(self, images: torch.Tensor, domain: str) -> torch.Tensor:
        return getattr(self, domain)(images)


class ImagePool(nn.Module):
    """Shrivastava et al.'s history of ``size`` past fakes, in buffers so checkpoints and resume keep it.

    Until full, each fake is stored and shown; then each is, with probability 1/2, swapped for a random
    stored one (which is shown instead). Draws come from torch's global generator.
    """

    images: torch.Tensor  # buffers, registered in __init__
    count: torch.Tensor

    def __init__(self, size: int, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.register_buffer("images", torch.zeros(size, *shape))
        self.register_buffer("count", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def query(self, fakes: torch.Tensor) -> torch.Tensor:
        """The images to show D for this batch of ``fakes`` (the batch itself when the pool size is 0)."""
        if len(self.images) == 0:
            return fakes
        shown = []
        for fake in fakes:
            filled = int(self.count)
            if filled < len(self.images):
                self.images[filled] = fake
                self.count += 1
                shown.append(fake)
            elif torch.rand(()) < 0.5:
                index = int(torch.randint(filled, ()))
                shown.append(self.images[index].clone())
                self.images[index] = fake
            else:
                shown.append(fake)
        return torch.stack(shown)
