"""CSV files: reading what people made in spreadsheets, and writing what spreadsheets open safely.

Every problem names the file, and where it can, the row (the header is row 1, as a spreadsheet
numbers it) and the column. A file is read whole before anything is checked against the
database. Only regular files are read, and no more of them than the size limit allows.
"""

import csv
import io
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from tracker.errors import Problem, Problems, refuse
from tracker.file_kinds import kind_of

MAX_FILE_BYTES = 50 * 1024 * 1024
"""The largest CSV file the tracker reads (50 MiB); a file reported larger is refused unread, and
reading stops one byte past the limit whatever size was reported."""

MAX_FIELD_CHARS = 65_536
"""The longest cell the tracker reads, in characters. The longest text it stores is a note of
20,000 characters (20,001 written, with the leading ' that guards a formula), so anything it
writes reads back with room to spare, and a note somewhat over its limit still gets its own
column's message; a longer cell is no text a person meant, and is refused by row and column
before any rule looks at it."""

MAX_COLUMN_NAME_CHARS = 100
"""The longest header cell: column names are short keys, and messages quote them."""

MAX_PROBLEMS = 200
"""Problems kept in full; beyond them problems are only counted, so that a badly broken file
costs no more memory than a sound one and its count of problems is still exact."""


@dataclass(frozen=True)
class CsvRow:
    number: int
    values: dict[str, str]


@dataclass(frozen=True)
class CsvTable:
    name: str
    header: tuple[str, ...]
    rows: tuple[CsvRow, ...]


def _check_file(info: os.stat_result, path: Path) -> None:
    """Refuses anything but a regular file, and a regular file whose reported size is too large."""
    if not stat.S_ISREG(info.st_mode):
        raise refuse("not_regular_file", {"kind": kind_of(info.st_mode)}, file=str(path))
    if info.st_size > MAX_FILE_BYTES:
        raise refuse("too_big", {"size": info.st_size, "limit": MAX_FILE_BYTES}, file=path.name)


def read_file(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES; anything else is refused by name.

    Folders, named pipes, devices and sockets are refused before they are opened, so that
    nothing waits for a writer or reads without end. The size limit holds for the bytes actually
    read, not only for the size the file system reports: a file can grow after it was measured,
    and some file systems report 0 for files that hold data.
    """
    try:
        _check_file(os.stat(path), path)
        # Should the path have been replaced since (by a named pipe, say), opening must not wait
        # for a writer, and what was opened is checked again before a byte is read. For a
        # regular file O_NONBLOCK changes nothing.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        with open(os.open(path, flags), "rb") as file:
            _check_file(os.fstat(file.fileno()), path)
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError as exc:
        raise refuse("no_such_file", file=str(path)) from exc
    except PermissionError as exc:
        raise refuse("permission_denied", file=str(path)) from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise refuse("cannot_read", {"reason": reason}, file=str(path)) from exc
    if len(data) > MAX_FILE_BYTES:
        raise refuse("grew_past_limit", {"limit": MAX_FILE_BYTES}, file=path.name)
    return data


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


# The csv module's own field limit (131,072 characters unless changed) is one setting for the
# whole process, and stops a reader mid-file with an error that names neither row nor column.
# The tracker lifts it so that every cell is read whole, then applies its own limits where it
# can say where the cell is. Lifting it costs nothing here: a cell is never longer than the
# text it came from, which has already passed the file size limit. Only ever raised, and to
# one value, so that readers in other threads (the dashboard's sessions) never see it shrink.
CSV_MODULE_FIELD_LIMIT = 2**31 - 1

FIRST_LINE = re.compile(r"[^\r\n]*")


def _delimiter(first_line: str, required: Iterable[str]) -> str:
    """Comma, unless the header only makes sense split on semicolons (a common export setting)."""
    required = set(required)
    by_comma = {c.strip() for c in next(csv.reader([first_line]), [])}
    by_semicolon = {c.strip() for c in next(csv.reader([first_line], delimiter=";"), [])}
    if not required <= by_comma and required <= by_semicolon:
        return ";"
    return ","


def _records(
    reader: Iterator[list[str]], name: str, problems: Problems
) -> Iterator[tuple[int, list[str]]]:
    """Each record with its row number (the header is row 1); stops at the first row that is
    not valid CSV, adding that problem."""
    number = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(
                Problem("not_csv", params={"reason": str(exc)}, file=name, row=number + 1)
            )
            return
        number += 1
        yield number, record


def _too_long(cell: str, limit: int, what: str, **where) -> Problem:
    params = {"length": len(cell), "what": what, "limit": limit}
    return Problem("cell_too_long", params=params, **where)


def parse(
    text: str,
    name: str,
    *,
    required: Iterable[str],
    optional: Iterable[str] = (),
    is_known: Callable[[str], bool] | None = None,
) -> CsvTable:
    """Rows as dictionaries keyed by column, after checking the header, every row's width and
    every cell's length; all problems at once (the first MAX_PROBLEMS kept, all counted)."""
    required = list(required)
    known = set(required) | set(optional)
    is_known = is_known or (lambda column: column in known)
    if not text.strip():
        raise refuse("empty_file", file=name)
    if csv.field_size_limit() < CSV_MODULE_FIELD_LIMIT:
        csv.field_size_limit(CSV_MODULE_FIELD_LIMIT)
    delimiter = _delimiter(FIRST_LINE.match(text).group(), required)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems = Problems(MAX_PROBLEMS)
    records = _records(reader, name, problems)
    _, first = next(records, (1, []))
    # A header cell too long to be a column name is all that is said about the file: every
    # other message would have to quote it.
    problems.extend(
        _too_long(cell, MAX_COLUMN_NAME_CHARS, "a column name", file=name, row=1, column=str(n))
        for n, cell in enumerate(first, start=1)
        if len(cell) > MAX_COLUMN_NAME_CHARS
    )
    if problems:
        raise problems.error()
    header = tuple(column.strip() for column in first)
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
    for number, record in records:
        too_long = [
            _too_long(
                cell,
                MAX_FIELD_CHARS,
                "a cell",
                file=name,
                row=number,
                column=header[n] if n < len(header) else str(n + 1),
            )
            for n, cell in enumerate(record)
            if len(cell) > MAX_FIELD_CHARS
        ]
        if too_long:
            problems.extend(too_long)
            continue
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            params = {"fields": len(record), "header": len(header)}
            problems.append(Problem("wrong_width", params=params, file=name, row=number))
            continue
        if not problems:
            # Once the file is refused its rows are of no use: only the problems are counted.
            rows.append(CsvRow(number, dict(zip(header, record, strict=True))))
    if not rows and not problems:
        problems.append(Problem("no_rows", file=name))
    if problems:
        raise problems.error()
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
