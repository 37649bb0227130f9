"""Room in each page of the entitlements' table for the row a generation updates (``settled_through``, not
indexed): PostgreSQL then updates it in place (a HOT update), without a new index entry per index. A batch of
300,000 entitlements updates them all; the bench measured the update at 37.5 s with full pages, 7.5–11.6 s with
this room."""

from django.db import migrations

from core.db import PostgreSQLOnly


class Migration(migrations.Migration):
    dependencies = [("benefits", "0001_initial")]

    operations = [
        PostgreSQLOnly(
            ["ALTER TABLE benefits_entitlement SET (fillfactor = 70)"],
            reverse_sql=["ALTER TABLE benefits_entitlement RESET (fillfactor)"],
        )
    ]
