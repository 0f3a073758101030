"""Locks that keep concurrent writers from taking the same id or position on PostgreSQL.

They are advisory locks held to the end of the transaction, which any role may take: unlike
`LOCK TABLE` or `SELECT ... FOR UPDATE`, they need no UPDATE, DELETE or TRUNCATE privilege, so the
least-privileged role of the README can hold them. On SQLite every function here does nothing:
a write transaction there begins IMMEDIATE and so already has the file to itself.
"""

import zlib
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

# Any constants will do, as long as no two uses share one; the migration lock is in tracker.db.
ASSESSMENT_IDS_LOCK_KEY = 7_351_202_612
RECOMMENDATION_POSITIONS_LOCK_KEY = 7_351_202_613
# Per-recommendation locks use the two-number form: this space, and a hash of the id.
RECOMMENDATION_LOCK_SPACE = 7_351
# Per-submission locks likewise: this space, and a hash of the form's one-time token.
SUBMISSION_LOCK_SPACE = 7_352


def _on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def assessment_ids(session: Session, *, exclusive: bool) -> None:
    """Every writer of assessments takes this lock shared; a writer that brings its own ids takes
    it exclusive, so that between checking its ids are free and inserting them no other writer
    draws one of them from the sequence."""
    if _on_postgresql(session):
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        session.execute(text(f"SELECT {function}(:key)"), {"key": ASSESSMENT_IDS_LOCK_KEY})


def recommendation_positions(session: Session) -> None:
    """Held by whoever adds recommendations, which take positions after the largest one."""
    if _on_postgresql(session):
        lock = text("SELECT pg_advisory_xact_lock(:key)")
        session.execute(lock, {"key": RECOMMENDATION_POSITIONS_LOCK_KEY})


def recommendations(session: Session, rec_ids: Iterable[str]) -> None:
    """Held while a recommendation's assessments are appended and its derived rows recalculated.

    Taken in one order by everyone, so two writers never wait on each other; two ids that hash
    alike share a lock, which only makes their writers take turns.
    """
    if not _on_postgresql(session):
        return
    lock = text("SELECT pg_advisory_xact_lock(:space, :key)")
    for key in sorted({_lock_key(rec_id) for rec_id in rec_ids}):
        session.execute(lock, {"space": RECOMMENDATION_LOCK_SPACE, "key": key})


def submissions(session: Session, tokens: Iterable[str]) -> None:
    """Held while a form's submission is checked and stored, taken after the recommendations'
    locks: when the same submission reaches two servers at once, the second waits and then
    finds the first one's assessment instead of colliding with it on the unique index."""
    if not _on_postgresql(session):
        return
    lock = text("SELECT pg_advisory_xact_lock(:space, :key)")
    for key in sorted({_lock_key(token) for token in tokens}):
        session.execute(lock, {"space": SUBMISSION_LOCK_SPACE, "key": key})


def _lock_key(name: str) -> int:
    """A stable 32-bit signed number for the name, as PostgreSQL's two-number locks take."""
    return zlib.crc32(name.encode("utf-8")) - 2**31
