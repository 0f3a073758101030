"""A catalogue of malformed import files: each refused with a located message and nothing
written, or accepted where that is the right answer (said so in its case)."""

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest

from tests.factories import ACTOR
from tracker import clock, csvfile, history_file, taxonomy
from tracker.cli import main
from tracker.service import Tracker

HEADER = (
    "assessment_id,recommendation_id,status,progress,as_of,analyst,note,"
    "evidence_1_url,evidence_1_reliability"
)
DAY = (clock.today() - timedelta(days=3)).isoformat()
# Two days ahead, so that it is still in the future if the suite runs across midnight.
IN_TWO_DAYS = (clock.today() + timedelta(days=2)).isoformat()


def good(n: int = 1, **cells) -> str:
    values = {
        "assessment_id": "",
        "recommendation_id": "R1",
        "status": "in_progress",
        "progress": "30",
        "as_of": DAY,
        "analyst": "Ana",
        "note": f"Row {n}",
        "evidence_1_url": "",
        "evidence_1_reliability": "",
    }
    values.update(cells)
    return ",".join(values.values())


ACCEPTED = {
    "utf8_with_bom": ("\ufeff" + HEADER + "\n" + good() + "\n").encode("utf-8"),
    "semicolon_separated": (
        HEADER.replace(",", ";") + "\n" + good().replace(",", ";") + "\n"
    ).encode(),
    "quoted_field_with_newlines": (
        HEADER + "\n" + good(note='"line one\nline two, with comma"') + "\n"
    ).encode(),
    "crlf_line_endings": (HEADER + "\r\n" + good() + "\r\n" + good(2) + "\r\n").encode(),
    "blank_lines_between_rows": (HEADER + "\n" + good() + "\n\n" + good(2) + "\n").encode(),
}

REFUSED = {
    "latin1": (
        (HEADER + "\n" + good(note="Mérida") + "\n").encode("latin-1"),
        "f.csv: is not UTF-8 text (byte 0xE9",
    ),
    "cp1252_quotes": (
        (HEADER + "\n" + good(note="“quoted”") + "\n").encode("cp1252"),
        "f.csv: is not UTF-8 text (byte 0x93",
    ),
    "utf16": (("\ufeff" + HEADER + "\n" + good() + "\n").encode("utf-16"), "f.csv: is UTF-16 text"),
    "nul_bytes": (
        (HEADER + "\n" + good(note="a\x00b") + "\n").encode(),
        "f.csv: contains a NUL byte",
    ),
    "too_many_fields": (
        (HEADER + "\n" + good() + ",extra\n").encode(),
        "f.csv, row 2: has 10 fields; the header has 9",
    ),
    "too_few_fields": (
        (HEADER + "\n" + "1,R1,in_progress\n").encode(),
        "f.csv, row 2: has 3 fields; the header has 9",
    ),
    "missing_required_column": (
        ("recommendation_id,status,progress,as_of\nR1,in_progress,3," + DAY + "\n").encode(),
        "f.csv, column analyst: is a required column and is missing",
    ),
    "duplicated_column": (
        (HEADER + ",note\n" + good() + ",again\n").encode(),
        "f.csv, row 1, column note: appears twice in the header",
    ),
    "unknown_column": (
        (HEADER + ",colour\n" + good() + ",red\n").encode(),
        "f.csv, column colour: is not a column the tracker knows",
    ),
    "empty_file": (b"", "f.csv: is empty"),
    "header_only": ((HEADER + "\n").encode(), "f.csv: has a header but no data rows"),
    "same_id_twice": (
        (
            HEADER + "\n" + good(assessment_id="7") + "\n" + good(2, assessment_id="7") + "\n"
        ).encode(),
        "f.csv, row 3, column assessment_id: 7 is also the id in row 2",
    ),
    "unknown_recommendation": (
        (HEADER + "\n" + good(recommendation_id="R9") + "\n").encode(),
        "f.csv, row 2, column recommendation_id: there is no recommendation 'R9'",
    ),
    "unknown_status": (
        (HEADER + "\n" + good(status="done") + "\n").encode(),
        "f.csv, row 2, column status: 'done' is not one of",
    ),
    "not_assessed_logged": (
        (HEADER + "\n" + good(status="not_assessed", progress="0") + "\n").encode(),
        "f.csv, row 2, column status: not_assessed is the state before",
    ),
    "unknown_confidence": (
        (
            "recommendation_id,status,progress,as_of,analyst,confidence\n"
            f"R1,stalled,3,{DAY},Ana,certain\n"
        ).encode(),
        "f.csv, row 2, column confidence: 'certain' is not one of",
    ),
    "unknown_basis": (
        (
            "recommendation_id,status,progress,as_of,analyst,basis\n"
            f"R1,stalled,3,{DAY},Ana,rumour\n"
        ).encode(),
        "f.csv, row 2, column basis: 'rumour' is not one of",
    ),
    "unknown_source_type": (
        (
            "recommendation_id,status,progress,as_of,analyst,evidence_1_url,evidence_1_source_type\n"
            f"R1,stalled,3,{DAY},Ana,https://example.org,blog\n"
        ).encode(),
        "f.csv, row 2, column evidence_1_source_type: 'blog' is not one of",
    ),
    "unknown_reliability_grade": (
        (
            HEADER
            + "\n"
            + good(evidence_1_url="https://example.org", evidence_1_reliability="G")
            + "\n"
        ).encode(),
        "f.csv, row 2, column evidence_1_reliability: 'G' is not one of",
    ),
    "unknown_credibility_grade": (
        (
            "recommendation_id,status,progress,as_of,analyst,evidence_2_url,evidence_2_credibility\n"
            f"R1,stalled,3,{DAY},Ana,https://example.org,9\n"
        ).encode(),
        "f.csv, row 2, column evidence_2_credibility: '9' is not one of",
    ),
    "progress_above_100": (
        (HEADER + "\n" + good(progress="140") + "\n").encode(),
        "f.csv, row 2, column progress: 140 is outside 0–100",
    ),
    "progress_not_a_number": (
        (HEADER + "\n" + good(progress="half") + "\n").encode(),
        "f.csv, row 2, column progress: 'half' is not a whole number",
    ),
    "malformed_date": (
        (HEADER + "\n" + good(as_of="03/04/2026") + "\n").encode(),
        "f.csv, row 2, column as_of: '03/04/2026' is not a date in the form YYYY-MM-DD",
    ),
    "date_in_the_future": (
        (HEADER + "\n" + good(as_of=IN_TWO_DAYS) + "\n").encode(),
        f"f.csv, row 2, column as_of: {IN_TWO_DAYS} is in the future",
    ),
    "non_http_evidence_url": (
        (HEADER + "\n" + good(evidence_1_url="javascript:alert(1)") + "\n").encode(),
        "f.csv, row 2, column evidence_1_url: 'javascript:alert(1)' is not an http or https link",
    ),
    "note_over_the_limit": (
        (HEADER + "\n" + good(note="x" * (taxonomy.NOTE_MAX_CHARS + 1)) + "\n").encode(),
        "f.csv, row 2, column note: is 20,001 characters long",
    ),
    "unclosed_quote": (
        (HEADER + "\n" + good(note='"never closed') + "\n").encode(),
        "f.csv, row 2: is not valid CSV",
    ),
    "naive_recorded_at": (
        (
            "recommendation_id,status,progress,as_of,analyst,recorded_at\n"
            f"R1,stalled,3,{DAY},Ana,2026-01-01T10:00:00\n"
        ).encode(),
        "f.csv, row 2, column recorded_at: '2026-01-01T10:00:00' has no UTC offset",
    ),
    "one_bad_row_among_good_ones": (
        (HEADER + "\n" + good() + "\n" + good(2, progress="-4") + "\n" + good(3) + "\n").encode(),
        "f.csv, row 3, column progress: -4 is outside 0–100",
    ),
}


def export(tracker: Tracker) -> bytes:
    out = io.StringIO()
    tracker.export_history(out)
    return out.getvalue().encode()


def test_the_catalogue_is_at_least_twenty_refusals():
    assert len(REFUSED) >= 20


@pytest.mark.parametrize("data", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_files_that_are_read_correctly(tracker: Tracker, data: bytes):
    rows = history_file.parse(data, "f.csv")
    assert tracker.import_history(ACTOR, rows).added == len(rows.rows) >= 1
    notes = [a.note for a in tracker.history("R1")]
    assert all(n.startswith(("Row", "line one")) for n in notes)
    if b"line one" in data:
        assert notes == ["line one\nline two, with comma"]


@pytest.mark.parametrize(("data", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_malformed_files_are_refused_and_nothing_is_written(
    tracker: Tracker, db_url: str, tmp_path: Path, capsys, data: bytes, message: str
):
    before = export(tracker)
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    assert main(["import", str(path), "--db", db_url]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert any(line.startswith(f"error: {message}") for line in lines), lines
    assert "Traceback" not in captured.err
    assert export(tracker) == before
    assert tracker.count_assessments() == 0


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened(
    tracker: Tracker, tmp_path: Path, monkeypatch, capsys, db_url: str
):
    path = tmp_path / "big.csv"
    path.write_bytes((HEADER + "\n" + good() + "\n").encode())
    monkeypatch.setattr(csvfile, "MAX_FILE_BYTES", 10)
    real_open = os.open

    def open_anything_but_the_file(file, *args, **kwargs):
        if Path(file) == path:
            pytest.fail("the file was opened")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_anything_but_the_file)
    assert main(["import", str(path), "--db", db_url]) == 2
    size = path.stat().st_size
    assert capsys.readouterr().err == f"error: big.csv: is {size} bytes; the limit is 10 bytes\n"
    assert tracker.count_assessments() == 0
