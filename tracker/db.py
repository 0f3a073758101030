"""Connecting to the tracker's database and bringing its schema up to date.

The URL comes from the caller, else TRACKER_DB_URL, else a SQLite file beside the project
(data/tracker.db). SQLite runs in WAL mode with a busy timeout and foreign keys on; its write
transactions begin IMMEDIATE, so that a writer that reads first takes the write lock at once and
waits its turn rather than failing when it later tries to write. On PostgreSQL,
TRACKER_ADMIN_DB_URL may name the tables' owner: schema set-up and upgrades then run under it, so
that the tracker's own role needs no right to change the schema (see tracker.privileges).
"""

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, ProgrammingError, SQLAlchemyError

from tracker.errors import InvalidInput, refuse
from tracker.file_kinds import kind_of

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "tracker.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_SECONDS = 30
WRITE = "tracker_write"
# Any constant will do: PostgreSQL sessions that run migrations take this advisory lock in turn.
MIGRATION_LOCK_KEY = 7_351_202_611
ADMIN_URL_VARIABLE = "TRACKER_ADMIN_DB_URL"
# PostgreSQL's code for "insufficient privilege".
INSUFFICIENT_PRIVILEGE = "42501"


class SchemaUpgradeRefused(SQLAlchemyError):
    """The schema is older than this tracker, and the role connected may not upgrade it."""


def database_url(url: str | None = None) -> str:
    return url or os.environ.get("TRACKER_DB_URL") or f"sqlite:///{DEFAULT_DB_PATH}"


