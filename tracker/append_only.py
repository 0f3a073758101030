"""Triggers that make a table append-only in the database itself: rows are added, never changed.

Migrations call these builders, so that any table the tracker keeps as a record (assessments,
evidence, and later audit rows or milestone marks) gets the same protection in one call:

    for statement in append_only.create_statements(dialect, "audit", unique=("id",)):
        op.execute(statement)

On PostgreSQL, row triggers refuse UPDATE and DELETE (which also stops `INSERT ... ON CONFLICT DO
UPDATE` and `MERGE`) and a statement trigger refuses TRUNCATE. On SQLite, triggers refuse UPDATE
and DELETE, and a BEFORE INSERT trigger refuses a row that has the same value as a stored row in
any unique column: SQLite's REPLACE (`REPLACE INTO`, `INSERT OR REPLACE`) removes the stored row
without firing delete triggers, so the only way to keep it is to refuse the insert that collides.

Changing what these builders emit changes what later upgrades create for existing revisions;
do it only together with a new migration that re-creates the triggers.
"""

from collections.abc import Sequence

# PostgreSQL's trigger function, created by migration 0001 and shared by every append-only table.
REFUSE_FUNCTION = "tracker_refuse_change"


def create_statements(dialect: str, table: str, *, unique: Sequence[str]) -> list[str]:
    """The SQL that makes `table` append-only; `unique` names every column with unique values
    (the primary key first), whose collisions SQLite must refuse."""
    if dialect == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {REFUSE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {REFUSE_FUNCTION}()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {REFUSE_FUNCTION}()",
        ]
    return [
        *(
            f"CREATE TRIGGER {table}_append_only_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            for action in ("UPDATE", "DELETE")
        ),
        sqlite_insert_guard(table, unique),
    ]


def drop_statements(dialect: str, table: str) -> list[str]:
    """The SQL that undoes `create_statements` for `table` (PostgreSQL's shared function stays)."""
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER {table}_append_only ON {table}",
            f"DROP TRIGGER {table}_no_truncate ON {table}",
        ]
    return [
        f"DROP TRIGGER {table}_append_only_update",
        f"DROP TRIGGER {table}_append_only_delete",
        f"DROP TRIGGER {sqlite_insert_guard_name(table)}",
    ]


def sqlite_insert_guard_name(table: str) -> str:
    return f"{table}_append_only_insert"


def sqlite_insert_guard(table: str, unique: Sequence[str]) -> str:
    """A SQLite trigger refusing any insert into `table` that collides with a stored row on one of
    the `unique` columns, whatever conflict clause the statement carries.

    An integer primary key left for SQLite to assign reads as -1 in a BEFORE INSERT trigger; the
    tracker's ids start at 1, so such an insert never collides.
    """
    collides = " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} WHERE {column} = NEW.{column})" for column in unique
    )
    message = f"{table} is append-only: a stored row has the same {' or '.join(unique)}"
    return (
        f"CREATE TRIGGER {sqlite_insert_guard_name(table)} BEFORE INSERT ON {table} "
        f"WHEN {collides} BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )
