"""ganzoo.nn's building blocks: shapes, normalisation choices, spectral norm and conditional batch norm."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn.utils import parametrize

from ganzoo import UserError
from ganzoo.nn import (
    NORMS,
    ConditionalBatchNorm2d,
    DCGANDiscriminator,
    DCGANGenerator,
    LatentProjection,
    OptimizedResBlockDown,
    ResBlockDown,
    ResBlockUp,
    SRResidualBlock,
    apply_spectral_norm,
    init_weights,
    leaky_relu,
    mlp,
    norm_layer,
)


def _largest_singular_value(layer: nn.Module) -> float:
    """The spectral norm of a layer's effective weight, reshaped to (out, rest) as spectral norm does."""
    return float(torch.linalg.matrix_norm(layer.weight.detach().flatten(1), ord=2))


def _assert_unit_spectral_norm(layers: list[nn.Module]) -> None:
    """After the power iterations so far, every layer's largest singular value is 1 (within 2%)."""
    sigmas = [_largest_singular_value(m) for m in layers]
    assert all(abs(sigma - 1) < 0.02 for sigma in sigmas), sigmas


@pytest.mark.parametrize("size", [28, 32, 64])
@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("norm", NORMS)
def test_dcgan_networks_fit_every_size_channel_count_and_norm(size: int, channels: int, norm: str) -> None:
    generator, critic = DCGANGenerator(10, channels, size, 4), DCGANDiscriminator(channels, size, 4, norm=norm)
    images = generator(torch.randn(2, 10))
    assert images.shape == (2, channels, size, size) and images.abs().max() <= 1
    assert critic(images).shape == (2,)
    features = critic.features(images)
    assert features.shape == (2, critic.feature_channels, critic.feature_size, critic.feature_size)


def test_unknown_norm_and_size_are_user_errors_naming_the_valid_ones() -> None:
    with pytest.raises(UserError, match="batch, layer, instance, none, spectral"):
        DCGANDiscriminator(1, 32, 4, norm="group")
    with pytest.raises(UserError, match="batch, layer, instance, none, spectral"):
        norm_layer("weight", 8)
    with pytest.raises(UserError, match="28, 32, 64"):
        DCGANGenerator(10, 1, 48)


def test_spectral_discriminator_normalises_every_convolution_and_has_no_batch_norm() -> None:
    torch.manual_seed(0)
    critic = DCGANDiscriminator(3, 32, 8, norm="spectral")
    convolutions = [m for m in critic.modules() if isinstance(m, nn.Conv2d)]
    assert convolutions and all(parametrize.is_parametrized(m, "weight") for m in convolutions)
    assert not any(isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)) for m in critic.modules())
    images = torch.randn(8, 3, 32, 32)
    for _ in range(30):  # each training-mode forward runs one power iteration
        critic(images)
    critic.eval()
    _assert_unit_spectral_norm(convolutions)


def test_apply_spectral_norm_wraps_linear_and_transposed_convolutions() -> None:
    torch.manual_seed(0)
    net = apply_spectral_norm(nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.ConvTranspose2d(3, 4, 3)))
    assert parametrize.is_parametrized(net[0], "weight") and parametrize.is_parametrized(net[2], "weight")
    for _ in range(30):
        net[0](torch.randn(4, 6))
    net.eval()
    _assert_unit_spectral_norm([net[0]])


def test_init_weights_is_dcgans_normal_init() -> None:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(16, 64, 3), nn.BatchNorm2d(64))
    init_weights(net)
    assert net[0].weight.std().item() == pytest.approx(0.02, rel=0.05) and not net[0].bias.any()
    assert net[1].weight.mean().item() == pytest.approx(1.0, abs=0.01) and not net[1].bias.any()


def test_mlp_has_depth_hidden_layers_with_the_activation() -> None:
    net = mlp(3, 16, 2, 5, leaky_relu)
    assert [type(m) for m in net] == [nn.Linear, nn.LeakyReLU, nn.Linear, nn.LeakyReLU, nn.Linear]
    assert net[1].negative_slope == 0.2 and net(torch.randn(4, 3)).shape == (4, 5)
    assert [type(m) for m in mlp(3, 16, 1, 5)] == [nn.Linear, nn.ReLU, nn.Linear]


def test_residual_blocks_change_resolution_and_channels_as_sngan_does() -> None:
    x = torch.randn(2, 8, 8, 8)
    assert SRResidualBlock(8)(x).shape == x.shape
    assert ResBlockUp(8, 4)(x).shape == (2, 4, 16, 16)
    assert ResBlockUp(8, 8, upsample=False)(x).shape == x.shape
    assert ResBlockDown(8, 16)(x).shape == (2, 16, 4, 4)
    assert ResBlockDown(8, 8, downsample=False, spectral=False)(x).shape == x.shape
    assert OptimizedResBlockDown(3, 8)(torch.randn(2, 3, 32, 32)).shape == (2, 8, 16, 16)


def test_discriminator_blocks_are_spectrally_normalised() -> None:
    torch.manual_seed(0)
    for block in (ResBlockDown(8, 16), OptimizedResBlockDown(3, 8)):
        convolutions = [m for m in block.modules() if isinstance(m, nn.Conv2d)]
        assert len(convolutions) == 3 and all(parametrize.is_parametrized(m, "weight") for m in convolutions)
        x = torch.randn(4, convolutions[0].in_channels, 16, 16)
        for _ in range(30):
            block(x)
        block.eval()
        _assert_unit_spectral_norm(convolutions)
    plain = ResBlockDown(8, 16, spectral=False)
    assert not any(parametrize.is_parametrized(m) for m in plain.modules())


def test_conditional_batch_norm_output_depends_on_the_label() -> None:
    norm = ConditionalBatchNorm2d(4, num_classes=3)
    with torch.no_grad():
        norm.gain.weight[1] = 2.0
        norm.bias.weight[1] = 0.5
    x = torch.randn(6, 4, 5, 5)
    zeros, ones = norm(x, torch.zeros(6, dtype=torch.long)), norm(x, torch.ones(6, dtype=torch.long))
    assert torch.allclose(ones, 2 * zeros + 0.5, atol=1e-5)
    fresh = ConditionalBatchNorm2d(4, num_classes=3)  # starts as plain batch norm for every class
    plain = nn.BatchNorm2d(4, affine=False)
    assert torch.allclose(fresh(x, torch.tensor([0, 1, 2, 0, 1, 2])), plain(x), atol=1e-6)


def test_conditional_generator_block_uses_labels_and_needs_them() -> None:
    block = ResBlockUp(4, 4, num_classes=10)
    with torch.no_grad():
        block.norm1.gain.weight[3] = 3.0
    x = torch.randn(2, 4, 4, 4)
    assert not torch.allclose(block(x, torch.tensor([3, 3])), block(x, torch.tensor([0, 0])))
    with pytest.raises(UserError, match="pass the labels"):
        block(x)


def test_generator_without_norm_has_no_batch_norm_and_biased_convolutions() -> None:
    plain = DCGANGenerator(16, 1, 28, 8, norm="none")
    assert not any(isinstance(m, nn.BatchNorm2d) for m in plain.modules())
    assert all(m.bias is not None for m in plain.modules() if isinstance(m, nn.ConvTranspose2d))
    # the same layer indices as the batch-norm generator, so its checkpoints keep their keys
    batch_keys = {k.split(".")[1] for k in DCGANGenerator(16, 1, 28, 8).state_dict() if k.endswith("weight")}
    assert {k.split(".")[1] for k in plain.state_dict() if k.endswith("weight")} <= batch_keys
    assert plain(torch.randn(3, 16)).shape == (3, 1, 28, 28)
    with pytest.raises(UserError, match="norm must be one of batch, none"):
        DCGANGenerator(16, 1, 28, 8, norm="layer")


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("memory_format", [torch.contiguous_format, torch.channels_last])
def test_latent_projection_is_the_transposed_convolution_it_replaces(
    bias: bool, memory_format: torch.memory_format
) -> None:
    """Same state dict, same output, gradients and layout as nn.ConvTranspose2d on a 1 x 1 input; any other input
    takes the convolution itself."""
    torch.manual_seed(0)
    reference = nn.ConvTranspose2d(16, 8, 7, 1, 0, bias=bias).to(memory_format=memory_format)
    projection = LatentProjection(16, 8, 7, 1, 0, bias=bias)
    projection.load_state_dict(reference.state_dict())
    projection = projection.to(memory_format=memory_format)
    latent = torch.randn(5, 16, 1, 1, requires_grad=True)
    expected, got = reference(latent), projection(latent)
    torch.testing.assert_close(got, expected)
    assert got.is_contiguous(memory_format=memory_format)
    expected_grads = torch.autograd.grad(expected.square().sum(), [latent, reference.weight])
    got_grads = torch.autograd.grad(got.square().sum(), [latent, projection.weight])
    for g, e in zip(got_grads, expected_grads, strict=True):
        torch.testing.assert_close(g, e)
    wide = torch.randn(2, 16, 3, 3)
    torch.testing.assert_close(projection(wide), reference(wide))


def test_dcgan_generator_projects_the_latent_with_one_matrix_product() -> None:
    assert isinstance(DCGANGenerator(10, 1, 28, 4).net[0], LatentProjection)