def make_engine(url: str | None = None) -> Engine:
    """An engine for the URL, configured for the tracker's concurrency on SQLite or PostgreSQL.

    Refuses, as bad input, a URL that is not one (or whose settings are not), a database other
    than SQLite or PostgreSQL, a driver other than the one the tracker installs for it, and a
    SQLite file in a folder that does not exist (only the default file's folder is made).
    """
    text_url = database_url(url)
    try:
        parsed = make_url(text_url)
    except (ArgumentError, ValueError) as exc:
        raise refuse("not_database_url", at=f"db {text_url!r}") from exc
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise refuse("unsupported_database", {"backend": backend}, at="db")
    if backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_driver_name() not in ("pysqlite", "psycopg"):
        raise refuse("unsupported_database", {"backend": parsed.drivername}, at="db")
    if backend != "sqlite":
        return _engine(text_url, parsed, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        if path.exists() and not path.is_file():
            # SQLite would open a device or a named pipe as a database, and write its journal
            # beside it.
            raise refuse(
                "not_regular_file", {"kind": kind_of(path.stat().st_mode)}, at=f"db {path}"
            )
        folder = path.parent
        if path == DEFAULT_DB_PATH:
            folder.mkdir(parents=True, exist_ok=True)
        elif not folder.is_dir():
            raise refuse("folder_missing", {"folder": folder}, at="db")
    engine = _engine(text_url, parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Transactions are begun by the "begin" hook below, not by the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        writing = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


def _engine(text_url: str, parsed, **options) -> Engine:
    """The engine, or the URL refused when a setting in it is not one (`?timeout=soon`)."""
    try:
        return create_engine(parsed, **options)
    except (ArgumentError, ValueError, TypeError) as exc:
        raise refuse("not_database_url", at=f"db {text_url!r}") from exc


def _use_wal(cursor: sqlite3.Cursor) -> None:
    """Switches the file to WAL mode (it stays so); tolerates another process switching it.

    Changing the journal mode needs a moment alone with the file and does not wait on the busy
    timeout, so a process starting beside another retries briefly.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_SECONDS
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def writer(engine: Engine) -> Engine:
    """The same engine, marked so that its transactions take the write lock when they begin."""
    return engine.execution_options(**{WRITE: True})


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@contextmanager
def exclusive(engine: Engine) -> Iterator[Connection]:
    """A write transaction that one process at a time may hold: for schema set-up and seeding,
    as the tables' owner when TRACKER_ADMIN_DB_URL names one (see `owner`).

    On SQLite the IMMEDIATE transaction is the lock; on PostgreSQL an advisory lock held to
    the end of the transaction.
    """
    with owner(engine) as owner_engine, writer(owner_engine).begin() as connection:
        if engine.dialect.name == "postgresql":
            lock = text("SELECT pg_advisory_xact_lock(:key)")
            connection.execute(lock, {"key": MIGRATION_LOCK_KEY})
        yield connection


def schema_is_current(connection: Connection) -> bool:
    """Whether the database's schema is this tracker's newest; only reads."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return set(MigrationContext.configure(connection).get_current_heads()) == set(heads)


def migrate(connection: Connection) -> None:
    """Applies every pending migration on a connection from `exclusive`.

    Writes nothing when the schema is current. Raises SchemaUpgradeRefused when there is
    something to apply and the role connected may not.
    """
    if schema_is_current(connection):
        return
    revisions = MigrationContext.configure(connection).get_current_heads()
    role = connection.scalar(text("SELECT current_user")) if _is_postgresql(connection) else ""
    config = alembic_config()
    config.attributes["connection"] = connection
    try:
        command.upgrade(config, "head")
    except ProgrammingError as exc:
        if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        at = f"is at revision {', '.join(revisions)}" if revisions else "has no tracker schema yet"
        raise SchemaUpgradeRefused(
            f"the database {at} and this tracker needs a newer one, which the role {role} may "
            f"not create; set {ADMIN_URL_VARIABLE} to the URL of the tables' owner"
        ) from exc


def _is_postgresql(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


@contextmanager
def owner(engine: Engine) -> Iterator[Engine]:
    """The engine that creates and upgrades the schema: on PostgreSQL the owner's, from
    TRACKER_ADMIN_DB_URL, when that is set; otherwise `engine` itself.

    Refuses, as bad input, an owner's URL that reaches another database or schema than `engine`,
    so that an upgrade never lands elsewhere.
    """
    admin_url = os.environ.get(ADMIN_URL_VARIABLE)
    if not admin_url or engine.dialect.name != "postgresql":
        yield engine
        return
    try:
        admin = make_engine(admin_url)
    except InvalidInput as exc:
        raise InvalidInput(p.placed(at=ADMIN_URL_VARIABLE) for p in exc.problems) from exc
    try:
        if admin.dialect.name != "postgresql" or _where(admin) != _where(engine):
            raise refuse("admin_url_elsewhere", at=ADMIN_URL_VARIABLE)
        yield admin
    finally:
        admin.dispose()


def _where(engine: Engine) -> tuple:
    """Which server (by its start time), database and schema a PostgreSQL engine reaches."""
    query = text("SELECT pg_postmaster_start_time(), current_database(), current_schema()")
    with engine.connect() as connection:
        return tuple(connection.execute(query).one())


def known_revisions() -> set[str]:
    """The schema revisions this version of the tracker can open and upgrade."""
    scripts = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in scripts.walk_revisions()}


MISSING, CURRENT, OLDER, NEWER = "missing", "current", "older", "newer"


def schema_state(engine: Engine) -> str:
    """Whether the database holds the tracker's schema, and of which version, found with plain
    reads: no lock is taken, and nothing is created (not even a missing SQLite file)."""
    revisions = _stored_revisions(engine)
    if not revisions:
        return MISSING
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revisions == {head}:
        return CURRENT
    return OLDER if revisions <= known_revisions() else NEWER


def _stored_revisions(engine: Engine) -> set[str]:
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        if not path or path == ":memory:":
            return set()
        if not Path(path).is_file():
            return set()
        # A read-only connection of its own: the engine's would switch the file to WAL mode.
        connection = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
        try:
            found = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
            if found is None:
                return set()
            return {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
        except sqlite3.DatabaseError:
            return set()
        finally:
            connection.close()
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return set()
        return set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def upgrade(engine: Engine) -> None:
    """Applies every pending migration, one process at a time; safe to call at every start.

    Only reads when the schema is current, so that a role that may not change the schema can
    call it; otherwise migrates as the owner (see `owner`).
    """
    if schema_state(engine) == CURRENT:
        return
    with exclusive(engine) as connection:
        migrate(connection)
