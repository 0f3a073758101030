"""The command line, `python -m tracker`: everything the dashboard does, for scripts and people.

Exit codes: 0 success; 2 bad input, one line per problem on stderr and nothing written;
1 any other failure (the database unreachable, say), with a one-line message.
"""

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from tracker import clock, csvfile, demo, history_file, reports
from tracker import taxonomy as tx
from tracker.errors import InvalidInput, Problem
from tracker.rules import AssessmentDraft, EvidenceDraft, by_field, parse_date, parse_int
from tracker.store import Store
from tracker.views import AssessmentView

EVIDENCE_FIELDS = {
    "title": "title",
    "type": "source_type",
    "publisher": "publisher",
    "published": "published_on",
    "accessed": "accessed_on",
    "archive-url": "archive_url",
    "reliability": "reliability",
    "credibility": "credibility",
    "summary": "summary",
}


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

    commands.add_parser(
        "init",
        parents=[common],
        help="create or upgrade the database and load data/recommendations.csv if it is empty",
    )

    recs = commands.add_parser("recommendations", parents=[common], help="list or import")
    rec_commands = recs.add_subparsers(dest="action", metavar="ACTION", required=True)
    rec_import = rec_commands.add_parser(
        "import", parents=[common], help="add a paper's recommendations from a CSV file"
    )
    rec_import.add_argument("file", type=Path, metavar="FILE")
    rec_commands.add_parser("list", parents=[common], help="list the recommendations")

    log = commands.add_parser(
        "log",
        parents=[common],
        help="log a dated assessment of a recommendation, with its evidence",
        epilog="Statuses: "
        + "; ".join(f"{s.key}: {s.rubric}" for s in tx.STATUSES if s.key != tx.NOT_ASSESSED)
        + " Each --evidence-url starts an evidence item; the --evidence-* options after it "
        "describe that item.",
    )
    log.add_argument("recommendation", metavar="REC_ID")
    log.add_argument(
        "--status",
        required=True,
        metavar="S",
        help="one of: " + ", ".join(tx.LOGGABLE_STATUSES),
    )
    log.add_argument("--progress", required=True, metavar="N", help="0 to 100")
    log.add_argument("--analyst", required=True, metavar="NAME", help="who makes the judgement")
    log.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        default="",
        help="the day the status held (default: today; never in the future)",
    )
    log.add_argument(
        "--confidence",
        default="moderate",
        metavar="C",
        help="low, moderate or high (default: moderate)",
    )
    log.add_argument(
        "--basis",
        default="reported",
        metavar="B",
        help="reported (by the implementing actor) or verified (independently); default: reported",
    )
    log.add_argument(
        "--note",
        default="",
        metavar="TEXT",
        help=f"why; required for modified, not_pursued and superseded "
        f"(up to {tx.NOTE_MAX_CHARS:,} characters)",
    )
    log.add_argument(
        "--corrects",
        metavar="ASSESSMENT_ID",
        default="",
        help="the id of an earlier assessment of this recommendation that this one corrects",
    )
    log.add_argument(
        "--evidence-url",
        action=StartEvidence,
        metavar="URL",
        dest="evidence",
        help="an http or https link; starts an evidence item",
    )
    for option, field in EVIDENCE_FIELDS.items():
        log.add_argument(
            f"--evidence-{option}",
            action=FillEvidence,
            dest=f"evidence_{field}",
            metavar="VALUE",
            help=_EVIDENCE_HELP[field],
        )

    history = commands.add_parser(
        "history", parents=[common], help="a recommendation's assessments, newest first"
    )
    history.add_argument("recommendation", metavar="REC_ID")

    status = commands.add_parser(
        "status", parents=[common], help="every recommendation's status and progress on a date"
    )
    status.add_argument(
        "--as-of", metavar="YYYY-MM-DD", default="", help="the date (default: today)"
    )
    report = commands.add_parser(
        "report",
        parents=[common],
        help="the status report as CSV: one row per recommendation",
        description="Columns: " + ", ".join(reports.STATUS_COLUMNS) + ".",
    )
    report.add_argument(
        "--as-of", metavar="YYYY-MM-DD", default="", help="the report's date (default: today)"
    )
    report.add_argument(
        "--recorded-by",
        metavar="YYYY-MM-DD",
        default="",
        help="leave out what was recorded after this day, to reproduce a report sent then",
    )
    _add_out(report)

    changes = commands.add_parser(
        "changes",
        parents=[common],
        help="what changed between two dates, as CSV",
        description="Status and progress at both dates, with the assessments dated in between. "
        "Columns: " + ", ".join(reports.CHANGES_COLUMNS) + ".",
    )
    changes.add_argument("--since", metavar="YYYY-MM-DD", required=True, help="the start date")
    changes.add_argument(
        "--until", metavar="YYYY-MM-DD", default="", help="the end date (default: today)"
    )
    _add_out(changes)

    export = commands.add_parser(
        "export",
        parents=[common],
        help="every assessment with its evidence as one CSV file (the import format)",
    )
    _add_out(export)

    history_import = commands.add_parser(
        "import",
        parents=[common],
        help="add assessments from a CSV file in the export format, all or nothing",
        description="Rows already stored are skipped and counted; a row whose id is stored "
        "with other content is an error. Any error writes nothing. Files of up to "
        f"{csvfile.MAX_FILE_BYTES // (1024 * 1024)} MiB are read.",
    )
    history_import.add_argument("file", type=Path, metavar="FILE")
    history_import.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and say what it would add; write nothing",
    )

    backup = commands.add_parser(
        "backup",
        parents=[common],
        help="copy the SQLite database to FILE while analysts keep working",
    )
    backup.add_argument("file", type=Path, metavar="FILE")
    restore = commands.add_parser(
        "restore", parents=[common], help="put a backup made by `backup` back, after checking it"
    )
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.add_argument(
        "--force", action="store_true", help="replace a database that already holds data"
    )

    commands.add_parser(
        "demo",
        parents=[common],
        help=f"fill a database with a fictional sample history (default: {demo.DEMO_URL})",
        description="Never touches the tracker's own database unless --db names it.",
    )
    return parser


