"""The command line, `python -m tracker`: everything the dashboard does, for scripts and people.

Each command is a handler registered with its parser. Read-only commands never create
anything; the others bring the schema up to date first, as the dashboard does at start.

Exit codes: 0 success; 2 bad input, one line per problem on stderr and nothing written;
1 any other failure (the database unreachable, say), with a one-line message. No input ends in
a traceback. What people typed or files held reaches the terminal with its control characters
escaped (`tracker.terminal`), one record per line; CSV goes out exactly as exported.
"""

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from tracker import (
    clock,
    csvfile,
    demo,
    history_file,
    messages,
    recommendation_file,
    reports,
    taxonomy,
)
from tracker.errors import InvalidInput, Problem, refuse
from tracker.file_kinds import kind_of
from tracker.records import DAY, AssessmentDraft, EvidenceDraft, declared_fields
from tracker.rules import default_of, read_date, read_value
from tracker.service import COMMAND_LINE, Actor, Tracker
from tracker.terminal import first_undecodable_byte, is_utf8, visible
from tracker.views import AssessmentView

NO_RECOMMENDATIONS = (
    "No recommendations yet: run `python -m tracker init` to load data/recommendations.csv, "
    "or `python -m tracker recommendations import FILE`."
)
# The log command's options: every assessment field but the recommendation (an argument).
LOG_FIELDS = [(n, s) for n, s in declared_fields(AssessmentDraft) if n != "recommendation_id"]
EVIDENCE_OPTIONS = [(n, s) for n, s in declared_fields(EvidenceDraft) if n != "url"]
OPTION_OF = {name: spec.option for name, spec in LOG_FIELDS} | {
    "since": "since",
    "until": "until",
    "recorded_by": "recorded-by",
}
# The environment variables the tracker reads, checked like the arguments.
VARIABLES = ("TRACKER_DB_URL", "TRACKER_ADMIN_DB_URL", "TRACKER_TIMEZONE")


class UsageError(Exception):
    """A command line that cannot be understood; reported like any other bad input."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one line, as bad input, instead of exiting."""

    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message} (see --help)")


class StartEvidence(argparse.Action):
    """`--evidence-url` starts a new evidence item."""

    def __call__(self, parser, namespace, value, option_string=None):
        items = getattr(namespace, "evidence", None) or []
        items.append({"url": value})
        namespace.evidence = items


class FillEvidence(argparse.Action):
    """Any other `--evidence-*` option fills the item that the last `--evidence-url` started."""

    def __call__(self, parser, namespace, value, option_string=None):
        items = getattr(namespace, "evidence", None)
        if not items:
            parser.error(f"{option_string} must follow the --evidence-url it describes")
        items[-1][self.dest.removeprefix("evidence_")] = value


# -- reading and writing ---------------------------------------------------------------------


def _located(problem: Problem) -> Problem:
    """Names a field that the command line takes as an option by that option."""
    if problem.item is None and problem.at is None and problem.field in OPTION_OF:
        return problem.placed(at="--" + OPTION_OF[problem.field])
    return problem


def _dates(args: argparse.Namespace, *names: str) -> list[date | None]:
    problems: list[Problem] = []
    values = [read_date(getattr(args, name), name, problems) for name in names]
    if problems:
        raise InvalidInput(problems)
    return values


def _draft_from(args: argparse.Namespace) -> tuple[AssessmentDraft, list[Problem]]:
    """The assessment the options describe, and the problems found reading them."""
    problems: list[Problem] = []
    today = clock.today().isoformat()
    values = {
        name: read_value(
            getattr(args, name) or (today if spec.kind == DAY else ""),
            name,
            spec,
            default_of(AssessmentDraft, name),
            problems,
        )
        for name, spec in LOG_FIELDS
    }
    evidence = []
    for number, typed in enumerate(args.evidence or [], start=1):
        item_problems: list[Problem] = []
        item = {
            name: read_value(
                typed.get(name, ""), name, spec, default_of(EvidenceDraft, name), item_problems
            )
            for name, spec in declared_fields(EvidenceDraft)
        }
        problems += [p.placed(item=number) for p in item_problems]
        evidence.append(EvidenceDraft(**item))
    draft = AssessmentDraft(
        recommendation_id=args.recommendation, **values, evidence=tuple(evidence)
    )
    return draft, problems


def _emit(write: Callable[[TextIO], None], out: Path | None) -> None:
    """Writes CSV to `out` whole or not at all, or to stdout without a byte-order mark."""
    if out is None:
        write(sys.stdout)
        return
    if out.is_dir():
        raise InvalidInput([Problem("out_is_folder", at=f"--out {out}")])
    if out.exists() and not out.is_file():
        # Writing goes through a new file put in the target's place: a device or a named pipe
        # would be replaced, not written to.
        raise refuse("not_regular_file", {"kind": kind_of(out.stat().st_mode)}, at=f"--out {out}")
    if not out.parent.is_dir():
        raise InvalidInput(
            [Problem("folder_missing", params={"folder": out.parent}, at=f"--out {out}")]
        )
    partial = out.with_name(f".{out.name}.partial")
    try:
        with partial.open("w", encoding="utf-8-sig", newline="") as file:
            write(file)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    print(visible(f"Wrote {out}"), file=sys.stderr)


