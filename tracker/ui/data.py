"""The dashboard's way to the tracker: one cached tracker per database, cached reads, and
writes that clear them so that a new assessment shows at once on every page.

Reads expire after a minute as well, so that dashboard servers sharing one PostgreSQL database
see each other's writes soon without any coordination.
"""

import io
from collections.abc import Callable
from datetime import date

import streamlit as st

from tracker import clock, csvfile, db, reports
from tracker.errors import Problem
from tracker.history_file import HistoryFile
from tracker.records import AppendResult, AssessmentDraft
from tracker.service import DASHBOARD, Actor, Logged, Tracker
from tracker.views import (
    AssessmentView,
    EvidencePoint,
    ProgressStep,
    RecommendationView,
    StatusRow,
)

READ_TTL_SECONDS = 60


@st.cache_resource(show_spinner="Opening the tracker's database…")
def _tracker(url: str) -> Tracker:
    tracker = Tracker.open(url)
    tracker.init()
    return tracker


def tracker() -> Tracker:
    """The tracker on TRACKER_DB_URL (or the default SQLite file), initialised on first use."""
    return _tracker(db.database_url())


def today() -> date:
    return clock.today()


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def recommendations(url: str) -> list[RecommendationView]:
    return _tracker(url).recommendations()


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def statuses(url: str, as_of: date, recorded_by: date | None = None) -> list[StatusRow]:
    return _tracker(url).statuses(as_of, recorded_by=recorded_by)


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def progress_steps(
    url: str, since: date, until: date, rec_ids: tuple[str, ...] | None = None
) -> list[ProgressStep]:
    return _tracker(url).progress_steps(since, until, rec_ids)


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def history(url: str, rec_id: str, limit: int, offset: int) -> list[AssessmentView]:
    return _tracker(url).history(rec_id, limit=limit, offset=offset)


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def count_history(url: str, rec_id: str) -> int:
    """How many assessments the recommendation's history holds, corrected ones included."""
    return _tracker(url).count_assessments(rec_id)


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def assessment(url: str, assessment_id: int) -> AssessmentView | None:
    return _tracker(url).assessment(assessment_id)


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def evidence_points(url: str, rec_id: str) -> list[EvidencePoint]:
    return _tracker(url).evidence_points(rec_id)


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def holds_sample_data(url: str) -> bool:
    return _tracker(url).holds_sample_data()


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def status_report(url: str, as_of: date, recorded_by: date | None) -> reports.Report:
    return _tracker(url).status_report(as_of, recorded_by)


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def changes(url: str, since: date, until: date) -> tuple[reports.Report, reports.Report]:
    return _tracker(url).changes(since, until)


def export_bytes() -> bytes:
    """The full history as a CSV file's bytes, built when the download is asked for."""
    buffer = io.StringIO()
    tracker().export_history(buffer)
    return csvfile.with_bom(buffer.getvalue())


def visitor() -> Actor:
    """Whoever uses this dashboard session (until accounts, an unnamed visitor)."""
    return Actor("dashboard visitor", DASHBOARD)


def preview_import(file: HistoryFile, *, new_ids: bool = False) -> AppendResult:
    """What importing the file would do (with new ids, for another tracker's file); writes
    nothing."""
    return tracker().import_history(visitor(), file, dry_run=True, new_ids=new_ids)


def import_history(
    file: HistoryFile,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    new_ids: bool = False,
) -> AppendResult:
    """Imports the file's assessments (all or none; with new ids, for another tracker's
    file), then clears every cached read."""
    result = tracker().import_history(visitor(), file, new_ids=new_ids, on_progress=on_progress)
    st.cache_data.clear()
    return result


def log(draft: AssessmentDraft, read_problems: list[Problem], token: str) -> Logged:
    """Appends the assessment once for the form's one-time `token` (a second submission with it
    answers with the first one's assessment), then clears every cached read so that all pages
    show it."""
    logged = tracker().log_submission(visitor(), draft, token, read_problems=read_problems)
    st.cache_data.clear()
    return logged


def problems_with(draft: AssessmentDraft, read_problems: list[Problem]) -> list[Problem]:
    """Every problem that logging the draft would meet; only reads, and never from a cache."""
    return tracker().problems_with(draft, read_problems=read_problems)