_EVIDENCE_HELP = {
    "title": "the source's title",
    "source_type": "one of: " + ", ".join(tx.SOURCE_TYPES) + " (default: other)",
    "publisher": "who published it",
    "published_on": "when it was published (YYYY-MM-DD)",
    "accessed_on": "when it was read (YYYY-MM-DD)",
    "archive_url": "an archived copy (http or https)",
    "reliability": "source reliability, A (completely reliable) to F (cannot be judged; default)",
    "credibility": "information credibility, 1 (confirmed) to 6 (cannot be judged; default)",
    "summary": "what it says",
}


def _date_option(text: str, name: str, problems: list[Problem]) -> date | None:
    return parse_date(text, name, by_field("--"), problems)


def _draft_from(args: argparse.Namespace) -> AssessmentDraft:
    problems: list[Problem] = []
    progress = parse_int(args.progress, "progress", by_field("--"), problems)
    as_of = _date_option(args.as_of, "as-of", problems) or clock.today()
    corrects = (
        parse_int(args.corrects, "corrects", by_field("--"), problems) if args.corrects else None
    )
    evidence = []
    for number, item in enumerate(args.evidence or [], start=1):
        prefix = f"evidence {number} "
        values = {k: v for k, v in item.items() if k not in ("published_on", "accessed_on")}
        evidence.append(
            EvidenceDraft(
                **values,
                published_on=parse_date(
                    item.get("published_on", ""), "published", by_field(prefix), problems
                ),
                accessed_on=parse_date(
                    item.get("accessed_on", ""), "accessed", by_field(prefix), problems
                ),
            )
        )
    if problems:
        raise InvalidInput(problems)
    return AssessmentDraft(
        recommendation_id=args.recommendation,
        status=args.status,
        progress=progress,
        analyst=args.analyst,
        as_of=as_of,
        confidence=args.confidence,
        basis=args.basis,
        note=args.note,
        corrects_id=corrects,
        evidence=evidence,
    )


def _progress(value: int | None) -> str:
    return "-" if value is None else f"{value}%"


def _history_line(a: AssessmentView) -> str:
    marks = []
    if a.corrects_id is not None:
        marks.append(f"corrects #{a.corrects_id}")
    if a.corrected_by_id is not None:
        marks.append(f"CORRECTED by #{a.corrected_by_id}")
    note = a.note.splitlines()[0] if a.note else ""
    if len(note) > 80 or len(a.note.splitlines()) > 1:
        note = note[:79] + "…"
    fields = [
        f"#{a.id}",
        a.as_of.isoformat(),
        a.status,
        _progress(a.progress),
        f"analyst={a.analyst}",
        f"confidence={a.confidence}",
        f"basis={a.basis}",
        f"evidence={len(a.evidence)}",
        f"recorded={a.recorded_at:%Y-%m-%dT%H:%M:%SZ}",
    ]
    if marks:
        fields.append("[" + "; ".join(marks) + "]")
    if note:
        fields.append(note)
    return "  ".join(fields)


def _dates(args: argparse.Namespace, *names: str) -> list[date | None]:
    problems: list[Problem] = []
    values = [_date_option(getattr(args, name.replace("-", "_")), name, problems) for name in names]
    if problems:
        raise InvalidInput(problems)
    return values


