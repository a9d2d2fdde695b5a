"""CSV that a spreadsheet opens as data: a cell that starts like a formula is written as text.

Excel, LibreOffice and Google Sheets run a cell that starts with `=`, `+`, `-` or `@` (and
some treat a leading tab or carriage return the same way): a file name or a pasted text such
as `=HYPERLINK(...)` would become a live formula. OWASP's advice: prefix a single quote, which
the spreadsheet shows as text and hides.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    """`value`, quoted as text when a spreadsheet would run it."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A CSV document whose every text cell is safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return out.getvalue()
