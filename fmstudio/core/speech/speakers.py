"""Who spoke when: voice vectors over the speech, clustered, then each segment given its
speaker and split where the speaker changes.

The speech is found in the audio itself (Silero VAD, split at pauses of 0.3 s), not in the
transcript: speakers found inside Whisper's segments depended on which Whisper model wrote
them (on a real two-person call whisper-base found three, tiny.en two). Windows of 1.6 s every
0.5 s are embedded inside each stretch of speech. Short windows are noisy, so
the clustering works on ~3 s pieces (the mean of their windows), which are much more alike
for one voice than for two (benchmarks/bench_diarization.py). Each window then takes the
nearest speaker, and a segment whose windows disagree is split at the word where the
speaker changes. Words are never changed, only shared out.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.errors import InputFileError
from fmstudio.core.events import Activity, CancelToken, Event
from fmstudio.core.speech.requests import EnrolVoice
from fmstudio.core.speech.speaker_encoder import (
    HOP,
    WINDOW_FRAMES,
    embed_windows,
    mel_frames,
    normalise_loudness,
)
from fmstudio.core.speech.transcripts import Segment, Word
from fmstudio.core.speech.voices import NAMED_AT, Voice, VoiceLibrary, match_voices, unit

FRAMES_PER_SECOND = SAMPLE_RATE // HOP
STEP_FRAMES = 50
"""A window every 0.5 s."""
PIECE_WINDOWS = 6
"""Windows averaged into one piece for clustering (about 3 s of speech)."""
MIN_SHARE = 0.15
"""A voice heard in less of the speech than this is folded into the nearest speaker."""
SAME_VOICE = 0.9
"""Speakers whose mean voice vectors are more alike than this are one speaker. Measured on
espeak-ng conversations (benchmarks/bench_diarization.py): two halves of one voice 0.9 and
over; a man and a woman 0.6–0.87."""
MIN_DISTANCE = 0.2
"""A cut of the tree below this average cosine distance splits one voice: within one
espeak-ng voice, groups of ~3 s pieces merge at 0.12–0.21; a man and a woman at 0.24–0.39."""
MAX_CUT = 12
"""The most groups the tree is cut into while looking for speakers."""
MIN_TURN_SECONDS = 0.6
"""A run of words shorter than this keeps the speaker before it: a window that straddles a
change point often leans the wrong way for a word or two."""


@dataclass(frozen=True)
class _Window:
    region: int
    """The stretch of speech it lies in."""
    start: int
    """First mel frame."""
    frames: int

    @property
    def centre(self) -> float:
        """Seconds."""
        return (self.start + self.frames / 2) / FRAMES_PER_SECOND


PAUSE_MS = 300
"""Speech is cut into stretches at pauses this long: turns change at pauses, and a window
never reaches across one."""


def speech_regions(audio: np.ndarray, segments: Sequence[Segment]) -> list[tuple[float, float]]:
    """(start, end) seconds of each stretch of speech the VAD hears; the transcript's segments
    where it hears none (a voice under music, say)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(min_silence_duration_ms=PAUSE_MS, speech_pad_ms=100)
    found = [
        (span["start"] / SAMPLE_RATE, span["end"] / SAMPLE_RATE)
        for span in get_speech_timestamps(audio, options)
    ]
    return found or [(s.start, s.end) for s in segments]


def _windows(regions: Sequence[tuple[float, float]], total_frames: int) -> list[_Window]:
    """Windows that stay inside their stretch of speech (a window over a turn change would
    blur both voices), every STEP_FRAMES; a stretch shorter than a window is one shorter
    window."""
    found = []
    for index, (start, end) in enumerate(regions):
        first = min(int(start * FRAMES_PER_SECOND), total_frames - 1)
        last = max(first + 1, min(int(end * FRAMES_PER_SECOND), total_frames))
        if last - first <= WINDOW_FRAMES:
            found.append(_Window(index, first, last - first))
            continue
        starts = np.arange(first, last - WINDOW_FRAMES + 1, STEP_FRAMES)
        if starts[-1] + WINDOW_FRAMES < last:
            starts = np.append(starts, last - WINDOW_FRAMES)
        found += [_Window(index, int(a), WINDOW_FRAMES) for a in starts]
    return found


def _pieces(windows: Sequence[_Window], vectors: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Unit vectors of ~3 s pieces (never across stretches), and each window's piece."""
    piece_of: list[int] = []
    members: list[list[int]] = []
    for i, w in enumerate(windows):
        same = members and windows[members[-1][0]].region == w.region
        if not same or len(members[-1]) >= PIECE_WINDOWS:
            members.append([])
        members[-1].append(i)
        piece_of.append(len(members) - 1)
    means = np.stack([vectors[m].mean(0) for m in members])
    return _unit(means), piece_of


def _unit(rows: np.ndarray) -> np.ndarray:
    unit: np.ndarray = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)
    return unit


