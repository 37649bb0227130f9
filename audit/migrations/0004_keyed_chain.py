"""The audit chain is keyed from the next entry on (HMAC-SHA256 under settings.AUDIT_KEY).

The entries already written keep their plain SHA-256 hashes; the head records, signed with the key, the first
sequence number that is keyed. Rehashing the old entries would only bless whatever they hold now, and the
first keyed entry's HMAC covers the last plain hash, which protects them from then on (docs/audit.md).
"""

from typing import Any

from django.db import migrations, models


def mark_keyed_from(apps: Any, schema_editor: Any) -> None:
    from audit.chain import keyed_from_mac

    head_model = apps.get_model("audit", "AuditChainHead")
    for head in head_model.objects.using(schema_editor.connection.alias).all():
        head.keyed_from = head.last_seq + 1
        head.keyed_mac = keyed_from_mac(head.keyed_from)
        head.save(update_fields=["keyed_from", "keyed_mac"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_auditentry_append_only")]
    operations = [
        migrations.AddField("auditchainhead", "keyed_from", models.BigIntegerField(default=1)),
        migrations.AddField("auditchainhead", "keyed_mac", models.CharField(blank=True, default="", max_length=64)),
        migrations.RunPython(mark_keyed_from, migrations.RunPython.noop),
    ]
