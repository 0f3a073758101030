"""Alembic environment: runs migrations on the connection the tracker hands it.

`tracker.db.upgrade` opens that connection inside a locked write transaction, so migrations never
run twice at once. Run standalone (`alembic` with this folder as script location), it connects to
TRACKER_DB_URL or the default SQLite file.
"""

from alembic import context

from tracker.db import make_engine
from tracker.models import Base


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    with make_engine().begin() as own_connection:
        run(own_connection)
