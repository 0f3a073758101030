"""No argument ends in a traceback: every command, every option, with hostile values; bytes that
are not UTF-8 are refused by option; what reaches the terminal has its control characters
escaped."""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser_support import ROOT
from tests.factories import ACTOR, draft
from tracker import recommendation_file
from tracker.cli import build_parser, main
from tracker.service import Tracker

NOT_UTF8 = "caf\udce9"
"""`café` written in Latin-1, as Python hands such an argument over (byte 0xE9 escaped)."""

HOSTILE = {
    "not UTF-8": NOT_UTF8,
    "empty": "",
    "blank": "   ",
    "very long": "x" * 100_000,
    "control characters": "R1\x07\x08\x0b\x0c\x7f\x9b",
    "terminal escapes": "\x1b[31mred\x1b[0m\x1b]0;title\x07\x1b[2J",
    "line breaks": "first\nsecond\r\nthird\u2028fourth",
    "bidirectional override": "\u202egnp.exe",
    "huge number": "9" * 5000,
    "negative number": "-5",
    "zero-padded": "0" * 5000 + "1",
    "full-width digits": "５０",
    "digits with underscores": "5_0",
    "formula": '=HYPERLINK("http://example.org","x")',
    "device": "/dev/zero",
    "folder": "/",
    "missing file": "/nonexistent/folder/file.csv",
    "link-like junk": "javascript:alert(1)//%00%ff",
}

# Database URLs that are not the tracker's database, each refused in one line.
HOSTILE_URLS = {
    "not UTF-8": f"sqlite:////tmp/{NOT_UTF8}.db",
    "empty": "",
    "web address": "http://example.org/db",
    "no scheme": "://",
    "unbalanced bracket": "postgresql://[::1/x",
    "driver not installed": "postgresql+asyncpg://127.0.0.1:1/x",
    "other database": "mysql://127.0.0.1/x",
    "bad setting": "sqlite:///tracker.db?timeout=soon",
    "device": "sqlite:////dev/zero",
    "folder": "sqlite:////",
    "missing folder": "sqlite:////nonexistent/folder/tracker.db",
    "terminal escapes": "\x1b[31mred",
    "very long": "sqlite:///" + "a" * 5000,
    "unreachable server": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2",
}

