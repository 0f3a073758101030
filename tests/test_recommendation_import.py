"""Importing another paper's recommendations: all or nothing, every problem located."""

from pathlib import Path

import pytest

from tests.factories import ACTOR
from tracker import recommendation_file
from tracker.errors import InvalidInput
from tracker.service import Tracker

HEADER = "id,title,description,source,section,theme,actors,review_every_days\n"
GOOD = "P1,Open data,Publish seizure data.,Other paper (2026),4,Transparency,Mexico;Canada,30\n"


def write(tmp_path: Path, text: str, name: str = "paper.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def refused(tracker: Tracker, path: Path) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        tracker.add_recommendations(ACTOR, recommendation_file.read(path))
    assert [r.id for r in tracker.recommendations()] == ["R1", "R2", "R3", "R4", "R5"]
    return [str(p) for p in caught.value.problems]


def test_import_adds_after_the_existing_recommendations(tracker: Tracker, tmp_path: Path):
    assert tracker.add_recommendations(
        ACTOR, recommendation_file.read(write(tmp_path, HEADER + GOOD))
    ) == ["P1"]
    added = tracker.recommendations()[-1]
    assert (added.id, added.section, added.actors, added.review_every_days) == (
        "P1",
        "4",
        ("Mexico", "Canada"),
        30,
    )
    assert tracker.statuses()[-1].status == "not_assessed"


def test_one_bad_row_refuses_the_whole_file(tracker: Tracker, tmp_path: Path):
    bad = "P2,,Blank title.,Other paper,,,,abc\n"
    assert refused(tracker, write(tmp_path, HEADER + GOOD + bad)) == [
        "paper.csv, row 3, column review_every_days: 'abc' is not a whole number",
        "paper.csv, row 3, column title: must not be blank",
    ]


def test_duplicate_id_within_the_file(tracker: Tracker, tmp_path: Path):
    assert refused(tracker, write(tmp_path, HEADER + GOOD + GOOD)) == [
        "paper.csv, row 3, column id: 'P1' is also the id in row 2"
    ]


def test_missing_required_column(tracker: Tracker, tmp_path: Path):
    assert refused(tracker, write(tmp_path, "id,title,source\nP1,T,S\n")) == [
        "paper.csv, column description: is a required column and is missing"
    ]


def test_duplicated_and_unknown_columns(tracker: Tracker, tmp_path: Path):
    text = "id,title,title,description,source,colour\nP1,T,T,D,S,red\n"
    assert refused(tracker, write(tmp_path, text)) == [
        "paper.csv, row 1, column title: appears twice in the header",
        "paper.csv, column colour: is not a column the tracker knows",
    ]


def test_row_with_too_many_fields(tracker: Tracker, tmp_path: Path):
    assert refused(tracker, write(tmp_path, HEADER + GOOD.strip() + ",extra\n")) == [
        "paper.csv, row 2: has 9 fields; the header has 8"
    ]


def test_empty_file_and_header_only(tracker: Tracker, tmp_path: Path):
    assert refused(tracker, write(tmp_path, "")) == [
        "paper.csv: is empty; expected a header row and data rows"
    ]
    assert refused(tracker, write(tmp_path, HEADER)) == ["paper.csv: has a header but no data rows"]


def test_missing_file_is_named(tracker: Tracker, tmp_path: Path):
    assert refused(tracker, tmp_path / "nowhere.csv") == [
        f"{tmp_path / 'nowhere.csv'}: no such file"
    ]


def test_bom_and_semicolons_and_quoted_newlines_are_read(tracker: Tracker, tmp_path: Path):
    text = '\ufeffid;title;description;source\nP1;Open data;"Line one;\nline two";Other paper\n'
    assert tracker.add_recommendations(ACTOR, recommendation_file.read(write(tmp_path, text))) == [
        "P1"
    ]
    assert tracker.recommendations()[-1].description == "Line one;\nline two"


def test_latin1_file_is_refused_naming_the_encoding(tracker: Tracker, tmp_path: Path):
    path = write(tmp_path, HEADER + GOOD.replace("Open", "Évora"), encoding="cp1252")
    (problem,) = refused(tracker, path)
    assert problem.startswith("paper.csv: is not UTF-8 text (byte 0xC9")
    assert "Windows-1252" in problem


def test_utf16_file_is_refused_naming_the_encoding(tracker: Tracker, tmp_path: Path):
    path = write(tmp_path, "\ufeff" + HEADER + GOOD, encoding="utf-16-le")
    assert refused(tracker, path) == [
        "paper.csv: is UTF-16 text; save it as 'CSV UTF-8' and try again"
    ]
