"""The audit log's triggers come from the shared operation, on PostgreSQL and SQLite alike.

0002 installed a hand-written trigger on PostgreSQL only (a no-op on SQLite,
whose flush emptied tables with DELETE; ``core``'s ``flush`` now lifts the
triggers for that). This drops it and applies ``AppendOnly``; backwards, the
operation's triggers go and 0002's trigger comes back.
"""

from django.db import migrations

from core.append_only import AppendOnly
from core.db import PostgreSQLOnly

OLD_TRIGGER = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditentry is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""
DROP_OLD_TRIGGER = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [
        PostgreSQLOnly([DROP_OLD_TRIGGER], [OLD_TRIGGER]),
        AppendOnly("auditentry"),
    ]
