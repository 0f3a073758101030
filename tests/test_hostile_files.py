"""Files that cannot hurt: whatever a path names, however large a file or its cells, an import
is refused with one line naming the file, the same on the command line and on the upload page,
and the database is left as it was."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import ACTOR, days_ago, draft
from tests.test_dashboard import open_page
from tracker import csvfile, history_file, taxonomy
from tracker.cli import main
from tracker.errors import InvalidInput
from tracker.service import Tracker
from tracker.ui.common import WORD_JOINER

PROJECT = Path(__file__).resolve().parent.parent
LONG = 200_000
DAY = days_ago(3).isoformat()

# For each import command: its words, a header, a good row, and the column a long cell goes in.
COMMANDS = {
    "import": (
        ["import"],
        "recommendation_id,status,progress,as_of,analyst,note",
        f"R1,in_progress,30,{DAY},Ana,",
        "note",
    ),
    "recommendations import": (
        ["recommendations", "import"],
        "id,title,description,source",
        "P1,Open data,,Another paper",
        "description",
    ),
}


def a_good_file(command: str, rows: int = 1) -> bytes:
    """A file that `command` imports: the header and `rows` good rows (the paper's ids differ)."""
    _, header, row, _ = COMMANDS[command]
    lines = [header]
    for n in range(1, rows + 1):
        cells = row.split(",")
        if command == "recommendations import":
            cells[0], cells[2] = f"P{n}", f"Publish data set {n}"
        else:
            cells[-1] = f"Row {n}"
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode()


def with_long_field(command: str) -> bytes:
    _, header, row, column = COMMANDS[command]
    cells = dict(zip(header.split(","), row.split(","), strict=True))
    cells[column] = "x" * LONG
    return f"{header}\n{','.join(cells.values())}\n".encode()


def with_long_header(command: str) -> bytes:
    _, header, row, _ = COMMANDS[command]
    return f"{'h' * LONG},{header}\nextra,{row}\n".encode()


LONG_HEADER = f"row 1, column 1: is {LONG:,} characters long; a column name holds at most 100"


def long_field(command: str) -> str:
    column = COMMANDS[command][3]
    return (
        f"row 2, column {column}: is {LONG:,} characters long; "
        f"a cell holds at most {csvfile.MAX_FIELD_CHARS:,}"
    )


def snapshot(tracker: Tracker) -> tuple[str, list[str]]:
    """What the database holds: the full history export and the recommendations' ids."""
    out = io.StringIO()
    tracker.export_history(out)
    return out.getvalue(), [r.id for r in tracker.recommendations()]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """The command line in a process of its own, so that a read that never ends fails the test
    (by the timeout, or by the 2 GiB memory limit) instead of blocking the suite or the
    machine."""
    limited = 'ulimit -v 2097152 && exec "$0" "$@"'
    return subprocess.run(
        ["sh", "-c", limited, sys.executable, "-m", "tracker", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def not_a_regular_file(kind: str, tmp_path: Path) -> Path:
    if kind == "a character device":
        return Path("/dev/zero")
    path = tmp_path / f"{kind.split()[-1]}.csv"
    if kind == "a named pipe":
        os.mkfifo(path)
    else:
        path.mkdir()
    return path


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", ["a character device", "a named pipe", "a folder"])
def test_only_regular_files_are_read(
    tracker: Tracker, db_url: str, tmp_path: Path, kind: str, command: str
):
    path = not_a_regular_file(kind, tmp_path)
    before = snapshot(tracker)
    done = run_cli(*COMMANDS[command][0], str(path), "--db", db_url)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"error: {path}: is {kind}, not a regular file\n"
    assert snapshot(tracker) == before


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", ["header", "field"])
def test_a_cell_too_long_is_refused_by_row_and_column(
    tracker: Tracker, db_url: str, tmp_path: Path, capsys, case: str, command: str
):
    path = tmp_path / "long.csv"
    if case == "header":
        path.write_bytes(with_long_header(command))
        message = LONG_HEADER
    else:
        path.write_bytes(with_long_field(command))
        message = long_field(command)
    before = snapshot(tracker)
    assert main([*COMMANDS[command][0], str(path), "--db", db_url]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"error: long.csv, {message}\n")
    assert snapshot(tracker) == before


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_that_grows_after_it_was_measured_is_refused_on_the_bytes_read(
    tracker: Tracker, db_url: str, tmp_path: Path, monkeypatch, capsys, command: str
):
    path = tmp_path / "growing.csv"
    path.write_bytes(a_good_file(command))
    limit = path.stat().st_size
    monkeypatch.setattr(csvfile, "MAX_FILE_BYTES", limit)
    grown = a_good_file(command, rows=2)
    measure = os.fstat

    def measure_then_grow(fd: int) -> os.stat_result:
        # The file is measured at the limit; then another good row is written to it before it
        # is read. Read whole, it would import.
        measured = measure(fd)
        if os.path.samestat(measured, os.stat(path)):
            path.write_bytes(grown)
        return measured

    monkeypatch.setattr(os, "fstat", measure_then_grow)
    before = snapshot(tracker)
    assert main([*COMMANDS[command][0], str(path), "--db", db_url]) == 2
    captured = capsys.readouterr()
    assert path.read_bytes() == grown
    assert captured.err == f"error: growing.csv: holds more than the limit of {limit:,} bytes\n"
    assert snapshot(tracker) == before


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_reported_empty_is_still_held_to_the_limit(
    tracker: Tracker, db_url: str, monkeypatch, capsys, command: str
):
    # Files under /proc are regular files that report a size of 0 whatever they hold.
    path = Path("/proc/self/status")
    assert path.stat().st_size == 0
    assert len(path.read_bytes()) > 100
    monkeypatch.setattr(csvfile, "MAX_FILE_BYTES", 100)
    before = snapshot(tracker)
    assert main([*COMMANDS[command][0], str(path), "--db", db_url]) == 2
    assert capsys.readouterr().err == "error: status: holds more than the limit of 100 bytes\n"
    assert snapshot(tracker) == before


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_of_exactly_the_limit_is_read_whole(
    tracker: Tracker, db_url: str, tmp_path: Path, monkeypatch, capsys, command: str
):
    path = tmp_path / "full.csv"
    path.write_bytes(a_good_file(command, rows=3))
    monkeypatch.setattr(csvfile, "MAX_FILE_BYTES", path.stat().st_size)
    assert main([*COMMANDS[command][0], str(path), "--db", db_url]) == 0
    capsys.readouterr()
    if command == "import":
        assert [a.note for a in tracker.history("R1")] == ["Row 3", "Row 2", "Row 1"]
    else:
        assert {"P1", "P2", "P3"} <= set(snapshot(tracker)[1])


UPLOADS = {
    "long_header": (with_long_header("import"), LONG_HEADER),
    "long_field": (with_long_field("import"), long_field("import")),
}


@pytest.mark.parametrize(("data", "message"), UPLOADS.values(), ids=UPLOADS.keys())
def test_the_upload_page_refuses_a_cell_too_long_as_the_command_line_does(
    tracker: Tracker, db_url: str, monkeypatch, data: bytes, message: str
):
    monkeypatch.setenv("TRACKER_DB_URL", db_url)
    before = snapshot(tracker)
    app = open_page("tracker/ui/pages/reports.py")
    app.file_uploader(key="import_file").set_value(("f.csv", data, "text/csv")).run()
    assert not app.exception
    shown = app.error[0].value.replace("\\", "").replace(WORD_JOINER, "")
    assert shown.startswith("Nothing was saved.")
    assert shown.splitlines()[-1] == f"- f.csv, {message}"
    assert not app.info, "no preview of what would be imported"
    assert snapshot(tracker) == before


def test_the_upload_page_holds_an_upload_to_the_size_limit(
    tracker: Tracker, db_url: str, monkeypatch
):
    monkeypatch.setenv("TRACKER_DB_URL", db_url)
    # One byte under the upload, and above the paper's own file, which the page may load.
    data = a_good_file("import", rows=200)
    limit = len(data) - 1
    assert limit > len((PROJECT / "data" / "recommendations.csv").read_bytes())
    monkeypatch.setattr(csvfile, "MAX_FILE_BYTES", limit)
    before = snapshot(tracker)
    app = open_page("tracker/ui/pages/reports.py")
    app.file_uploader(key="import_file").set_value(("f.csv", data, "text/csv")).run()
    assert not app.exception
    shown = app.error[0].value.replace("\\", "").replace(WORD_JOINER, "")
    message = f"- f.csv: is {len(data):,} bytes; the limit is {limit:,} bytes"
    assert shown.splitlines()[-1] == message
    assert snapshot(tracker) == before


def test_the_longest_note_the_tracker_writes_reads_back(tracker: Tracker, other_db_url: str):
    note = "=" + "n" * (taxonomy.NOTE_MAX_CHARS - 1)
    tracker.log_assessment(ACTOR, draft("R2", note=note))
    exported, _ = snapshot(tracker)
    assert f",'{note}," in exported, "written with a leading ', one character over the note limit"
    target = Tracker.open(other_db_url)
    target.init()
    try:
        target.import_history(ACTOR, history_file.parse(exported.encode(), "history.csv"))
        assert [a.note for a in target.history("R2")] == [note]
    finally:
        target.close()


def test_a_cell_of_exactly_the_limit_passes_and_one_more_character_does_not():
    header = "recommendation_id,status,progress,as_of,analyst,note"

    def parse(note_chars: int) -> csvfile.CsvTable:
        text = f"{header}\nR1,in_progress,3,{DAY},Ana,{'n' * note_chars}\n"
        return csvfile.parse(text, "f.csv", required=header.split(","))

    assert len(parse(csvfile.MAX_FIELD_CHARS).rows[0].values["note"]) == csvfile.MAX_FIELD_CHARS
    with pytest.raises(InvalidInput) as refused:
        parse(csvfile.MAX_FIELD_CHARS + 1)
    assert [str(p) for p in refused.value.problems] == [
        f"f.csv, row 2, column note: is {csvfile.MAX_FIELD_CHARS + 1:,} characters long; "
        f"a cell holds at most {csvfile.MAX_FIELD_CHARS:,}"
    ]


def test_invalid_csv_is_placed_at_its_row_not_at_its_line():
    header = "recommendation_id,status,progress,as_of,analyst,note"
    text = (
        f"{header}\n"
        f'R1,in_progress,3,{DAY},Ana,"three\nlines\nlong"\n'
        f'R1,in_progress,4,{DAY},Ana,"closed" then more\n'
    )
    with pytest.raises(InvalidInput) as refused:
        history_file.parse(text.encode(), "f.csv")
    (problem,) = refused.value.problems
    assert (problem.row, problem.message) == (3, "is not valid CSV: ',' expected after '\"'")


def test_a_file_broken_on_every_row_reports_the_first_problems_only():
    header = "recommendation_id,status,progress,as_of,analyst"
    text = header + "\n" + "R1\n" * 100_000
    with pytest.raises(InvalidInput) as refused:
        history_file.parse(text.encode(), "f.csv")
    problems = refused.value.problems
    assert len(problems) == csvfile.MAX_PROBLEMS
    assert [p.row for p in problems] == list(range(2, csvfile.MAX_PROBLEMS + 2))


def test_the_readme_states_the_limits():
    readme = " ".join((PROJECT / "README.md").read_text(encoding="utf-8").split())
    assert f"at most {csvfile.MAX_FILE_BYTES // (1024 * 1024)} MiB" in readme
    assert (
        f"A cell holds at most {csvfile.MAX_FIELD_CHARS:,} characters and a column name at most "
        f"{csvfile.MAX_COLUMN_NAME_CHARS};"
    ) in readme
    assert f"a note of {taxonomy.NOTE_MAX_CHARS:,} characters" in readme
