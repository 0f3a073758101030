"""Least privilege on PostgreSQL: what the role that the dashboard and command line use may do.

The tables belong to an owner role, which `init` and schema upgrades use (TRACKER_ADMIN_DB_URL).
The tracker's own role owns nothing, so it can neither drop nor disable the append-only triggers;
it may add to the history but never update, delete or truncate it, and it keeps only the derived
rows (current status, status per day) up to date. `grant_statements` gives the SQL, which the
README shows and the tests run, so that the two cannot drift apart.
"""

from sqlalchemy.dialects import postgresql

READ_AND_APPEND = ("SELECT", "INSERT")
# Every table the migrations create, and what the tracker's role may do with it.
TABLE_PRIVILEGES: dict[str, tuple[str, ...]] = {
    "alembic_version": ("SELECT",),  # read at every start, to see the schema is current
    "recommendation": READ_AND_APPEND,  # `recommendations import` adds a paper's
    "assessment": READ_AND_APPEND,
    "evidence": READ_AND_APPEND,
    "current_status": ("SELECT", "INSERT", "UPDATE", "DELETE"),
    "status_day": ("SELECT", "INSERT", "UPDATE", "DELETE"),
    "setting": ("SELECT",),  # only `demo` writes one, as the owner of a database of its own
}
SEQUENCE_PRIVILEGES: dict[str, tuple[str, ...]] = {
    # Imports keep their assessment ids and move the sequence past them (`setval`: UPDATE).
    "assessment_id_seq": ("USAGE", "UPDATE"),
    "evidence_id_seq": ("USAGE",),
}


def grant_statements(role: str, schema: str = "public") -> list[str]:
    """The SQL that gives `role` exactly the tracker's privileges on the tables in `schema`.

    Run by the tables' owner after `init` and after every upgrade that adds a table. Anything
    granted before is revoked first, so running it again changes nothing.
    """
    quote = postgresql.dialect().identifier_preparer.quote
    who, where = quote(role), quote(schema)
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {where} FROM {who};",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {where} FROM {who};",
        f"GRANT USAGE ON SCHEMA {where} TO {who};",
    ]
    for kind, privileges in (("TABLE", TABLE_PRIVILEGES), ("SEQUENCE", SEQUENCE_PRIVILEGES)):
        statements.extend(
            f"GRANT {', '.join(allowed)} ON {kind} {where}.{quote(name)} TO {who};"
            for name, allowed in privileges.items()
        )
    return statements
