"""The English text of every problem, made from its code and parameters: the one place where a
problem becomes a sentence (and where a translation will plug in)."""

from collections.abc import Callable, Mapping
from typing import Any

from tracker.errors import InvalidInput, Problem
from tracker.records import field_name

MAX_PROBLEMS_SHOWN = 100
"""Problems listed one by one, on the command line and on the pages; the rest are counted."""

QUOTED_MAX_CHARS = 100
"""The most of a value a message quotes: a value pasted by mistake (a whole file in one option)
is shown by its start, so that the message stays one readable line."""


def _choices(params: Mapping[str, Any]) -> str:
    return ", ".join(params["allowed"])


def _with_new_ids(params: Mapping[str, Any]) -> str:
    """How to import with new ids, as the face offers it: an `option` or a `checkbox`."""
    if "option" in params:
        return f"import it with {params['option']}"
    if "checkbox" in params:
        return f"tick “{params['checkbox']}” and import it again"
    return "import it giving its assessments new ids"


def _size(params: Mapping[str, Any]) -> str:
    return f"is {params['size']:,} bytes; the limit is {params['limit']:,} bytes"


TEXTS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    # Values of fields
    "required": lambda p: "is required",
    "blank": lambda p: "must not be blank",
    "too_long": lambda p: f"is {p['length']:,} characters long; the limit is {p['limit']:,}",
    "nul_character": lambda p: "contains a NUL character",
    "not_one_of": lambda p: f"{p['value']!r} is not one of: {_choices(p)}",
    "in_future": lambda p: f"{p['value']} is in the future (today is {p['today']})",
    "out_of_range": lambda p: f"{p['value']} is outside {p['min']}–{p['max']}",
    "not_whole_number": lambda p: f"{p['value']!r} is not a whole number",
    "too_many_digits": lambda p: (
        f"{p['value']!r} has {p['digits']:,} digits; numbers are read up to {p['limit']} digits"
    ),
    "not_date": lambda p: f"{p['value']!r} is not a date in the form YYYY-MM-DD",
    "not_date_time": lambda p: f"{p['value']!r} is not a date and time in ISO form",
    "no_utc_offset": lambda p: f"{p['value']!r} has no UTC offset (write it as in an export)",
    "not_web_link": lambda p: f"{p['value']!r} is not an http or https link",
    "link_required": lambda p: "a link is required",
    "not_assessment_id": lambda p: f"{p['value']!r} is not an assessment id",
    "not_recommendation_id": lambda p: (
        f"{p['value']!r} is not an id: use letters, digits, '.', '_' and '-', "
        "starting with a letter or digit"
    ),
    # Rules of an assessment
    "not_loggable": lambda p: (
        "not_assessed is the state before the first assessment and cannot be logged"
    ),
    "fixed_progress": lambda p: f"must be {p['fixed']} when the status is {p['status']}",
    "needs_evidence": lambda p: "implemented needs at least one evidence item",
    "needs_note": lambda p: f"{p['status']} needs a note saying why",
    "accessed_before_published": lambda p: "is earlier than the published date",
    "review_out_of_range": lambda p: f"{p['value']} is outside 1–3650 days",
    # What the database holds
    "unknown_recommendation": lambda p: f"there is no recommendation {p['value']!r}",
    "unknown_assessment": lambda p: f"there is no assessment {p['value']}",
    "corrects_other_recommendation": lambda p: (
        f"assessment {p['value']} is of {p['of']}, not {p['recommendation']}"
    ),
    "already_corrected": lambda p: (
        f"assessment {p['value']} was already corrected by {p['by']}; correct {p['by']} instead"
    ),
    "corrected_twice_in_file": lambda p: (
        f"assessment {p['value']} is also corrected in row {p['other_row']}"
    ),
    "correction_not_earlier": lambda p: (
        f"an assessment corrects an earlier one; {p['value']} is not earlier than {p['id']}"
    ),
    "id_twice_in_file": lambda p: f"{p['value']} is also the id in row {p['other_row']}",
    "stored_with_other_content": lambda p: (
        f"assessment {p['value']} is already stored with other content, and assessments are "
        f"never changed: if this file comes from another tracker, {_with_new_ids(p)}; to "
        "change the stored assessment, log a correction"
    ),
    "corrects_not_in_file": lambda p: (
        f"there is no assessment {p['value']} in this file; with new ids, a correction can "
        "only correct a row of the same file"
    ),
    "recorded_in_future": lambda p: f"{p['value']} is in the future",
    "recommendation_id_taken": lambda p: (
        f"{p['value']!r} is already the id of a stored recommendation"
    ),
    "recommendation_id_twice": lambda p: f"{p['value']!r} is also the id in row {p['other_row']}",
    "recommendation_id_taken_by_case": lambda p: (
        f"{p['value']!r} differs only by case from {p['stored']!r}, the id of a stored "
        "recommendation; ids must differ by more than case"
    ),
    "recommendation_id_case_twice": lambda p: (
        f"{p['value']!r} differs only by case from {p['other_value']!r}, the id in row "
        f"{p['other_row']}; ids must differ by more than case"
    ),
    # Periods of reports
    "not_before_end": lambda p: f"must be before the end date {p['end']}",
    # Files
    "no_such_file": lambda p: "no such file",
    "not_regular_file": lambda p: f"is {p['kind']}, not a regular file",
    "cannot_read": lambda p: f"cannot be read ({p['reason']})",
    "grew_past_limit": lambda p: f"holds more than the limit of {p['limit']:,} bytes",
    "cell_too_long": lambda p: (
        f"is {p['length']:,} characters long; {p['what']} holds at most {p['limit']:,}"
    ),
    "is_folder": lambda p: "is a folder, not a file",
    "permission_denied": lambda p: "cannot be read (permission denied)",
    "too_big": _size,
    "utf16": lambda p: "is UTF-16 text; save it as 'CSV UTF-8' and try again",
    "nul_byte": lambda p: f"contains a NUL byte at byte {p['offset']}; it is not a text CSV file",
    "not_utf8": lambda p: (
        f"is not UTF-8 text (byte 0x{p['byte']:02X} at position {p['offset']}); it looks like "
        "Latin-1 or Windows-1252: save it as 'CSV UTF-8' and try again"
    ),
    "empty_file": lambda p: "is empty; expected a header row and data rows",
    "not_csv": lambda p: f"is not valid CSV: {p['reason']}",
    "column_twice": lambda p: "appears twice in the header",
    "unknown_column": lambda p: "is not a column the tracker knows",
    "missing_column": lambda p: "is a required column and is missing",
    "wrong_width": lambda p: f"has {p['fields']} fields; the header has {p['header']}",
    "no_rows": lambda p: "has a header but no data rows",
    "out_is_folder": lambda p: "is a folder; name a file to write",
    "folder_missing": lambda p: f"the folder {p['folder']} does not exist",
    "file_exists": lambda p: "already exists; choose a new file",
    # The command line
    "not_utf8_argument": lambda p: (
        "is not UTF-8 text"
        + ("" if p["byte"] is None else f" (byte 0x{p['byte']:02X})")
        + "; the command line takes UTF-8 only"
    ),
    # Databases, backups and settings
    "not_database_url": lambda p: "is not a database URL",
    "unsupported_database": lambda p: f"{p['backend']} is not supported; use sqlite or postgresql",
    "no_tracker_database": lambda p: (
        f"{p['where']} holds no tracker database yet: run `python -m tracker init` first"
    ),
    "admin_url_elsewhere": lambda p: "reaches another database than the tracker's",
    "newer_schema": lambda p: (
        f"was made by a newer version of the tracker (schema {p['revisions']}); upgrade the tracker"
    ),
    "sqlite_only": lambda p: (
        f"{p['action']} works on the SQLite database only; on PostgreSQL use "
        "pg_dump and pg_restore (see the README)"
    ),
    "cannot_write": lambda p: f"cannot be written: {p['reason']}",
    "cannot_open": lambda p: f"cannot be opened: {p['reason']}",
    "not_sqlite": lambda p: f"is not a SQLite database ({p['reason']})",
    "integrity_check": lambda p: f"fails SQLite's integrity check: {p['reason']}",
    "not_tracker_database": lambda p: f"is not a tracker database (no {p['missing']})",
    "backup_newer_schema": lambda p: f"comes from a newer tracker (schema {p['revisions']})",
    "holds_data": lambda p: (
        f"the database holds {p['recommendations']} recommendations and {p['assessments']} "
        "assessments; add --force to replace them with the backup"
    ),
    "holds_real_assessments": lambda p: (
        "this database already holds real assessments; use an empty one"
    ),
    "sample_needs_recommendations": lambda p: (
        f"the sample needs recommendations {', '.join(p['missing'])}"
    ),
    "bad_timezone": lambda p: f"{p['value']!r} is not an IANA time zone name",
}


