"""Status changes of training classes are append-only in the database itself.

PostgreSQL refuses UPDATE and DELETE on every row; SQLite (the embedded default)
refuses UPDATE, as for the audit trail (accounts 0003).
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION programs_classtransition_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '培训班状态变更记录只能追加，不能修改或删除';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER programs_classtransition_no_update BEFORE UPDATE OR DELETE ON programs_trainingclasstransition
    FOR EACH ROW EXECUTE FUNCTION programs_classtransition_append_only();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS programs_classtransition_no_update ON programs_trainingclasstransition;
DROP FUNCTION IF EXISTS programs_classtransition_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER programs_classtransition_no_update BEFORE UPDATE ON programs_trainingclasstransition
BEGIN SELECT RAISE(ABORT, '培训班状态变更记录只能追加，不能修改或删除'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS programs_classtransition_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("programs", "0003_catalog_rules_class_transitions")]
    operations = [migrations.RunPython(forward, backward)]