def _csv(report: reports.Report) -> Callable[[TextIO], None]:
    return lambda out: csvfile.write(report.columns, report.rows, out)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _progress_printer(verb: str):
    """Reports progress on a terminal, and stays quiet when stderr is a file or a pipe."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\r{verb}: {done:,} of {total:,}", end=end, file=sys.stderr, flush=True)

    return show


def _progress(value: int | None) -> str:
    return "-" if value is None else f"{value}%"


def _history_line(a: AssessmentView) -> str:
    marks = []
    if a.corrects_id is not None:
        marks.append(f"corrects #{a.corrects_id}")
    if a.corrected_by_id is not None:
        marks.append(f"CORRECTED by #{a.corrected_by_id}")
    note = a.note if len(a.note) <= 80 else a.note[:79] + "…"
    fields = [
        f"#{a.id}",
        a.as_of.isoformat(),
        a.status,
        _progress(a.progress),
        f"analyst={visible(a.analyst)}",
        f"confidence={a.confidence}",
        f"basis={a.basis}",
        f"evidence={len(a.evidence)}",
        f"recorded={a.recorded_at:%Y-%m-%dT%H:%M:%SZ}",
    ]
    if marks:
        fields.append("[" + "; ".join(marks) + "]")
    if note:
        fields.append(visible(note))
    return "  ".join(fields)


def _operator() -> Actor:
    """Whoever runs an administrative command: the operating-system user."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return Actor(name, COMMAND_LINE)


# -- the commands ----------------------------------------------------------------------------


def init(tracker: Tracker, args: argparse.Namespace) -> None:
    loaded = tracker.init()
    print(
        f"Database ready; loaded {loaded} recommendations."
        if loaded
        else "Database ready; recommendations already loaded."
    )


def fill_demo(tracker: Tracker, args: argparse.Namespace) -> None:
    tracker.init()
    added = demo.fill(tracker, _operator())
    print(f"Added {added} fictional assessments." if added else "Sample history already there.")


def log(tracker: Tracker, args: argparse.Namespace) -> None:
    draft, problems = _draft_from(args)
    print(tracker.log_assessment(Actor(args.analyst, COMMAND_LINE), draft, read_problems=problems))


def import_recommendations(tracker: Tracker, args: argparse.Namespace) -> None:
    ids = tracker.add_recommendations(_operator(), recommendation_file.read(args.file))
    print(visible(f"Imported {_plural(len(ids), 'recommendation')}: {', '.join(ids)}"))


def list_recommendations(tracker: Tracker, args: argparse.Namespace) -> None:
    recommendations = tracker.recommendations()
    for rec in recommendations:
        print("\t".join(visible(text) for text in (rec.id, rec.theme, rec.title)))
    if not recommendations:
        print(NO_RECOMMENDATIONS, file=sys.stderr)


def history(tracker: Tracker, args: argparse.Namespace) -> None:
    found = tracker.history(args.recommendation)
    for assessment in found:
        print(_history_line(assessment))
    if not found:
        print(visible(f"{args.recommendation} has no assessments yet."), file=sys.stderr)


def status(tracker: Tracker, args: argparse.Namespace) -> None:
    (as_of,) = _dates(args, "as_of")
    problems = reports.check_dates(as_of)
    if problems:
        raise InvalidInput(problems)
    rows = tracker.statuses(as_of)
    for row in rows:
        effective = row.assessment.as_of.isoformat() if row.assessment else "-"
        rec = row.recommendation
        print(
            f"{visible(rec.id)}\t{row.status}\t{_progress(row.progress)}\t"
            f"{effective}\t{visible(rec.title)}"
        )
    if not rows:
        print(NO_RECOMMENDATIONS, file=sys.stderr)


def report(tracker: Tracker, args: argparse.Namespace) -> None:
    as_of, recorded_by = _dates(args, "as_of", "recorded_by")
    _emit(_csv(tracker.status_report(as_of, recorded_by)), args.out)


def changes(tracker: Tracker, args: argparse.Namespace) -> None:
    since, until = _dates(args, "since", "until")
    summary, _ = tracker.changes(since, until)
    _emit(_csv(summary), args.out)


def export(tracker: Tracker, args: argparse.Namespace) -> None:
    _emit(tracker.export_history, args.out)


