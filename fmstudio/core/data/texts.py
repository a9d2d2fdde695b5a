"""Read text documents: plain files in any common encoding, HTML, and CSV/TSV/JSONL rows.

Every problem is an `InputFileError` naming the file (and row) and the reason.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from fmstudio.core.data.charsets import bomless_utf16, guess
from fmstudio.core.data.files import check_input_file
from fmstudio.core.data.suffixes import HTML_SUFFIXES, TABLE_SUFFIXES
from fmstudio.core.data.suffixes import TEXT_SUFFIXES as TEXT_SUFFIXES
from fmstudio.core.errors import InputFileError

MAX_BYTES = 50_000_000
"""Larger files are refused: 50 MB of text is tens of thousands of pages."""

TEXT_COLUMN_NAMES = (
    "text",
    "content",
    "body",
    "document",
    "sentence",
    "review",
    "message",
    "comment",
)


@dataclass(frozen=True)
class TextDoc:
    """One document: `path` is the file, or `file.csv#row` for one row of a table."""

    path: str
    text: str
    whole_file: bool = False
    """The document is all of `path` (not a row of a table, nor pasted text)."""


def decode_bytes(data: bytes, path: Path) -> str:
    """UTF-8 (BOM or not), UTF-16/32 with a BOM, UTF-16 without one, else the likeliest
    legacy code page (`charsets.guess`)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return data.decode("utf-32")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    utf16 = bomless_utf16(data) if b"\x00" in data[:8192] else None
    if utf16 is not None:
        return utf16
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        guessed = guess(data)
        if guessed is None:
            raise InputFileError(path, "binary file, not text") from None
        text = guessed
    if "\x00" in text or _control_ratio(text) > 0.1:
        raise InputFileError(path, "binary file, not text")
    return text


def _control_ratio(text: str) -> float:
    sample = text[:4096]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return bad / len(sample)


def read_text_file(path: Path, data: bytes | None = None) -> str:
    """The decoded text of a file (of `data`, when the caller has read it already)."""
    size = check_input_file(path, "a text file")
    if size > MAX_BYTES:
        raise InputFileError(path, f"file too large ({size / 1e6:.0f} MB; the limit is 50 MB)")
    if data is None:
        data = read_bytes(path)
    if not data.strip():
        raise InputFileError(path, "empty file")
    if (
        b"\x00" in data[:8192]
        and not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"))
        and bomless_utf16(data[:8192]) is None
    ):
        raise InputFileError(path, "binary file, not text")
    return decode_bytes(data, path)


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except PermissionError as exc:
        raise InputFileError(path, "permission denied") from exc
    except OSError as exc:
        raise InputFileError(path, f"cannot read: {exc.strerror or exc}") from exc


class _TextExtractor(HTMLParser):
    SKIP = frozenset({"script", "style", "head", "noscript", "template"})
    BLOCK = frozenset(
        {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def guess_text_column(rows: list[dict[str, object]]) -> str | None:
    """A column named like text, else the one whose values are longest on average."""
    if not rows:
        return None
    columns = list(rows[0].keys())
    for name in TEXT_COLUMN_NAMES:
        for col in columns:
            if col and col.strip().lower() == name:
                return col
    best, best_len = None, 0.0
    for col in columns:
        values = [r.get(col) for r in rows[:200]]
        strings = [v for v in values if isinstance(v, str)]
        if len(strings) < len(values) / 2:
            continue
        mean = sum(len(s) for s in strings) / max(len(strings), 1)
        if mean > best_len:
            best, best_len = col, mean
    return best


Row = dict[str, object]


def table_rows(path: Path, text: str) -> list[Row | InputFileError]:
    """Every row of a CSV/TSV/JSONL table; a JSONL line that is not JSON is an error row."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        rows: list[Row | InputFileError] = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                rows.append(InputFileError(f"{path}#{n}", f"invalid JSON ({exc.msg})"))
                continue
            rows.append(value if isinstance(value, dict) else {"text": value})
        return rows
    dialect = "excel-tab" if suffix == ".tsv" else "excel"
    try:
        return list(csv.DictReader(io.StringIO(text, newline=""), dialect=dialect))
    except csv.Error as exc:
        raise InputFileError(path, f"malformed {suffix[1:].upper()} ({exc})") from exc


Document = TextDoc | InputFileError


def iter_rows(
    path: Path, text_column: str | None = None, data: bytes | None = None
) -> Iterator[tuple[Document, Row]]:
    """Each document of a file with the table row it came from (`{}` for a plain file).

    One parser for every reader: classification takes the documents, the training scan
    also the rows' labels. A bad row is an error document, and the others go on.
    """
    try:
        text = read_text_file(path, data)
        if path.suffix.lower() not in TABLE_SUFFIXES:
            yield _plain_document(path, text), {}
            return
        rows = table_rows(path, text)
    except InputFileError as exc:
        yield exc, {}
        return
    good = [r for r in rows if not isinstance(r, InputFileError)]
    column = text_column or guess_text_column(good)
    if column is None or (good and column not in good[0]):
        known = ", ".join(str(c) for c in (good[0].keys() if good else []))
        yield (
            InputFileError(path, f"no text column {column or ''} (columns: {known or 'none'})"),
            {},
        )
        return
    for n, row in enumerate(rows, start=1):
        if isinstance(row, InputFileError):
            yield row, {}
        else:
            yield _row_document(f"{path}#{n}", row, column), row


def _plain_document(path: Path, text: str) -> Document:
    if path.suffix.lower() in HTML_SUFFIXES:
        text = html_to_text(text)
    if not text.strip():
        return InputFileError(path, "no text in the file")
    return TextDoc(str(path), text, whole_file=True)


def _row_document(where: str, row: Row, column: str) -> Document:
    value = row.get(column)
    if value is None or (isinstance(value, str) and not value.strip()):
        return InputFileError(where, f"empty text in column {column!r}")
    return TextDoc(where, value if isinstance(value, str) else json.dumps(value))


def iter_documents(path: Path, text_column: str | None = None) -> Iterator[Document]:
    """The documents in one file; a bad row is yielded as an error so the others go on."""
    for document, _row in iter_rows(path, text_column):
        yield document


def read_example(path: Path, data: bytes) -> str:
    """A class file's text (the text task's `read_example`). Raises `InputFileError` with the
    reason it cannot be used."""
    document, _row = next(iter_rows(path, data=data))
    if isinstance(document, InputFileError):
        raise document
    return document.text
