"""Fixtures: a fresh, initialised database per test, on SQLite and (when configured) PostgreSQL.

PostgreSQL tests read TRACKER_TEST_PG_URL and skip without it; each test gets a schema of its
own, dropped afterwards. With TRACKER_FORBID_SKIPS set (as CI sets it), any skipped test fails
the run, so that CI never passes without the PostgreSQL and browser tests.
"""

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tracker.service import Tracker

PG_URL = os.environ.get("TRACKER_TEST_PG_URL", "")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file, or a PostgreSQL schema of the test's own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    if not PG_URL:
        pytest.skip("TRACKER_TEST_PG_URL is not set")
    yield from postgresql_schema_url()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL schema of the test's own, for what only PostgreSQL does."""
    if not PG_URL:
        pytest.skip("TRACKER_TEST_PG_URL is not set")
    yield from postgresql_schema_url()


@pytest.fixture
def sqlite_tracker(tmp_path) -> Iterator[Tracker]:
    """An initialised tracker on a SQLite file, for what only SQLite does."""
    opened = Tracker.open(f"sqlite:///{tmp_path / 'tracker.db'}")
    opened.init()
    yield opened
    opened.close()


@pytest.fixture
def other_db_url(db_url: str, tmp_path) -> Iterator[str]:
    """A second empty database of the same kind as `db_url`, to copy into."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'other.db'}"
    else:
        yield from postgresql_schema_url()


def postgresql_schema_url() -> Iterator[str]:
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(make_url(PG_URL).set(drivername="postgresql+psycopg"))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def tracker(db_url: str) -> Iterator[Tracker]:
    """An initialised tracker holding the paper's five recommendations and no assessments."""
    opened = Tracker.open(db_url)
    opened.init()
    yield opened
    opened.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not os.environ.get("TRACKER_FORBID_SKIPS"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(
            f"TRACKER_FORBID_SKIPS is set and {len(skipped)} test(s) were skipped: failing the run",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