def import_history(tracker: Tracker, args: argparse.Namespace) -> None:
    file = history_file.read(args.file)
    try:
        result = tracker.import_history(
            _operator(),
            file,
            dry_run=args.dry_run,
            new_ids=args.new_ids,
            on_progress=_progress_printer("Importing"),
        )
    except InvalidInput as refused:
        # An id stored with other content: say how this command takes another tracker's file.
        raise InvalidInput(
            p.placed(params={**p.params, "option": "--new-ids"})
            if p.code == "stored_with_other_content"
            else p
            for p in refused.problems
        ) from None
    added = _plural(result.added, "assessment")
    if args.new_ids:
        added += " with new ids" + (f" (#{result.ids[0]}–#{result.ids[-1]})" if result.ids else "")
    if args.dry_run:
        print(
            f"Dry run: {added} would be added, {result.skipped} already stored; "
            "nothing was written."
        )
    else:
        print(f"Imported {added}; skipped {result.skipped} already stored.")


def backup(tracker: Tracker, args: argparse.Namespace) -> None:
    tracker.backup(_operator(), args.file)
    print(visible(f"Backed up to {args.file}"))


def restore(tracker: Tracker, args: argparse.Namespace) -> None:
    tracker.restore(_operator(), args.file, force=args.force)
    print(visible(f"Restored from {args.file}"))


# -- the parser ------------------------------------------------------------------------------


def _add_out(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        metavar="FILE",
        type=Path,
        help="write to FILE (UTF-8 with a byte-order mark) instead of stdout",
    )


def build_parser() -> Parser:
    db_help = "database URL (overrides TRACKER_DB_URL; default: the SQLite file data/tracker.db)"
    common = Parser(add_help=False)
    common.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=db_help)
    parser = Parser(
        prog="python -m tracker",
        description="Track whether a policy paper's recommendations are carried out.",
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, handler, help: str, *, reads: bool = False, within=commands, **more):
        sub = within.add_parser(name, parents=[common], help=help, **more)
        sub.set_defaults(handler=handler, reads=reads)
        return sub

    command(
        "init",
        init,
        "create or upgrade the database and load data/recommendations.csv if it is empty",
    )

    recs = commands.add_parser("recommendations", parents=[common], help="list or import")
    rec_commands = recs.add_subparsers(dest="action", metavar="ACTION", required=True)
    command(
        "import",
        import_recommendations,
        "add a paper's recommendations from a CSV file",
        within=rec_commands,
    ).add_argument("file", type=Path, metavar="FILE")
    command(
        "list", list_recommendations, "list the recommendations", reads=True, within=rec_commands
    )

    log_parser = command(
        "log",
        log,
        "log a dated assessment of a recommendation, with its evidence",
        epilog="Statuses: "
        + "; ".join(f"{s.key}: {s.rubric}" for s in taxonomy.STATUSES if s.key != "not_assessed")
        + " Each --evidence-url starts an evidence item; the --evidence-* options after it "
        "describe that item.",
    )
    log_parser.add_argument("recommendation", metavar="REC_ID")
    for name, spec in LOG_FIELDS:
        log_parser.add_argument(
            f"--{spec.option}",
            dest=name,
            required=spec.required and spec.kind != DAY,
            default="",
            metavar="YYYY-MM-DD" if spec.kind == DAY else spec.option.split("-")[0].upper(),
            help=spec.help,
        )
    log_parser.add_argument(
        "--evidence-url",
        action=StartEvidence,
        metavar="URL",
        dest="evidence",
        help=dict(declared_fields(EvidenceDraft))["url"].help,
    )
    for name, spec in EVIDENCE_OPTIONS:
        log_parser.add_argument(
            f"--evidence-{spec.option}",
            action=FillEvidence,
            dest=f"evidence_{name}",
            metavar="VALUE",
            help=spec.help,
        )

    command(
        "history", history, "a recommendation's assessments, newest first", reads=True
    ).add_argument("recommendation", metavar="REC_ID")
    command(
        "status", status, "every recommendation's status and progress on a date", reads=True
    ).add_argument("--as-of", metavar="YYYY-MM-DD", default="", help="the date (default: today)")

    report_parser = command(
        "report",
        report,
        "the status report as CSV: one row per recommendation",
        reads=True,
        description="Columns: " + ", ".join(reports.STATUS_COLUMNS) + ".",
    )
    report_parser.add_argument(
        "--as-of", metavar="YYYY-MM-DD", default="", help="the report's date (default: today)"
    )
    report_parser.add_argument(
        "--recorded-by",
        metavar="YYYY-MM-DD",
        default="",
        help="leave out what was recorded after this day, to reproduce a report sent then",
    )
    _add_out(report_parser)

    changes_parser = command(
        "changes",
        changes,
        "what changed between two dates, as CSV",
        reads=True,
        description="Status and progress at both dates, with the assessments dated in between. "
        "Columns: " + ", ".join(reports.CHANGES_COLUMNS) + ".",
    )
    changes_parser.add_argument(
        "--since", metavar="YYYY-MM-DD", required=True, help="the start date"
    )
    changes_parser.add_argument(
        "--until", metavar="YYYY-MM-DD", default="", help="the end date (default: today)"
    )
    _add_out(changes_parser)

    _add_out(
        command(
            "export",
            export,
            "every assessment with its evidence as one CSV file (the import format)",
            reads=True,
        )
    )

    import_parser = command(
        "import",
        import_history,
        "add assessments from a CSV file in the export format, all or nothing",
        description="Rows already stored are skipped and counted; a row whose id is stored "
        "with other content is an error (with --new-ids, the file's ids are renumbered "
        "instead). Status, confidence, basis, source type and grades may be given as keys or "
        "as the labels the dashboard shows. Any error writes nothing. Files of up to "
        f"{csvfile.MAX_FILE_BYTES // (1024 * 1024)} MiB are read.",
    )
    import_parser.add_argument("file", type=Path, metavar="FILE")
    import_parser.add_argument(
        "--new-ids",
        action="store_true",
        help="for a file from another tracker: give its assessments new ids after the stored "
        "ones, and point its corrections at them (a correction must correct a row of the file)",
    )
    import_parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and say what it would add; write nothing",
    )

    command(
        "backup", backup, "copy the SQLite database to FILE while analysts keep working"
    ).add_argument("file", type=Path, metavar="FILE")
    restore_parser = command(
        "restore", restore, "put a backup made by `backup` back, after checking it"
    )
    restore_parser.add_argument("file", type=Path, metavar="FILE")
    restore_parser.add_argument(
        "--force", action="store_true", help="replace a database that already holds data"
    )

    command(
        "demo",
        fill_demo,
        f"fill a database with a fictional sample history (default: {demo.DEMO_URL})",
        description="Never touches the tracker's own database unless --db names it.",
    )
    return parser


