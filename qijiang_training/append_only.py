"""Tables whose rows are only ever added, enforced by the database itself.

Audit entries, workflow transitions, payments and ledger rows are never edited
or deleted (ARCHITECTURE.md; a correction is a new reversing row). A migration
declares such tables with :func:`append_only`: PostgreSQL then refuses UPDATE
and DELETE on every row; SQLite, the embedded default, refuses UPDATE (the test
runner empties SQLite tables with DELETE between transactional tests). TRUNCATE
stays possible for the database owner, which the application is not in production.
"""

from django.db import migrations


def append_only(*tables: str, message: str) -> migrations.RunPython:
    """A migration operation installing the refusing triggers on ``tables``."""

    def forward(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        for table in tables:
            if vendor == "postgresql":
                schema_editor.execute(
                    f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
                    f"BEGIN RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql;"
                )
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only();"
                )
            elif vendor == "sqlite":
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
                )

    def backward(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        for table in tables:
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_append_only();")
            elif vendor == "sqlite":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only;")

    return migrations.RunPython(forward, backward)
