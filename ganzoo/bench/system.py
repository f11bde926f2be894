"""Where a benchmark ran: device name, torch version, git commit, and peak memory per cell.

Peak memory is the CUDA allocator's peak on a GPU. On the CPU it is the process's peak resident set:
Linux lets a process reset that high-water mark (``/proc/self/clear_refs``), so each cell gets its own
peak; elsewhere it is the peak since the process started (``resource.getrusage``).
"""

from __future__ import annotations

import platform
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import torch

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def device_name(device: torch.device) -> str:
    """The GPU's name, or the CPU's model name with its core count."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    name = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    return f"{name} ({torch.get_num_threads()} threads)"


def git_commit() -> str:
    """``git describe --always --dirty`` of the ganzoo checkout, or ``unknown`` outside one."""
    root = Path(__file__).resolve().parents[2]
    try:
        result = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=root, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip() or "unknown"


def cpu_seconds(children: bool = False) -> float:
    """User + system CPU time of this process (and of its finished children when asked): a measure of the
    work done that other load on a shared machine does not inflate."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    total = usage.ru_utime + usage.ru_stime
    if children:
        done = resource.getrusage(resource.RUSAGE_CHILDREN)
        total += done.ru_utime + done.ru_stime
    return total


METRIC_PACKAGES = ("torchvision", "torchmetrics", "torch-fidelity", "nltk", "scikit-image", "numpy", "scipy")


def package_versions() -> dict[str, str]:
    """Installed versions of the packages the metrics depend on (``not installed`` for absent ones)."""
    import importlib.metadata

    versions = {}
    for name in METRIC_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def environment() -> dict[str, Any]:
    """Versions of what produced the numbers."""
    return {
        **package_versions(),
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "git_commit": git_commit(),
        "cuda": torch.version.cuda if torch.cuda.is_available() else None,
    }


def reset_peak_memory(device: torch.device) -> None:
    """Start a fresh peak-memory measurement for ``device``."""
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
        return
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        pass


def peak_memory_mb(device: torch.device) -> tuple[float, str]:
    """(peak in MiB, what was measured) since the last ``reset_peak_memory``."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20, "CUDA allocator peak"
    if _STATUS.is_file():
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024, "process peak RSS"
    # ru_maxrss is in KiB on Linux and bytes on macOS.
    scale = 2**20 if sys.platform == "darwin" else 2**10
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale, "process peak RSS since start"
