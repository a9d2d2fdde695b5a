"""Which legacy code page a short European text is in, when it is not UTF-8.

charset-normalizer needs more text than a sentence to tell cp1252 from cp1250: on a few words
it rates both alike and turns "coração" into "coraçăo". A reading is plausible when its
accented letters all belong to one language's alphabet; the code page whose reading fits a
language best wins (cp1252 on a tie, the commoner). Texts in no European alphabet (Cyrillic,
Japanese, …) keep charset-normalizer's answer. UTF-16 without a byte-order mark is recognised
by its zero bytes.
"""

from __future__ import annotations

from charset_normalizer import from_bytes

LETTERS = {
    "fr": "àâæçéèêëîïôœùûüÿ",
    "de": "äöüß",
    "es": "áéíñóúü",
    "pt": "ãáâàçéêíõóôú",
    "it": "àèéìíîòóùú",
    "ca": "àçèéíïòóúü",
    "nl": "áéëïóöü",
    "sv": "åäöé",
    "fi": "äöå",
    "da": "æøåé",
    "is": "áðéíóúýþæö",
    "pl": "ąćęłńóśźż",
    "cs": "áčďéěíňóřšťúůýž",
    "sk": "áäčďéíĺľňóôŕšťúýž",
    "hu": "áéíóöőúüű",
    "hr": "čćđšž",
    "sl": "čšž",
    "ro": "ăâîșțşţ",
    "tr": "çğıöşüâî",
}
"""The letters beyond ASCII each language writes (lower case)."""
SINGLE_BYTE = ("cp1252", "cp1250", "cp1254")
"""Windows' Western, Central European and Turkish code pages, which most such files are in
(in this order on a tie: cp1254 differs from cp1252 in six Turkish letters only)."""
PLAUSIBLE = 0.9


def fit(text: str) -> float:
    """How well the text's non-ASCII letters fit the single language they fit best (0-1).

    A symbol inside a word (`p—yta`) counts as a letter no language has. 1.0 for a text with
    no such letters at all.
    """
    odd = [
        ch.lower()
        for i, ch in enumerate(text)
        if ord(ch) > 127
        and (
            ch.isalpha()
            or (0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha())
        )
    ]
    if not odd:
        return 1.0
    return max(sum(ch in letters for ch in odd) for letters in LETTERS.values()) / len(odd)


def _readings(data: bytes) -> list[tuple[float, int, str]]:
    out = []
    for rank, encoding in enumerate(SINGLE_BYTE):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        out.append((fit(text), -rank, text))
    return out


def bomless_utf16(data: bytes) -> str | None:
    """The text of UTF-16 without a byte-order mark, recognised by a zero in every other byte
    (true of Latin-script text), or None."""
    if len(data) < 4 or len(data) % 2:
        return None
    for encoding, zeros in (("utf-16-le", data[1::2]), ("utf-16-be", data[0::2])):
        if zeros.count(0) >= 0.9 * len(zeros):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def guess(data: bytes) -> str | None:
    """The likeliest reading of bytes that are not UTF-8, or None when nothing reads them."""
    readings = _readings(data)
    if readings:
        score, _rank, text = max(readings)
        if score >= PLAUSIBLE:
            return text
    best = from_bytes(data).best()
    return None if best is None else str(best)
