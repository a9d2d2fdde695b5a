"""Language detection on clips of a word or two: where is Whisper's guess worth keeping?

whisper-base detects the language of espeak-ng clips in English, German, French and Spanish:
single words (the prompts a dataset of commands or names holds) and whole sentences. For each
probability threshold it prints how many guesses above it are wrong (kept wrongly) and how many
below it were right (thrown away for the fallback). fmstudio's MIN_LANGUAGE_PROBABILITY is the
threshold in use; below it a clip takes the session's language (the one its sentence was
detected as, where that was sure; else English). The last line: right languages with the
fallback / plain detection.

Run: .venv/bin/python benchmarks/language_fallback.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import report
from fmstudio.core import loading
from fmstudio.core.data.audio import load_audio
from fmstudio.core.speech.requests import MIN_LANGUAGE_PROBABILITY

WORDS = {
    "en": ["new", "stop", "yes", "hello", "seven", "window", "coffee", "tomorrow"],
    "de": ["neu", "halt", "ja", "hallo", "sieben", "Fenster", "Kaffee", "morgen"],
    "fr": ["nouveau", "arrête", "oui", "bonjour", "sept", "fenêtre", "café", "demain"],
    "es": ["nuevo", "para", "sí", "hola", "siete", "ventana", "café", "mañana"],
}
SENTENCES = {
    "en": ["The train to the city leaves every morning at seven o'clock."],
    "de": ["Der Zug in die Stadt fährt jeden Morgen um sieben Uhr ab."],
    "fr": ["Le train pour la ville part tous les matins à sept heures."],
    "es": ["El tren a la ciudad sale todas las mañanas a las siete."],
}
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)


def clips(folder: Path) -> list[tuple[str, str, Path]]:
    """(language, kind, path) of every clip, spoken slowly as the espeak-ng voices need."""
    made = []
    for kind, table in (("word", WORDS), ("sentence", SENTENCES)):
        for language, texts in table.items():
            for i, text in enumerate(texts):
                path = folder / f"{kind}-{language}-{i}.wav"
                subprocess.run(["espeak-ng", "-v", language, "-s", "120", "-w", str(path), text])
                made.append((language, kind, path))
    return made


def main() -> None:
    whisper = loading.cached_load("whisper-base", "speech").model
    with tempfile.TemporaryDirectory() as tmp:
        guesses = []
        for language, kind, path in clips(Path(tmp)):
            found, probability, _ = whisper.detect_language(load_audio(path))
            guesses.append((language, kind, found, probability))
            print(f"{kind:8s} {language} -> {found} p {probability:.2f}  {path.name}")
    print("\nthreshold  kept wrong  dropped right   (words / sentences)")
    for threshold in THRESHOLDS:
        row = []
        for kind in ("word", "sentence"):
            mine = [g for g in guesses if g[1] == kind]
            kept_wrong = sum(1 for lang, _, f, p in mine if p >= threshold and f != lang)
            dropped_right = sum(1 for lang, _, f, p in mine if p < threshold and f == lang)
            row.append(f"{kept_wrong:2d} {dropped_right:2d}")
        mark = "  <- in use" if threshold == MIN_LANGUAGE_PROBABILITY else ""
        print(f"{threshold:9.1f}  {row[0]:>10s}  {row[1]:>13s}{mark}")
    session = {  # the last language the user's session was sure of: its sentence's
        lang: (f if p >= MIN_LANGUAGE_PROBABILITY else "en")
        for lang, kind, f, p in guesses
        if kind == "sentence"
    }
    plain = sum(1 for lang, _, f, _ in guesses if f == lang)
    ours = sum(
        1
        for lang, _, f, p in guesses
        if (f if p >= MIN_LANGUAGE_PROBABILITY else session[lang]) == lang
    )
    report("right languages with the fallback", ours, "plain detection", plain, "", "ours / plain")


if __name__ == "__main__":
    main()
