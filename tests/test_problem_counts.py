"""A broken file's problems: the first 100 listed, the rest counted exactly, in the same words on
the command line and on the upload page, with only the first ones kept in memory."""

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tracker import csvfile, history_file, messages
from tracker.cli import main
from tracker.errors import InvalidInput, Problem
from tracker.service import Tracker
from tracker.ui.common import NO_BREAK_SPACE, WORD_JOINER

HEADER = "recommendation_id,status,progress,as_of,analyst\n"
# One problem a row (a status that is not one), two a row (and progress in full-width digits),
# and one a row found before any rule is read (a row of the wrong width).
ONE_A_ROW = "R1,bogus,5,2026-01-01,Ana\n"
TWO_A_ROW = "R1,bogus,５,2026-01-01,Ana\n"
TOO_SHORT = "R1,bogus\n"


def _refusal(text: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        history_file.parse(text.encode(), "broken.csv")
    return refused.value


@pytest.mark.parametrize(
    ("rows", "found"),
    [
        (ONE_A_ROW * 11_946, 11_946),
        (TWO_A_ROW * 6_000, 12_000),
        (TOO_SHORT * 20_000, 20_000),
        (ONE_A_ROW * 3 + TOO_SHORT * 4 + ONE_A_ROW * 5, 4),
    ],
    ids=["one a row", "two a row", "wrong width", "width first"],
)
def test_every_problem_is_counted_and_only_the_first_are_kept(rows: str, found: int):
    refused = _refusal(HEADER + rows)
    assert refused.count == found
    assert len(refused.problems) == min(found, csvfile.MAX_PROBLEMS)
    assert refused.more == found - len(refused.problems)


def test_the_first_problems_are_those_of_the_first_rows():
    refused = _refusal(HEADER + TWO_A_ROW * 500)
    rows = [p.row for p in refused.problems]
    assert rows == sorted(rows)
    assert rows[:4] == [2, 2, 3, 3]
    assert [p.column for p in refused.problems[:2]] == ["progress", "status"]


def test_a_list_of_problems_shows_a_hundred_then_counts_the_rest():
    refused = _refusal(HEADER + ONE_A_ROW * 11_946)
    lines = messages.problem_lines(refused)
    assert len(lines) == messages.MAX_PROBLEMS_SHOWN + 1
    assert lines[0] == (
        "broken.csv, row 2, column status: 'bogus' is not one of: " + ", ".join(_statuses())
    )
    assert lines[-1] == "… and 11,846 more problems"


@pytest.mark.parametrize(("count", "last"), [(100, None), (101, "… and 1 more problem")])
def test_the_count_line_appears_only_past_a_hundred(count: int, last: str | None):
    lines = messages.problem_lines(InvalidInput([Problem("required", "note")] * count))
    assert lines[-1] == last or (last is None and len(lines) == 100)


def test_the_command_line_prints_the_first_hundred_and_the_count(
    tracker: Tracker, db_url: str, tmp_path: Path, capsys
):
    file = tmp_path / "broken.csv"
    file.write_text(HEADER + ONE_A_ROW * 11_946, encoding="utf-8")
    assert main(["import", str(file), "--db", db_url]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 101
    assert err[-1] == "error: … and 11,846 more problems"
    assert all(line.startswith("error: broken.csv, row ") for line in err[:100])
    assert tracker.count_assessments() == 0


def _upload_page(path: str) -> None:
    """The Reports page's import section, reduced to what shows the problems of a file."""
    from pathlib import Path

    from tracker import history_file
    from tracker.errors import InvalidInput
    from tracker.ui import common

    try:
        history_file.parse(Path(path).read_bytes(), Path(path).name)
    except InvalidInput as error:
        common.show_problems(error)


@pytest.mark.parametrize("rows", [ONE_A_ROW * 11_946, TOO_SHORT * 150], ids=["rules", "widths"])
def test_the_upload_page_lists_the_same_lines_as_the_command_line(
    rows: str, tracker: Tracker, db_url: str, tmp_path: Path, capsys
):
    file = tmp_path / "broken.csv"
    file.write_text(HEADER + rows, encoding="utf-8")
    assert main(["import", str(file), "--db", db_url]) == 2
    printed = [line.removeprefix("error: ") for line in capsys.readouterr().err.splitlines()]

    app = AppTest.from_function(_upload_page, kwargs={"path": str(file)}, default_timeout=60)
    app.run()
    shown = app.error[0].value
    assert shown.startswith("Nothing was saved. Please fix:\n\n")
    items = shown.split("\n\n", 1)[1].split("\n")
    assert [_as_read(item.removeprefix("- ")) for item in items] == printed


def _as_read(markdown: str) -> str:
    """Markdown made by `plain` as a reader sees it."""
    text = re.sub(r"\\(.)", r"\1", markdown)
    return text.replace(WORD_JOINER, "").replace(NO_BREAK_SPACE, " ")


def _statuses() -> list[str]:
    from tracker import taxonomy

    return list(taxonomy.LOGGABLE_STATUSES)


def test_the_readme_states_how_many_problems_are_listed():
    readme = " ".join((Path(__file__).parent.parent / "README.md").read_text("utf-8").split())
    assert f"its first {messages.MAX_PROBLEMS_SHOWN} problems listed and the rest" in readme
    assert f"the first {messages.MAX_PROBLEMS_SHOWN} of a badly broken file" in readme