def _cluster(pieces: np.ndarray, seconds: np.ndarray, count: int) -> np.ndarray:
    """A speaker number per piece: `count` speakers, or as many as were found when it is 0.

    The tree of pieces is cut into more and more groups. A group with less than
    MIN_SHARE of the speech is not a speaker: with synthetic and real voices alike, one or
    two pieces often stand apart (a laugh, a repeated phrase), and they join the nearest
    speaker. The automatic count is the most speakers any cut gives whose voices are not
    alike: cut at MIN_DISTANCE or above, and centroids less similar than SAME_VOICE.
    """
    if len(pieces) < 2 or count == 1:
        return np.zeros(len(pieces), dtype=int)
    from scipy.cluster.hierarchy import fcluster, linkage

    tree = linkage(pieces.astype(np.float64), method="average", metric="cosine")
    best = np.zeros(len(pieces), dtype=int)
    for k in range(2, min(len(pieces), MAX_CUT) + 1):
        labels = np.asarray(fcluster(tree, k, criterion="maxclust"), dtype=int) - 1
        share = np.bincount(labels, weights=seconds) / seconds.sum()
        big = [int(c) for c in np.argsort(-share) if share[c] >= MIN_SHARE]
        if count:
            if len(big) >= count:
                return _fold(pieces, labels, big[:count])
            continue
        if len(big) <= best.max() + 1 or tree[-(k - 1), 2] < MIN_DISTANCE:
            continue
        folded = _fold(pieces, labels, big)
        centres = _centroids(pieces, folded)
        alike = (centres @ centres.T)[np.triu_indices(len(centres), 1)]
        if (alike < SAME_VOICE).all():
            best = folded
    if count:  # fewer big groups than asked for: the plain cut
        return np.asarray(fcluster(tree, min(count, len(pieces)), "maxclust"), dtype=int) - 1
    return best


def _fold(pieces: np.ndarray, labels: np.ndarray, keep: list[int]) -> np.ndarray:
    """Pieces outside the kept groups join the nearest kept one; groups renumbered 0…"""
    nearest = (pieces @ _centroids(pieces, labels, keep).T).argmax(axis=1)
    kept = np.array([keep.index(x) if x in keep else -1 for x in labels])
    return np.where(kept >= 0, kept, nearest)


def _centroids(
    vectors: np.ndarray, labels: np.ndarray, groups: Sequence[int] | None = None
) -> np.ndarray:
    """The unit mean vector of each group (all of them, in order, unless named)."""
    chosen = np.unique(labels) if groups is None else groups
    return _unit(np.stack([vectors[labels == k].mean(0) for k in chosen]))


def _smooth(labels: np.ndarray, windows: Sequence[_Window]) -> np.ndarray:
    """Each window takes the majority of itself and its neighbours in the same stretch."""
    out: np.ndarray = labels.copy()
    for i in range(1, len(labels) - 1):
        a, b, c = labels[i - 1 : i + 2]
        same_region = windows[i - 1].region == windows[i].region == windows[i + 1].region
        if same_region and a == c != b:
            out[i] = a
    return out


def _runs(words: Sequence[Word], speakers: Sequence[int]) -> list[tuple[int, list[Word]]]:
    """Consecutive words of one speaker; a run shorter than MIN_TURN_SECONDS joins the run
    before it (or after it, at the start)."""
    runs: list[tuple[int, list[Word]]] = []
    for word, who in zip(words, speakers, strict=True):
        if runs and runs[-1][0] == who:
            runs[-1][1].append(word)
        else:
            runs.append((who, [word]))
    merged: list[tuple[int, list[Word]]] = []
    for who, run in runs:
        short = run[-1].end - run[0].start < MIN_TURN_SECONDS
        if merged and (short or merged[-1][0] == who):
            merged[-1][1].extend(run)
        else:
            merged.append((who, run))
    if len(merged) > 1 and merged[0][1][-1].end - merged[0][1][0].start < MIN_TURN_SECONDS:
        merged[1] = (merged[1][0], merged[0][1] + merged[1][1])
        merged.pop(0)
    return merged


def _split(segment: Segment, centres: np.ndarray, labels: np.ndarray) -> list[Segment]:
    """The segment as one or more segments, one per speaker turn inside it."""
    if len(set(labels.tolist())) == 1 or not segment.words:
        votes = np.bincount(labels)
        return [replace(segment, speaker=str(int(np.argmax(votes))))]
    mids = np.array([(w.start + w.end) / 2 for w in segment.words])
    nearest = np.abs(mids[:, None] - centres[None, :]).argmin(axis=1)
    runs = _runs(segment.words, [int(labels[j]) for j in nearest])
    parts = []
    for i, (who, words) in enumerate(runs):
        start = segment.start if i == 0 else words[0].start
        end = segment.end if i == len(runs) - 1 else words[-1].end
        text = "".join(w.text for w in words).strip()
        parts.append(Segment(start, end, text, str(who), tuple(words)))
    return parts


