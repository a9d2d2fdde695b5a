"""File suffixes each modality accepts: plain sets, so the window builds its dialogs instantly."""

from __future__ import annotations

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
)
PLAIN_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".rst", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
TABLE_SUFFIXES = frozenset({".csv", ".tsv", ".jsonl", ".ndjson"})
TEXT_SUFFIXES = PLAIN_SUFFIXES | HTML_SUFFIXES | TABLE_SUFFIXES
AUDIO_SUFFIXES = frozenset(
    {".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".m4a", ".aac", ".aiff", ".aif"}
    | {".webm", ".mp4", ".m4v", ".mkv", ".mov", ".avi"}  # videos: their sound track is heard
)
