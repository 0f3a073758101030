"""Backups of the SQLite database taken while analysts write, and putting them back.

PostgreSQL has its own tools for this (pg_dump and pg_restore; see the README).
"""

import os
import sqlite3
from pathlib import Path

from tracker import db
from tracker.errors import InvalidInput, Problem, refuse
from tracker.store import Store


def _sqlite_only(store: Store, action: str) -> None:
    if store.engine.dialect.name != "sqlite":
        raise refuse("sqlite_only", {"action": action}, at="db")


def backup(store: Store, target: Path) -> None:
    """Copies the database to `target` while others keep writing, then checks the copy.

    Uses SQLite's online backup API, which copies a consistent snapshot; the file appears only
    once complete and checked.
    """
    _sqlite_only(store, "backup")
    if target.exists():
        raise refuse("file_exists", file=str(target))
    if not target.parent.is_dir():
        raise refuse("folder_missing", {"folder": target.parent}, file=str(target))
    partial = target.with_name(f".{target.name}.partial")
    try:
        copy = sqlite3.connect(partial)
        try:
            with store.engine.connect() as connection:
                connection.connection.driver_connection.backup(copy)
            problems = sqlite_file_problems(copy, str(target))
        finally:
            copy.close()
        if problems:
            raise InvalidInput(problems)
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise refuse("cannot_write", {"reason": str(exc)}, file=str(target)) from exc
    finally:
        partial.unlink(missing_ok=True)


def restore(store: Store, source: Path, *, force: bool = False) -> None:
    """Replaces the database with a backup, after checking the backup is sound.

    Refuses, unless `force`, to replace a database that holds recommendations or assessments.
    A backup from an older version is upgraded after it is put back.
    """
    _sqlite_only(store, "restore")
    if source.is_dir():
        raise refuse("is_folder", file=str(source))
    if not source.is_file():
        raise refuse("no_such_file", file=str(source))
    try:
        backup_file = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise refuse("cannot_open", {"reason": str(exc)}, file=str(source)) from exc
    try:
        problems = sqlite_file_problems(backup_file, source.name)
        if problems:
            raise InvalidInput(problems)
        store.upgrade()
        assessments, recommendations = store.count_assessments(), store.count_recommendations()
        if (assessments or recommendations) and not force:
            params = {"recommendations": recommendations, "assessments": assessments}
            raise refuse("holds_data", params, at="db")
        store.engine.dispose()
        with store.engine.connect() as connection:
            backup_file.backup(connection.connection.driver_connection)
        store.engine.dispose()
    finally:
        backup_file.close()
    store.upgrade()


def sqlite_file_problems(connection: sqlite3.Connection, name: str) -> list[Problem]:
    """What makes a SQLite file unfit to be the tracker's database: damage, or other content."""
    try:
        check = connection.execute("PRAGMA integrity_check").fetchall()
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        return [Problem("not_sqlite", params={"reason": str(exc)}, file=name)]
    if check != [("ok",)]:
        return [Problem("integrity_check", params={"reason": check[0][0]}, file=name)]
    missing = {"alembic_version", "recommendation", "assessment", "evidence"} - tables
    if missing:
        return [
            Problem(
                "not_tracker_database", params={"missing": ", ".join(sorted(missing))}, file=name
            )
        ]
    revisions = {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
    unknown = revisions - db.known_revisions()
    if unknown:
        return [Problem("backup_newer_schema", params={"revisions": ", ".join(unknown)}, file=name)]
    return []
