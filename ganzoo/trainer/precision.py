"""Device and mixed-precision choice: CUDA when present, bf16 autocast (or fp16 with a grad scaler)."""

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


def resolve_precision(setting: str, device: torch.device) -> str:
    """``auto`` means bf16 on a CUDA device that supports it, fp32 elsewhere."""
    if setting != "auto":
        if setting == "fp16" and device.type == "cpu":
            raise UserError("train.precision=fp16 needs a CUDA device; use bf16 or fp32 on the CPU")
        return setting
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "fp32"


@contextlib.contextmanager
def autocast(device: torch.device, precision: str) -> Iterator[None]:
    """Autocast region for ``precision``; a no-op for fp32."""
    if precision == "fp32":
        yield
        return
    with torch.autocast(device_type=device.type, dtype=_DTYPES[precision]):
        yield
