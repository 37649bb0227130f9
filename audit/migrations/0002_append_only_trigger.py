"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit log.

SQLite gets no trigger: Django's test flush empties tables with DELETE there,
and the hash chain still detects any change made behind the application's back.
"""

from django.db import migrations

from core.db import PostgreSQLOnly

CREATE = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditentry is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [PostgreSQLOnly([CREATE], [DROP])]
