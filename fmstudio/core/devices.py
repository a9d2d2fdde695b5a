"""Compute device choice: auto picks cuda > mps > cpu; each job may override it."""

from __future__ import annotations

import os
from collections.abc import Generator
from dataclasses import asdict, dataclass

from fmstudio.core.errors import DeviceError
from fmstudio.core.events import Activity, CancelToken, Event

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")


@dataclass(frozen=True)
class DeviceInfo:
    """What a device is, for the status bar, `fmstudio devices` and the About box."""

    kind: str
    name: str
    detail: str

    def label(self) -> str:
        return f"{self.name} ({self.detail})" if self.detail else self.name

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def _cpu_info() -> DeviceInfo:
    import torch

    return DeviceInfo("cpu", "CPU", f"{torch.get_num_threads()} threads of {os.cpu_count()} cores")


def available_devices() -> list[DeviceInfo]:
    """Every device torch can use here, best first."""
    import torch

    found: list[DeviceInfo] = []
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(i)
            mem = f"{props.total_memory / 2**30:.0f} GiB"
            found.append(
                DeviceInfo(f"cuda:{i}" if i else "cuda", torch.cuda.get_device_name(i), mem)
            )
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append(DeviceInfo("mps", "Apple MPS", "Metal"))
    found.append(_cpu_info())
    return found


def resolve_device(choice: str = "auto") -> str:
    """Turn a user choice into a torch device string, or explain why it cannot be used."""
    import torch

    choice = (choice or "auto").lower()
    if choice == "auto":
        return available_devices()[0].kind
    if choice == "cpu":
        return "cpu"
    if choice.startswith("cuda"):
        if not torch.cuda.is_available():
            raise DeviceError("CUDA was requested but no CUDA GPU is available on this machine")
        return choice
    if choice == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise DeviceError("MPS was requested but Apple Metal is not available on this machine")
        return "mps"
    raise DeviceError(f"unknown device {choice!r}; choose one of {', '.join(DEVICE_CHOICES)}")


def describe(device: str) -> DeviceInfo:
    """The DeviceInfo for a resolved device string."""
    for info in available_devices():
        if info.kind == device:
            return info
    return _cpu_info()


def detect_job(
    choice: str = "auto", *, cancel: CancelToken | None = None
) -> Generator[Event, None, DeviceInfo]:
    """A job for the GUI: importing torch takes seconds, so the status bar asks on the worker."""
    yield Activity("Detecting compute device…")
    return describe(resolve_device(choice))


def bf16_native(device: str = "cpu") -> bool:
    """Whether `device` multiplies bf16 in hardware (a CPU with AVX512-BF16 or AMX, a GPU
    from Ampere on): only there is bf16 autocast faster than fp32; elsewhere it is emulated
    and slower."""
    import torch

    if device.startswith("cuda"):
        return bool(torch.cuda.is_bf16_supported())
    if device != "cpu":
        return False
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in checks)