def run(tracker: Tracker, args: argparse.Namespace) -> None:
    """Runs the command's handler, after making sure the schema is there and up to date."""
    if args.reads:
        tracker.require_schema()
    elif args.handler not in (init, fill_demo):
        tracker.upgrade()
    args.handler(tracker, args)


def _option_names(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Each destination of a parsed value, by the option or argument a person typed for it."""
    names: dict[str, str] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                names |= _option_names(sub)
        elif action.option_strings:
            names[action.dest] = max(action.option_strings, key=len)
        else:
            names[action.dest] = action.metavar or action.dest
    return names


def _typed_values(args: argparse.Namespace) -> list[tuple[str, object]]:
    """Every value the command line gave, with its destination; evidence items by field."""
    found = []
    for dest, value in vars(args).items():
        if dest == "evidence":
            for item in value or []:
                found += [(f"evidence_{k}" if k != "url" else dest, v) for k, v in item.items()]
        else:
            found.append((dest, value))
    return found


def _check_utf8(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuses arguments and tracker variables holding bytes that are not UTF-8, by name."""
    names = _option_names(parser)
    problems = []
    where = [(names.get(dest, dest), str(value)) for dest, value in _typed_values(args)]
    where += [(name, os.environ.get(name, "")) for name in VARIABLES]
    for name, text in where:
        if not is_utf8(text):
            params = {"byte": first_undecodable_byte(text)}
            problems.append(Problem("not_utf8_argument", params=params, at=name))
    if problems:
        raise InvalidInput(problems)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; returns the exit code (0 done, 1 failure, 2 bad input)."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        _check_utf8(parser, args)
        url = getattr(args, "db", None)
        if url is not None and not url.strip():
            raise refuse("not_database_url", at="db ''")
        if args.handler is fill_demo:
            url = url or demo.DEMO_URL
        tracker = Tracker.open(url)
        try:
            run(tracker, args)
        finally:
            tracker.close()
    except UsageError as exc:
        _say(str(exc))
        return 2
    except InvalidInput as exc:
        for line in messages.problem_lines(exc, lambda p: str(_located(p))):
            _say(f"error: {line}")
        return 2
    except SQLAlchemyError as exc:
        _say(f"error: database failure: {_first_line(exc)}")
        return 1
    except BrokenPipeError:
        # The reader went away (`| head`, say): nothing more to say, and nowhere to say it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        _say(f"error: {exc}")
        return 1
    except Exception as exc:
        # Whatever was not foreseen still ends in one line, not a traceback; the tests treat
        # this message as a failure, so that every case gets a message of its own.
        _say(f"error: unexpected failure ({type(exc).__name__}): {_first_line(exc)}")
        return 1
    return 0


def _say(line: str) -> None:
    """One line on stderr, control characters escaped."""
    print(visible(line), file=sys.stderr)


def _first_line(exc: Exception) -> str:
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__