def _emit(write: Callable[[TextIO], None], out: Path | None) -> None:
    """Writes CSV to `out` whole or not at all, or to stdout without a byte-order mark."""
    if out is None:
        write(sys.stdout)
        return
    if out.is_dir():
        raise InvalidInput([Problem("is a folder; name a file to write", field=f"--out {out}")])
    if not out.parent.is_dir():
        raise InvalidInput(
            [Problem(f"the folder {out.parent} does not exist", field=f"--out {out}")]
        )
    partial = out.with_name(f".{out.name}.partial")
    try:
        with partial.open("w", encoding="utf-8-sig", newline="") as file:
            write(file)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    print(f"Wrote {out}", file=sys.stderr)


def _report(report: reports.Report) -> Callable[[TextIO], None]:
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


def run(store: Store, args: argparse.Namespace) -> None:
    if args.command == "demo":
        store.init()
        added = demo.fill(store)
        print(f"Added {added} fictional assessments." if added else "Sample history already there.")
        return
    if args.command == "init":
        loaded = store.init()
        print(
            f"Database ready; loaded {loaded} recommendations."
            if loaded
            else "Database ready; recommendations already loaded."
        )
        return
    # Every other command brings the schema up to date first, as the dashboard does at start.
    store.upgrade()
    if args.command == "log":
        print(store.log(_draft_from(args)))
    elif args.command == "recommendations" and args.action == "import":
        ids = store.import_recommendations(args.file)
        print(f"Imported {_plural(len(ids), 'recommendation')}: {', '.join(ids)}")
    elif args.command == "recommendations":
        recommendations = store.recommendations()
        for rec in recommendations:
            print(f"{rec.id}\t{rec.theme}\t{rec.title}")
        if not recommendations:
            print(NO_RECOMMENDATIONS, file=sys.stderr)
    elif args.command == "history":
        history = store.history(args.recommendation)
        for assessment in history:
            print(_history_line(assessment))
        if not history:
            print(f"{args.recommendation} has no assessments yet.", file=sys.stderr)
    elif args.command == "status":
        (as_of,) = _dates(args, "as-of")
        problems = reports.check_dates(as_of)
        if problems:
            raise InvalidInput(problems)
        rows = store.statuses(as_of)
        for row in rows:
            effective = row.assessment.as_of.isoformat() if row.assessment else "-"
            print(
                f"{row.recommendation.id}\t{row.status}\t{_progress(row.progress)}\t"
                f"{effective}\t{row.recommendation.title}"
            )
        if not rows:
            print(NO_RECOMMENDATIONS, file=sys.stderr)
    elif args.command == "export":
        _emit(lambda out: history_file.write(store, out), args.out)
    elif args.command == "import":
        rows = history_file.read(args.file)
        result = store.import_assessments(
            rows, dry_run=args.dry_run, on_progress=_progress_printer("Importing")
        )
        added = _plural(result.added, "assessment")
        if args.dry_run:
            print(
                f"Dry run: {added} would be added, {result.skipped} already stored; "
                "nothing was written."
            )
        else:
            print(f"Imported {added}; skipped {result.skipped} already stored.")
    elif args.command == "backup":
        store.backup(args.file)
        print(f"Backed up to {args.file}")
    elif args.command == "restore":
        store.restore(args.file, force=args.force)
        print(f"Restored from {args.file}")
    elif args.command == "report":
        as_of, recorded_by = _dates(args, "as-of", "recorded-by")
        _emit(_report(reports.status_report_for(store, as_of, recorded_by)), args.out)
    elif args.command == "changes":
        since, until = _dates(args, "since", "until")
        summary, _ = reports.changes_for(store, since, until)
        _emit(_report(summary), args.out)


MAX_PROBLEMS_SHOWN = 100

NO_RECOMMENDATIONS = (
    "No recommendations yet: run `python -m tracker init` to load data/recommendations.csv, "
    "or `python -m tracker recommendations import FILE`."
)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; returns the exit code (0 done, 1 failure, 2 bad input)."""
    try:
        args = build_parser().parse_args(argv)
        url = getattr(args, "db", None)
        if args.command == "demo":
            url = url or demo.DEMO_URL
        store = Store(url)
        try:
            run(store, args)
        finally:
            store.close()
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except InvalidInput as exc:
        for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
            print(f"error: {_as_option(problem)}", file=sys.stderr)
        if len(exc.problems) > MAX_PROBLEMS_SHOWN:
            more = len(exc.problems) - MAX_PROBLEMS_SHOWN
            print(f"error: … and {more} more problems", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"error: database failure: {_first_line(exc)}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`| head`, say): nothing more to say, and nowhere to say it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


# Fields that the command line takes as options are named as the options.
OPTION_FIELDS = {
    "status",
    "progress",
    "analyst",
    "as_of",
    "confidence",
    "basis",
    "note",
    "corrects",
    "since",
    "until",
    "recorded_by",
}


def _as_option(problem: Problem) -> Problem:
    if problem.field in OPTION_FIELDS:
        return dataclasses.replace(problem, field="--" + problem.field.replace("_", "-"))
    return problem


def _first_line(exc: SQLAlchemyError) -> str:
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__
