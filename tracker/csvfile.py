"""CSV files: reading what people made in spreadsheets, and writing what spreadsheets open safely.

Every problem names the file, and where it can, the row (the header is row 1, as a spreadsheet
numbers it) and the column. A file is read whole before anything is checked against the
database, and the size limit is checked before it is read at all.
"""

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from tracker.errors import InvalidInput, Problem, refuse

MAX_FILE_BYTES = 50 * 1024 * 1024
"""The largest CSV file the tracker reads (50 MiB); larger files are refused unread."""


@dataclass(frozen=True)
class CsvRow:
    number: int
    values: dict[str, str]


@dataclass(frozen=True)
class CsvTable:
    name: str
    header: tuple[str, ...]
    rows: tuple[CsvRow, ...]


def read_file(path: Path) -> bytes:
    """The file's bytes, refusing a missing, unreadable or oversized file before reading it."""
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise refuse("too_big", {"size": size, "limit": MAX_FILE_BYTES}, file=name)
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise refuse("no_such_file", file=str(path)) from exc
    except IsADirectoryError as exc:
        raise refuse("is_folder", file=str(path)) from exc
    except PermissionError as exc:
        raise refuse("permission_denied", file=str(path)) from exc


def decode(data: bytes, name: str) -> str:
    """UTF-8 text (a byte-order mark is dropped); any other encoding is refused by name."""
    if len(data) > MAX_FILE_BYTES:
        raise refuse("too_big", {"size": len(data), "limit": MAX_FILE_BYTES}, file=name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse("utf16", file=name)
    if b"\x00" in data:
        raise refuse("nul_byte", {"offset": data.index(b"\x00")}, file=name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        params = {"byte": data[exc.start], "offset": exc.start}
        raise refuse("not_utf8", params, file=name) from exc


def _delimiter(first_line: str, required: Iterable[str]) -> str:
    """Comma, unless the header only makes sense split on semicolons (a common export setting)."""
    required = set(required)
    by_comma = {c.strip() for c in next(csv.reader([first_line]), [])}
    by_semicolon = {c.strip() for c in next(csv.reader([first_line], delimiter=";"), [])}
    if not required <= by_comma and required <= by_semicolon:
        return ";"
    return ","


def parse(
    text: str,
    name: str,
    *,
    required: Iterable[str],
    optional: Iterable[str] = (),
    is_known: Callable[[str], bool] | None = None,
) -> CsvTable:
    """Rows as dictionaries keyed by column, after checking the header and every row's width."""
    required = list(required)
    known = set(required) | set(optional)
    is_known = is_known or (lambda column: column in known)
    if not text.strip():
        raise refuse("empty_file", file=name)
    delimiter = _delimiter(text.splitlines()[0], required)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[Problem] = []
    try:
        records = list(reader)
    except csv.Error as exc:
        raise refuse("not_csv", {"reason": str(exc)}, file=name, row=reader.line_num) from exc
    header = tuple(column.strip() for column in records[0])
    seen: set[str] = set()
    for column in header:
        if column in seen:
            problems.append(Problem("column_twice", file=name, row=1, column=column))
        seen.add(column)
        if not is_known(column):
            problems.append(Problem("unknown_column", file=name, column=column))
    problems.extend(
        Problem("missing_column", file=name, column=column)
        for column in required
        if column not in seen
    )
    rows: list[CsvRow] = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            params = {"fields": len(record), "header": len(header)}
            problems.append(Problem("wrong_width", params=params, file=name, row=number))
            continue
        rows.append(CsvRow(number, dict(zip(header, record, strict=True))))
    if not rows and not problems:
        problems.append(Problem("no_rows", file=name))
    if problems:
        raise InvalidInput(problems)
    return CsvTable(name, header, tuple(rows))


# Text cells starting with these would run as formulas in a spreadsheet; a leading ' is the
# spreadsheet's own way of saying "this is text". A cell that already starts with ' gets one
# more, so that reading back removes exactly one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore(text: str) -> str:
    """Undoes `neutralise`."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def cell(value: object) -> str:
    """How the tracker writes one value: ISO dates, true/false, numbers as numbers, safe text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return neutralise(str(value))


def write(header: Sequence[str], rows: Iterable[Sequence[object]], out: TextIO) -> None:
    """Writes a CSV table, every text cell neutralised; streams, holding one row at a time."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])


def to_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The CSV as a file's bytes."""
    buffer = io.StringIO()
    write(header, rows, buffer)
    return with_bom(buffer.getvalue())


def with_bom(text: str) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheets read accents right."""
    return ("\ufeff" + text).encode("utf-8")