# Values that let a command get past its parser, so that the hostile value is the one looked at.
PLAUSIBLE = {
    "recommendation": "R1",
    "status": "in_progress",
    "progress": "5",
    "analyst": "Ana",
    "since": "2026-01-01",
    "evidence": "https://example.org/source",
}
# Control characters other than the line break (and the tab, which separates fields).
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def commands(
    parser: argparse.ArgumentParser, words: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command of the command line, as the words that name it and its parser."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.extend(commands(sub, (*words, name)) or [((*words, name), sub)])
    return found


COMMANDS = commands(build_parser())


def slots(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The command's arguments and options that take a value, --db aside."""
    return [
        action
        for action in parser._actions
        if action.nargs != 0 and action.dest not in ("help", "db")
    ]


def name_of(action: argparse.Action) -> str:
    return max(action.option_strings, key=len) if action.option_strings else action.metavar


def argv_with(parser: argparse.ArgumentParser, words: tuple[str, ...], target, value: str):
    """The command with `value` in the `target` slot and plausible values where it needs them:
    its arguments, its required options, and for an evidence option the link it describes."""
    argv = list(words)
    needs_link = target is not None and target.dest.startswith("evidence_")
    for action in slots(parser):
        wanted = (
            action is target
            or action.required
            or not action.option_strings
            or (needs_link and action.dest == "evidence")
        )
        if wanted:
            given = value if action is target else PLAUSIBLE.get(action.dest, "x")
            argv += [name_of(action), given] if action.option_strings else [given]
    return argv


# The options that describe an evidence item all go through the same reading as the link that
# starts it; a few values each stand for the rest.
EVIDENCE_SAMPLE = ("not UTF-8", "very long", "terminal escapes", "huge number", "formula")
CASES = [
    pytest.param(words, action.dest, label, id=f"{' '.join(words)} {name_of(action)} {label}")
    for words, parser in COMMANDS
    for action in slots(parser)
    for label in HOSTILE
    if not action.dest.startswith("evidence_") or label in EVIDENCE_SAMPLE
]


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    """One SQLite tracker for the whole sweep, with a stored assessment to show."""
    folder = tmp_path_factory.mktemp("sweep")
    url = f"sqlite:///{folder / 'tracker.db'}"
    tracker = Tracker.open(url)
    tracker.init()
    tracker.log_assessment(ACTOR, draft("R1", note="Line one\n\x1b[31mline two"))
    tracker.close()
    return url


@pytest.fixture
def in_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Files a command writes under a hostile relative name land in the test's own folder, and
    a command that falls back on TRACKER_DB_URL finds a database of the test's own there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{tmp_path / 'fallback.db'}")
    return tmp_path


def _check_output(code: int, out: str, err: str, words: tuple[str, ...]) -> None:
    assert code in (0, 1, 2)
    assert "Traceback" not in err and "unexpected failure" not in err, err[:500]
    assert not RAW_CONTROL.search(err), "messages show control characters as escapes"
    if code:
        assert err and all(
            line.startswith(("error: ", "python -m tracker")) for line in err.splitlines()
        ), err[:500]
    if words[0] not in ("report", "changes", "export"):
        assert not RAW_CONTROL.search(out), "what is printed for people is escaped"


@pytest.mark.parametrize(("words", "dest", "label"), CASES)
def test_every_option_of_every_command_takes_hostile_values_without_a_traceback(
    words, dest, label, database: str, in_folder: Path, capsys
):
    parser = dict(COMMANDS)[words]
    (target,) = [a for a in slots(parser) if a.dest == dest]
    argv = argv_with(parser, words, target, HOSTILE[label])
    code = main([*argv, "--db", database])
    out, err = capsys.readouterr()
    _check_output(code, out, err, words)
    if label == "not UTF-8":
        assert (code, err) == (
            2,
            f"error: {name_of(target)}: is not UTF-8 text (byte 0xE9); the command line takes "
            "UTF-8 only\n",
        )


@pytest.mark.parametrize("words", [words for words, _ in COMMANDS], ids=" ".join)
@pytest.mark.parametrize("label", HOSTILE_URLS)
def test_every_command_refuses_hostile_database_urls_in_one_line(
    words, label: str, in_folder: Path, capsys
):
    parser = dict(COMMANDS)[words]
    argv = argv_with(parser, words, None, "")
    code = main([*argv, "--db", HOSTILE_URLS[label]])
    out, err = capsys.readouterr()
    _check_output(code, out, err, words)
    assert code in (1, 2)
    assert len(err.splitlines()) == 1
    assert not (in_folder / "fallback.db").exists(), "an empty --db is no licence to fall back"
    assert [p.name for p in Path("/dev").glob("zero-*")] == []


def test_the_sweep_covers_every_command_and_option():
    assert {("init",), ("log",), ("import",), ("recommendations", "import"), ("demo",)} <= {
        words for words, _ in COMMANDS
    }
    names = {name_of(a) for _, parser in COMMANDS for a in slots(parser)}
    assert {"REC_ID", "FILE", "--note", "--evidence-summary", "--out", "--since"} <= names


def test_argument_builder_puts_the_hostile_value_where_it_belongs():
    parser = dict(COMMANDS)[("log",)]
    (title,) = [a for a in slots(parser) if a.dest == "evidence_title"]
    argv = argv_with(parser, ("log",), title, "HOSTILE")
    link = argv.index("--evidence-url")
    assert argv[link + 1] == PLAUSIBLE["evidence"]
    assert argv[argv.index("--evidence-title") + 1] == "HOSTILE"
    assert link < argv.index("--evidence-title"), "the link comes first"
    assert {"--status", "--progress", "--analyst", "R1"} <= set(argv)


# -- real bytes, through a real process ----------------------------------------------------------


def _run(*args: bytes, env: dict | None = None, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable.encode(), b"-m", b"tracker", *args],
        capture_output=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "named", "byte"),
    [
        ([b"log", b"R1", b"--status", b"stalled", b"--progress", b"5", b"--analyst", b"Jos\xe9"],
         b"--analyst", b"E9"),
        ([b"log", b"R1", b"--status", b"stalled", b"--progress", b"5", b"--analyst", b"a",
          b"--evidence-url", b"https://example.org", b"--evidence-title=\xff\xfe"],
         b"--evidence-title", b"FF"),
        ([b"history", b"R\xc3"], b"REC_ID", b"C3"),
        ([b"import", b"/tmp/caf\xe9.csv"], b"FILE", b"E9"),
        ([b"report", b"--out", b"r\xe9port.csv"], b"--out", b"E9"),
    ],
    ids=["option", "option=value", "argument", "file", "output file"],
)  # fmt: skip
def test_bytes_that_are_not_utf8_exit_2_naming_the_option(
    args: list[bytes], named: bytes, byte: bytes, database: str, tmp_path: Path
):
    result = _run(*args, b"--db", database.encode(), cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr.splitlines() == [
        b"error: " + named + b": is not UTF-8 text (byte 0x" + byte
        + b"); the command line takes UTF-8 only"
    ]  # fmt: skip
    assert list(tmp_path.iterdir()) == [], "nothing written"


def test_a_database_url_or_time_zone_variable_that_is_not_utf8_is_named(tmp_path: Path):
    result = _run(b"status", env={b"TRACKER_DB_URL": b"sqlite:////tmp/\xff.db"}, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2,
        b"error: TRACKER_DB_URL: is not UTF-8 text (byte 0xFF); the command line takes UTF-8 "
        b"only\n",
    )
    result = _run(b"--db", b"sqlite:////tmp/\xff.db", b"status", cwd=tmp_path)
    assert result.stderr.startswith(b"error: --db: is not UTF-8 text (byte 0xFF)")


# -- what people see on a terminal ----------------------------------------------------------------


@pytest.fixture
def hostile_paper(tracker: Tracker, tmp_path: Path) -> Tracker:
    """The tracker with a recommendation whose title, theme and analyst carry line breaks, tabs
    and terminal escape sequences."""
    paper = tmp_path / "paper.csv"
    paper.write_text(
        "id,title,description,source,theme\n"
        'P1,"Title\nwith a break\tand a tab","D","Paper","\x1b[31mred\x1b[0m theme"\n',
        encoding="utf-8",
    )
    tracker.add_recommendations(ACTOR, recommendation_file.read(paper))
    tracker.log_assessment(
        ACTOR,
        draft("P1", analyst="Ana\x1b]0;pwned\x07", note="First line\r\nsecond \u202eline"),
    )
    return tracker


def test_status_list_and_history_print_one_line_per_record_with_escapes(
    hostile_paper: Tracker, db_url: str, capsys
):
    assert main(["status", "--db", db_url]) == 0
    status = capsys.readouterr().out.splitlines()
    assert len(status) == 6
    assert status[-1].split("\t")[0] == "P1"
    assert status[-1].split("\t")[-1] == "Title\\nwith a break\\tand a tab"

    assert main(["recommendations", "list", "--db", db_url]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[-1] == "P1\t\\x1b[31mred\\x1b[0m theme\tTitle\\nwith a break\\tand a tab"

    assert main(["history", "P1", "--db", db_url]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert "analyst=Ana\\x1b]0;pwned\\x07" in line
    assert line.endswith("First line\\r\\nsecond \\u202eline")


def test_csv_on_stdout_keeps_the_text_exactly(hostile_paper: Tracker, db_url: str, capsys):
    assert main(["export", "--db", db_url]) == 0
    exported = capsys.readouterr().out
    assert "Ana\x1b]0;pwned\x07" in exported
    assert '"First line\r\nsecond \u202eline"' in exported


def test_messages_escape_what_the_person_typed(tracker: Tracker, db_url: str, capsys):
    assert main(["history", "R1", "--db", db_url]) == 0
    assert capsys.readouterr().err == "R1 has no assessments yet.\n"
    assert main(["status", "\x1b[2J", "--db", db_url]) == 2
    assert capsys.readouterr().err == (
        "python -m tracker: unrecognized arguments: \\x1b[2J (see --help)\n"
    )


def test_output_to_a_device_or_a_pipe_is_refused_and_leaves_it_alone(
    tracker: Tracker, db_url: str, tmp_path: Path, capsys
):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    for target, kind in ((pipe, "a named pipe"), (Path("/dev/null"), "a character device")):
        assert main(["report", "--out", str(target), "--db", db_url]) == 2
        assert capsys.readouterr().err == (
            f"error: --out {target}: is {kind}, not a regular file\n"
        )
    assert pipe.is_fifo() and Path("/dev/null").is_char_device()
    assert not (tmp_path / ".pipe.partial").exists()
