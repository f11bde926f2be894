"""Device and mixed-precision choice: CUDA when present; bf16 autocast on CUDA and on CPUs with native bf16
(AVX-512 BF16 or AMX, where it is the measured speed lever), fp16 with a grad scaler on CUDA on request.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from ganzoo.errors import UserError

_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


def resolve_device(setting: str) -> torch.device:
    """``auto`` picks CUDA when available, else CPU; an explicit device must exist."""
    if setting == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(setting)
    except RuntimeError:
        raise UserError(f"unknown device '{setting}'; use auto, cpu, cuda or cuda:N") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UserError(f"device '{setting}' requested but CUDA is not available here; use --device cpu")
    if device.type not in ("cpu", "cuda"):
        raise UserError(f"unsupported device '{setting}'; use auto, cpu, cuda or cuda:N")
    return device


def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bf16 in hardware (AVX-512 BF16 or AMX tiles); emulated bf16 is slower
    than fp32, so only then is bf16 worth choosing by default."""
    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in probes)


def resolve_precision(setting: str, device: torch.device) -> str:
    """``auto`` means bf16 on a CUDA device or CPU that supports it natively, else fp16 on CUDA, fp32 on CPU."""
    if setting != "auto":
        if setting == "fp16" and device.type == "cpu":
            raise UserError("train.precision=fp16 needs a CUDA device; use bf16 or fp32 on the CPU")
        return setting
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "bf16" if cpu_has_native_bf16() else "fp32"


@contextlib.contextmanager
def autocast(device: torch.device, precision: str) -> Iterator[None]:
    """Autocast region for ``precision``; a no-op for fp32."""
    if precision == "fp32":
        yield
        return
    with torch.autocast(device_type=device.type, dtype=_DTYPES[precision]):
        yield
