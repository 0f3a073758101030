"""The dashboard's way to the store: one cached store per database, cached reads, and a write
hook that clears them so that a new assessment shows at once on every page.

Reads expire after a minute as well, so that dashboard servers sharing one PostgreSQL database
see each other's writes soon without any coordination.
"""

import io
from collections.abc import Callable
from datetime import date

import streamlit as st

from tracker import clock, csvfile, db, history_file, reports
from tracker.rules import AssessmentDraft, ImportResult, ImportRow
from tracker.store import Store
from tracker.views import (
    AssessmentView,
    EvidencePoint,
    ProgressStep,
    RecommendationView,
    StatusRow,
)

READ_TTL_SECONDS = 60


@st.cache_resource(show_spinner="Opening the tracker's database…")
def _store(url: str) -> Store:
    store = Store(url)
    store.init()
    return store


def store() -> Store:
    """The store for TRACKER_DB_URL (or the default SQLite file), initialised on first use."""
    return _store(db.database_url())


def today() -> date:
    return clock.today()


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def recommendations(url: str) -> list[RecommendationView]:
    return _store(url).recommendations()


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def statuses(url: str, on: date, recorded_by: date | None = None) -> list[StatusRow]:
    return _store(url).statuses(on, recorded_by=recorded_by)


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def progress_steps(
    url: str, since: date, until: date, rec_ids: tuple[str, ...] | None = None
) -> list[ProgressStep]:
    return _store(url).progress_steps(since, until, rec_ids)


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def history(url: str, rec_id: str, limit: int, offset: int) -> list[AssessmentView]:
    return _store(url).history(rec_id, limit=limit, offset=offset)


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def evidence_points(url: str, rec_id: str) -> list[EvidencePoint]:
    return _store(url).evidence_points(rec_id)


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def holds_sample_data(url: str) -> bool:
    return _store(url).holds_sample_data()


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def status_report(url: str, on: date, recorded_by: date | None) -> reports.Report:
    return reports.status_report_for(_store(url), on, recorded_by)


@st.cache_data(ttl=READ_TTL_SECONDS, show_spinner=False)
def changes(url: str, since: date, until: date) -> tuple[reports.Report, reports.Report]:
    return reports.changes_for(_store(url), since, until)


def export_bytes() -> bytes:
    """The full history as a CSV file's bytes, built when the download is asked for."""
    buffer = io.StringIO()
    history_file.write(store(), buffer)
    return csvfile.with_bom(buffer.getvalue())


def preview_import(rows: list[ImportRow]) -> ImportResult:
    """What importing the rows would do; writes nothing."""
    return store().import_assessments(rows, dry_run=True)


def import_rows(
    rows: list[ImportRow], on_progress: Callable[[int, int], None] | None = None
) -> ImportResult:
    """Imports the rows (all or none), then clears every cached read."""
    result = store().import_assessments(rows, on_progress=on_progress)
    st.cache_data.clear()
    return result


def log(draft: AssessmentDraft) -> int:
    """Appends the assessment, then clears every cached read so that all pages show it."""
    new_id = store().log(draft)
    st.cache_data.clear()
    return new_id