def _named(segments: list[Segment], centres: np.ndarray, voices: Sequence[Voice]) -> list[Segment]:
    """Cluster numbers become the names of the enrolled voices they match, and the others
    "Speaker 1", "Speaker 2"… in order of first appearance ("Speaker 2 (maybe Ana?)" when
    a voice is alike but not enough to be sure)."""
    order = list(dict.fromkeys(s.speaker for s in segments))
    matches = {m.speaker: m for m in match_voices(centres[[int(k) for k in order]], voices)}
    names: dict[str, str] = {}
    unnamed = 0
    for index, key in enumerate(order):
        match = matches.get(index)
        if match and match.similarity >= NAMED_AT:
            names[key] = match.voice.name
            continue
        unnamed += 1
        maybe = f" (maybe {match.voice.name}?)" if match else ""
        names[key] = f"Speaker {unnamed}{maybe}"
    return [replace(s, speaker=names[s.speaker]) for s in segments]


def _speech(audio: np.ndarray, regions: Sequence[tuple[float, float]]) -> np.ndarray:
    """The speaker encoder's mel frames, the speech brought to its loudness."""
    speech = np.zeros(len(audio), dtype=bool)
    for start, end in regions:
        speech[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)] = True
    return mel_frames(normalise_loudness(audio, speech))


def voice_of(audio: np.ndarray) -> tuple[np.ndarray, float]:
    """The voice vector of the speech in `audio` (one speaker), and its seconds of speech.

    Raises ValueError when no speech is heard."""
    regions = speech_regions(audio, [])
    if not regions:
        raise ValueError("no speech heard")
    mels = _speech(audio, regions)
    windows = _windows(regions, len(mels))
    vectors = embed_windows(mels, [(w.start, w.frames) for w in windows])
    return unit(vectors.mean(axis=0)), sum(b - a for a, b in regions)


def find_speakers(
    audio: np.ndarray,
    segments: Sequence[Segment],
    count: int = 0,
    voices: Sequence[Voice] = (),
    device: str = "cpu",
) -> list[Segment]:
    """The segments with speakers, split where the speaker changes; `count` 0 finds the
    number of speakers, N asks for N (never more than there are ~3 s pieces of speech);
    a speaker whose voice is enrolled in `voices` takes its name. The voice encoder runs
    on `device` (the transcribing model's)."""
    if not segments:
        return []
    regions = speech_regions(audio, segments)
    mels = _speech(audio, regions)
    windows = _windows(regions, len(mels))
    centres = np.array([w.centre for w in windows])
    vectors = embed_windows(mels, [(w.start, w.frames) for w in windows], device)
    pieces, piece_of = _pieces(windows, vectors)
    seconds = np.zeros(len(pieces))
    for w, piece in zip(windows, piece_of, strict=True):
        seconds[piece] += min(w.frames, STEP_FRAMES) / FRAMES_PER_SECOND
    labels = _cluster(pieces, seconds, count)
    speakers = _centroids(pieces, labels)
    window_labels = (vectors @ speakers.T).argmax(axis=1)
    window_labels = _smooth(window_labels, windows)
    found: list[Segment] = []
    for segment in segments:
        mine = _inside(centres, segment)
        found += _split(segment, centres[mine], window_labels[mine])
    return _named(found, speakers, voices)


def _inside(centres: np.ndarray, segment: Segment) -> np.ndarray:
    """Which windows speak for `segment`: those centred inside it, else the nearest one."""
    mine: np.ndarray = (centres >= segment.start) & (centres <= segment.end)
    if not mine.any():
        mine[np.abs(centres - (segment.start + segment.end) / 2).argmin()] = True
    return mine


def enroll(
    library: VoiceLibrary, name: str, clips: Sequence[str | Path]
) -> tuple[Voice | None, list[str]]:
    """Learn `name`'s voice from audio files of that person alone; a clip that cannot be
    read or holds no speech is named with its reason and the others go on. The profile
    (None when no clip could be used) and the problems."""
    problems: list[str] = []
    voice = None
    for clip in clips:
        try:
            vector, seconds = voice_of(load_audio(clip))
        except InputFileError as exc:
            problems.append(str(exc))
            continue
        except ValueError as exc:
            problems.append(f"{clip}: {exc}")
            continue
        voice = library.add(name, vector, seconds)
    return voice, problems


def enroll_speech(
    request: EnrolVoice, *, cancel: CancelToken | None = None
) -> Generator[Event, None, Voice]:
    """The job behind the tab's "remember this voice": the speaker's segments of a
    transcript, joined, enrolled under the request's name."""
    yield Activity(f"Learning {request.name}'s voice…")
    audio = request.audio if request.audio is not None else load_audio(request.path)
    parts = [audio[int(a * SAMPLE_RATE) : int(b * SAMPLE_RATE)] for a, b in request.spans]
    if cancel is not None:
        cancel.raise_if_cancelled()
    try:
        vector, seconds = voice_of(np.concatenate(parts) if parts else audio[:0])
    except ValueError as exc:
        raise InputFileError(request.path, f"{request.name}'s segments: {exc}") from exc
    return VoiceLibrary().add(request.name, vector, seconds)
