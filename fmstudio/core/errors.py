"""The error tree: the UI maps each type to one message, so nothing matches on message text."""

from __future__ import annotations


class FmError(Exception):
    """Anything fmstudio expects and can explain to the user."""


class InputFileError(FmError):
    """A file the user gave cannot be used; the message names the file and the reason."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class ModelUnavailableError(FmError):
    """A model cannot be loaded: not cached with no network, unknown name, or broken files."""

    @classmethod
    def offline(cls, name: str) -> ModelUnavailableError:
        return cls(f"model {name} is not cached and the network is unreachable")


class DeviceError(FmError):
    """The requested compute device does not exist on this machine."""


class Cancelled(FmError):
    """The user stopped the job; not a failure."""
