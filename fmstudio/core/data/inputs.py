"""What can be recorded from: the microphones PortAudio finds and the computer's own sound
(`system_audio`), listed for the window off the GUI thread, and opened by id for the record
and listen jobs."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field

from fmstudio.core.data.microphone import (
    MicrophoneSource,
    input_devices,
    recording_unavailable_reason,
)
from fmstudio.core.data.sources import AudioSource
from fmstudio.core.data.system_audio import (
    MIXED,
    SYSTEM,
    MixedSource,
    ParecSource,
    default_source,
    system_inputs,
)
from fmstudio.core.events import Activity, CancelToken, Event, in_background, wait_for

InputId = int | str | None
"""An input to record from: a PortAudio device number (None: the default), or a
system-audio id (`system_audio.SYSTEM`, `system_audio.MIXED`)."""


@dataclass(frozen=True)
class Inputs:
    """The microphones found, or why recording is off on this machine."""

    unavailable: str | None
    devices: list[tuple[InputId, str]] = field(default_factory=list)
    """Microphones (PortAudio), then the computer's own sound where it can be recorded."""
    note: str | None = None
    """What is missing to record the computer's sound, when it cannot be."""


PROBE_PATIENCE_S = 10.0
"""PortAudio starts in well under a second; one that has not answered by then is hung (a
stale JACK lock left by a crashed program does that) and stays hung until the app restarts."""


def probe_inputs(*, cancel: CancelToken | None = None) -> Generator[Event, None, Inputs]:
    """A job for the window: initialising PortAudio takes a moment, so it runs on the worker,
    and on a thread of its own that neither a Stop nor a closing window waits for."""
    yield Activity("Looking for microphones…")
    found = in_background(_inputs, "microphone probe")
    try:
        return wait_for(found, cancel, timeout=PROBE_PATIENCE_S)
    except TimeoutError:
        return Inputs(
            f"the sound system did not answer within {PROBE_PATIENCE_S:.0f} s (PortAudio did "
            "not start); restart fmstudio to try again"
        )


def _inputs() -> Inputs:
    reason = recording_unavailable_reason()
    system, note = system_inputs()
    if reason and not system:
        return Inputs(reason, note=note)
    return Inputs(None, ([] if reason else input_devices()) + list(system), note)


def open_input(device: int | str | None) -> AudioSource:
    """The source an input id names: a PortAudio device number (None: the default), a
    monitor (`system:`), or the default microphone with a monitor (`mix:`)."""
    if isinstance(device, str) and device.startswith(SYSTEM):
        return ParecSource(device.removeprefix(SYSTEM))
    if isinstance(device, str) and device.startswith(MIXED):
        return MixedSource(ParecSource(default_source()), ParecSource(device.removeprefix(MIXED)))
    return MicrophoneSource(device if isinstance(device, int) else None)
