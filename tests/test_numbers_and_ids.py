"""Numbers mean what they say (ASCII digits only, in options and in files) and ids that differ
only by case are refused, in a file and against the stored ones, naming the row."""

from pathlib import Path

import pytest

from tests.factories import ACTOR, days_ago
from tracker import history_file, recommendation_file
from tracker.cli import main
from tracker.errors import InvalidInput
from tracker.service import Tracker

# Text that Python's int() would read as a number, but that is not one written in ASCII digits.
NOT_ASCII_NUMBERS = {
    "underscore": "5_0",
    "full-width": "５０",
    "Arabic-Indic": "٥٠",
    "Devanagari": "५०",
    "superscript": "5²",
    "spaced": "5 0",
    "decimal": "50.0",
    "exponent": "5e1",
}
LOG = ["log", "R1", "--status", "in_progress", "--analyst", "Ana"]


@pytest.mark.parametrize("text", NOT_ASCII_NUMBERS.values(), ids=list(NOT_ASCII_NUMBERS))
def test_options_take_ascii_digits_only(text: str, tracker: Tracker, db_url: str, capsys):
    assert main([*LOG, "--progress", text, "--db", db_url]) == 2
    assert capsys.readouterr().err == f"error: --progress: {text!r} is not a whole number\n"
    assert main([*LOG, "--progress", "5", "--corrects", text, "--db", db_url]) == 2
    assert capsys.readouterr().err == f"error: --corrects: {text!r} is not a whole number\n"
    assert tracker.count_assessments() == 0


def test_a_number_of_thousands_of_digits_is_refused_without_converting_it(
    tracker: Tracker, db_url: str, capsys
):
    assert main([*LOG, "--progress", "7" * 5000, "--db", db_url]) == 2
    assert capsys.readouterr().err == (
        f"error: --progress: '{'7' * 100}…' has 5,000 digits; numbers are read up to 100 digits\n"
    )
    assert main([*LOG, "--progress", "0" * 5000 + "42", "--db", db_url]) == 0
    assert [a.progress for a in tracker.history("R1")] == [42], "leading zeros are no digits"
    capsys.readouterr()


@pytest.mark.parametrize("text", NOT_ASCII_NUMBERS.values(), ids=list(NOT_ASCII_NUMBERS))
def test_history_files_take_ascii_digits_only(text: str):
    data = (
        "assessment_id,recommendation_id,status,progress,as_of,analyst,corrects\n"
        f"{text},R1,in_progress,{text},{days_ago(2)},Ana,\n"
        f"8,R1,in_progress,5,{days_ago(1)},Ana,{text}\n"
    )
    with pytest.raises(InvalidInput) as refused:
        history_file.parse(data.encode(), "history.csv")
    assert [str(p) for p in refused.value.problems] == [
        f"history.csv, row 2, column assessment_id: {text!r} is not a whole number",
        f"history.csv, row 2, column progress: {text!r} is not a whole number",
        f"history.csv, row 3, column corrects: {text!r} is not a whole number",
    ]


@pytest.mark.parametrize("text", NOT_ASCII_NUMBERS.values(), ids=list(NOT_ASCII_NUMBERS))
def test_recommendation_files_take_ascii_digits_only(text: str, tmp_path: Path):
    paper = tmp_path / "paper.csv"
    paper.write_text(f"id,title,description,source,review_every_days\nP1,T,D,S,{text}\n", "utf-8")
    with pytest.raises(InvalidInput) as refused:
        recommendation_file.read(paper)
    assert [str(p) for p in refused.value.problems] == [
        f"paper.csv, row 2, column review_every_days: {text!r} is not a whole number"
    ]


# -- ids that differ only by case ----------------------------------------------------------------


def _paper(tmp_path: Path, *ids: str) -> Path:
    paper = tmp_path / "paper.csv"
    rows = "".join(f"{rec_id},Title {rec_id},D,S\n" for rec_id in ids)
    paper.write_text("id,title,description,source\n" + rows, encoding="utf-8")
    return paper


def _refused(tracker: Tracker, paper: Path) -> list[str]:
    before = tracker.recommendations()
    with pytest.raises(InvalidInput) as refused:
        tracker.add_recommendations(ACTOR, recommendation_file.read(paper))
    assert tracker.recommendations() == before, "nothing added"
    return [str(p) for p in refused.value.problems]


def test_ids_in_one_file_that_differ_only_by_case_are_refused(tracker: Tracker, tmp_path: Path):
    assert _refused(tracker, _paper(tmp_path, "N1", "N2", "n1", "N1")) == [
        "paper.csv, row 4, column id: 'n1' differs only by case from 'N1', the id in row 2; ids "
        "must differ by more than case",
        "paper.csv, row 5, column id: 'N1' is also the id in row 2",
    ]


def test_an_id_that_differs_only_by_case_from_a_stored_one_is_refused(
    tracker: Tracker, tmp_path: Path
):
    assert _refused(tracker, _paper(tmp_path, "P1", "r2")) == [
        "paper.csv, row 3, column id: 'r2' differs only by case from 'R2', the id of a stored "
        "recommendation; ids must differ by more than case"
    ]


def test_an_id_already_stored_is_refused_naming_its_row(tracker: Tracker, tmp_path: Path):
    assert _refused(tracker, _paper(tmp_path, "P1", "P2", "R3")) == [
        "paper.csv, row 4, column id: 'R3' is already the id of a stored recommendation"
    ]


def test_ids_are_still_compared_exactly(tracker: Tracker, tmp_path: Path):
    tracker.add_recommendations(ACTOR, recommendation_file.read(_paper(tmp_path, "Q1", "q2")))
    assert [r.id for r in tracker.recommendations()][-2:] == ["Q1", "q2"]
    with pytest.raises(InvalidInput, match="there is no recommendation 'q1'"):
        tracker.history("q1")