def message(problem: Problem) -> str:
    """What is wrong, in English, without saying where."""
    return TEXTS[problem.code]({k: _shortened(v) for k, v in problem.params.items()})


def _shortened(value: Any) -> Any:
    if isinstance(value, str) and len(value) > QUOTED_MAX_CHARS:
        return value[:QUOTED_MAX_CHARS] + "…"
    return value


def problem_lines(error: InvalidInput, line: Callable[[Problem], str] = str) -> list[str]:
    """The first MAX_PROBLEMS_SHOWN problems, one line each (made by `line`: where, then what),
    then one line counting the rest exactly: what the command line prints and the pages list,
    the same on both."""
    lines = [line(problem) for problem in error.problems[:MAX_PROBLEMS_SHOWN]]
    rest = error.count - len(lines)
    if rest:
        lines.append(f"… and {rest:,} more problem{'' if rest == 1 else 's'}")
    return lines


def where(problem: Problem) -> str:
    """Where the problem is: file, row and column; else as the face named the field; else the
    field's own name ("progress", "evidence 2 url")."""
    parts = []
    if problem.file is not None:
        parts.append(problem.file)
    if problem.row is not None:
        parts.append(f"row {problem.row}")
    if problem.column is not None:
        parts.append(f"column {problem.column}")
    elif problem.at is not None:
        parts.append(problem.at)
    elif problem.field is not None:
        name = field_name(problem.field, item=problem.item is not None)
        parts.append(name if problem.item is None else f"evidence {problem.item} {name}")
    return ", ".join(parts)
