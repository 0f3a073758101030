"""The command line: what it prints, its exit codes, and that bad input writes nothing."""

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tracker import clock
from tracker.cli import main
from tracker.service import Tracker


@pytest.fixture
def cli(tracker: Tracker, db_url: str, capsys):
    """Runs `python -m tracker ARGS --db URL` in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--db", db_url])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def status_lines(cli, *args: str) -> dict[str, list[str]]:
    code, out, _ = cli("status", *args)
    assert code == 0
    return {line.split("\t")[0]: line.split("\t") for line in out.splitlines()}


def test_status_on_a_fresh_database_lists_every_recommendation_not_assessed(cli):
    lines = status_lines(cli)
    assert list(lines) == ["R1", "R2", "R3", "R4", "R5"]
    assert all(fields[1:4] == ["not_assessed", "-", "-"] for fields in lines.values())


def test_log_prints_the_new_id_and_status_shows_it(cli, tracker: Tracker):
    code, out, err = cli(
        "log",
        "R2",
        "--status",
        "in_progress",
        "--progress",
        "35",
        "--analyst",
        "Ana",
        "--confidence",
        "high",
        "--basis",
        "verified",
        "--note",
        "Cell staffed.",
        "--evidence-url",
        "https://example.org/one",
        "--evidence-title",
        "One",
        "--evidence-type",
        "news",
        "--evidence-reliability",
        "B",
        "--evidence-credibility",
        "2",
        "--evidence-url",
        "https://example.org/two",
        "--evidence-publisher",
        "Gazette",
        "--evidence-published",
        "2026-01-20",
    )
    assert (code, err) == (0, "")
    (stored,) = tracker.history("R2")
    assert out.strip() == str(stored.id)
    assert (stored.confidence, stored.basis, stored.note) == ("high", "verified", "Cell staffed.")
    first, second = stored.evidence
    assert (first.url, first.title, first.source_type, first.grade) == (
        "https://example.org/one",
        "One",
        "news",
        "B2",
    )
    assert (second.url, second.publisher, second.published_on, second.grade) == (
        "https://example.org/two",
        "Gazette",
        date(2026, 1, 20),
        "F6",
    )
    assert status_lines(cli)["R2"][1:3] == ["in_progress", "35%"]


def test_implemented_without_evidence_exits_2_and_writes_nothing(cli, tracker: Tracker):
    code, out, err = cli(
        "log", "R1", "--status", "implemented", "--progress", "100", "--analyst", "a"
    )
    assert (code, out) == (2, "")
    assert err == "error: evidence: implemented needs at least one evidence item\n"
    assert tracker.count_assessments() == 0
    assert status_lines(cli)["R1"][1] == "not_assessed"


def test_status_as_of_shows_the_assessment_in_effect_that_day(cli):
    year = clock.today().year - 1
    for as_of, progress in ((f"{year}-02-10", "20"), (f"{year}-05-12", "55")):
        code, _, _ = cli(
            "log",
            "R1",
            "--status",
            "in_progress",
            "--progress",
            progress,
            "--analyst",
            "a",
            "--as-of",
            as_of,
        )
        assert code == 0
    march = status_lines(cli, "--as-of", f"{year}-03-15")["R1"]
    assert march[1:4] == ["in_progress", "20%", f"{year}-02-10"]
    assert status_lines(cli)["R1"][1:4] == ["in_progress", "55%", f"{year}-05-12"]


def test_history_lists_newest_first_with_corrections_marked(cli):
    _, first, _ = cli(
        "log",
        "R3",
        "--status",
        "in_progress",
        "--progress",
        "10",
        "--analyst",
        "a",
        "--as-of",
        str(clock.today() - timedelta(days=9)),
    )
    _, wrong, _ = cli("log", "R3", "--status", "stalled", "--progress", "90", "--analyst", "a")
    _, fix, _ = cli(
        "log",
        "R3",
        "--status",
        "stalled",
        "--progress",
        "15",
        "--analyst",
        "a",
        "--corrects",
        wrong.strip(),
        "--note",
        "Progress was mistyped.",
    )
    code, out, _ = cli("history", "R3")
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == [
        f"#{fix.strip()}",
        f"#{wrong.strip()}",
        f"#{first.strip()}",
    ]
    assert f"[CORRECTED by #{fix.strip()}]" in lines[1]
    assert f"[corrects #{wrong.strip()}]" in lines[0]
    assert lines[0].endswith("Progress was mistyped.")


def test_every_problem_is_one_line_naming_the_field(cli, tracker: Tracker):
    future = str(clock.today() + timedelta(days=2))
    bad = ["log", "R1", "--status", "bogus", "--analyst", "a", "--as-of", future,
           "--confidence", "sure", "--evidence-url", "ftp://x"]  # fmt: skip
    code, _, err = cli(*bad, "--progress", "lots", "--evidence-published", "20-01-2026")
    assert code == 2
    assert err.splitlines()[:2] == [
        "error: --progress: 'lots' is not a whole number",
        "error: evidence 1 published: '20-01-2026' is not a date in the form YYYY-MM-DD",
    ]
    assert [line.split(":")[1].strip() for line in err.splitlines()[2:]] == [
        "--status",
        "--confidence",
        "--as-of",
        "evidence 1 url",
    ], "what could not be read is reported with every other problem, at once"
    code, _, err = cli(*bad, "--progress", "5")
    assert code == 2
    assert [line.split(":")[1].strip() for line in err.splitlines()] == [
        "--status",
        "--confidence",
        "--as-of",
        "evidence 1 url",
    ]
    assert tracker.count_assessments() == 0


def test_evidence_option_before_its_url_is_a_usage_error(cli, tracker: Tracker):
    code, _, err = cli(
        "log",
        "R1",
        "--status",
        "stalled",
        "--progress",
        "5",
        "--analyst",
        "a",
        "--evidence-title",
        "Orphan",
    )
    assert code == 2
    assert "--evidence-title must follow the --evidence-url it describes" in err
    assert len(err.splitlines()) == 1
    assert tracker.count_assessments() == 0


def test_missing_required_option_is_one_line_exit_2(cli):
    code, _, err = cli("log", "R1", "--progress", "5", "--analyst", "a")
    assert code == 2
    assert err.splitlines() == [
        "python -m tracker log: the following arguments are required: --status (see --help)"
    ]


def test_unknown_recommendation_exits_2(cli):
    code, _, err = cli("history", "R42")
    assert (code, err) == (2, "error: recommendation: there is no recommendation 'R42'\n")


def test_recommendations_list_and_import(cli, tmp_path: Path):
    paper = tmp_path / "other.csv"
    paper.write_text(
        "id,title,description,source,theme,actors,review_every_days\n"
        'P2-1,Open data,"Publish seizure data, monthly.",Another paper (2026),Transparency,'
        "Government of Mexico,30\n",
        encoding="utf-8",
    )
    code, out, _ = cli("recommendations", "import", str(paper))
    assert (code, out) == (0, "Imported 1 recommendation: P2-1\n")
    code, out, _ = cli("recommendations", "list")
    assert [line.split("\t")[0] for line in out.splitlines()] == [
        "R1",
        "R2",
        "R3",
        "R4",
        "R5",
        "P2-1",
    ]
    code, _, err = cli("recommendations", "import", str(paper))
    assert code == 2
    assert (
        err == "error: other.csv, row 2, column id: 'P2-1' is already the id of a stored "
        "recommendation\n"
    )


def test_database_flag_works_before_and_after_the_command(tracker: Tracker, db_url: str, capsys):
    assert main(["--db", db_url, "status"]) == 0
    before = capsys.readouterr().out
    assert main(["status", "--db", db_url]) == 0
    assert capsys.readouterr().out == before
    assert before.startswith("R1\tnot_assessed")


def test_module_entry_point_runs_and_an_unreachable_database_exits_1():
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2"
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--db", unreachable, "status"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: database failure: ")
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr
