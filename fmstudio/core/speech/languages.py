"""The languages Whisper knows, and which of them a speech model understands, read from
its files without loading it (the language menu fills before any model is loaded)."""

from __future__ import annotations

import json
from pathlib import Path

from fmstudio.core import catalog
from fmstudio.core.errors import ModelUnavailableError
from fmstudio.core.speech import joined

NAMES: dict[str, str] = {
    "en": "English",
    "zh": "Chinese",
    "de": "German",
    "es": "Spanish",
    "ru": "Russian",
    "ko": "Korean",
    "fr": "French",
    "ja": "Japanese",
    "pt": "Portuguese",
    "tr": "Turkish",
    "pl": "Polish",
    "ca": "Catalan",
    "nl": "Dutch",
    "ar": "Arabic",
    "sv": "Swedish",
    "it": "Italian",
    "id": "Indonesian",
    "hi": "Hindi",
    "fi": "Finnish",
    "vi": "Vietnamese",
    "he": "Hebrew",
    "uk": "Ukrainian",
    "el": "Greek",
    "ms": "Malay",
    "cs": "Czech",
    "ro": "Romanian",
    "da": "Danish",
    "hu": "Hungarian",
    "ta": "Tamil",
    "no": "Norwegian",
    "th": "Thai",
    "ur": "Urdu",
    "hr": "Croatian",
    "bg": "Bulgarian",
    "lt": "Lithuanian",
    "la": "Latin",
    "mi": "Maori",
    "ml": "Malayalam",
    "cy": "Welsh",
    "sk": "Slovak",
    "te": "Telugu",
    "fa": "Persian",
    "lv": "Latvian",
    "bn": "Bengali",
    "sr": "Serbian",
    "az": "Azerbaijani",
    "sl": "Slovenian",
    "kn": "Kannada",
    "et": "Estonian",
    "mk": "Macedonian",
    "br": "Breton",
    "eu": "Basque",
    "is": "Icelandic",
    "hy": "Armenian",
    "ne": "Nepali",
    "mn": "Mongolian",
    "bs": "Bosnian",
    "kk": "Kazakh",
    "sq": "Albanian",
    "sw": "Swahili",
    "gl": "Galician",
    "mr": "Marathi",
    "pa": "Punjabi",
    "si": "Sinhala",
    "km": "Khmer",
    "sn": "Shona",
    "yo": "Yoruba",
    "so": "Somali",
    "af": "Afrikaans",
    "oc": "Occitan",
    "ka": "Georgian",
    "be": "Belarusian",
    "tg": "Tajik",
    "sd": "Sindhi",
    "gu": "Gujarati",
    "am": "Amharic",
    "yi": "Yiddish",
    "lo": "Lao",
    "uz": "Uzbek",
    "fo": "Faroese",
    "ht": "Haitian Creole",
    "ps": "Pashto",
    "tk": "Turkmen",
    "nn": "Nynorsk",
    "mt": "Maltese",
    "sa": "Sanskrit",
    "lb": "Luxembourgish",
    "my": "Myanmar",
    "bo": "Tibetan",
    "tl": "Tagalog",
    "mg": "Malagasy",
    "as": "Assamese",
    "tt": "Tatar",
    "haw": "Hawaiian",
    "ln": "Lingala",
    "ha": "Hausa",
    "ba": "Bashkir",
    "jw": "Javanese",
    "su": "Sundanese",
    "yue": "Cantonese",
}
"""Whisper's language codes and their English names, in Whisper's own order."""
MULTILINGUAL_VOCABULARY = 51865
"""Whisper's own test: a multilingual model's vocabulary has this many tokens or more."""


def _vocabulary_size(folder: Path) -> int:
    """Tokens in a CTranslate2 Whisper's vocabulary: a .txt (older converters, the bundled
    tiny.en) or a .json list (the converter that saves fine-tuned models)."""
    listed = folder / "vocabulary.json"
    if listed.is_file():
        return len(json.loads(listed.read_text(encoding="utf-8")))
    with (folder / "vocabulary.txt").open("rb") as f:
        return sum(1 for _ in f)


def _folder(entry: catalog.ModelEntry) -> Path | None:
    if entry.source == "library":
        return Path(entry.location)
    if entry.source != "bundled":
        return None
    if entry.name == joined.NAME:
        return joined.data_folder()
    from fmstudio.core.speech.models import bundled_folder

    return bundled_folder()


def model_languages(name: str) -> tuple[str, ...]:
    """The codes a speech model understands: ("en",) for English-only models."""
    try:
        entry = catalog.resolve(name, "speech")
        folder = _folder(entry)
        if folder is None:
            english = name.endswith(".en")
        else:
            english = _vocabulary_size(folder) < MULTILINGUAL_VOCABULARY
    except (ModelUnavailableError, OSError, ValueError):
        english = name.endswith(".en")
    return ("en",) if english else tuple(NAMES)
