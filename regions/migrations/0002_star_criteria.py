"""Default star-rating criteria: the four pillars of the "四纲十目" station standard."""

from decimal import Decimal

from django.db import migrations

CRITERIA = [
    ("party_building", "党建领航 Party building leads", Decimal("20"), 1),
    ("service", "服务同心 Services in one heart", Decimal("30"), 2),
    ("support", "保障固基 Support and entitlements", Decimal("30"), 3),
    ("honour", "尊崇强军 Honour and support for the forces", Decimal("20"), 4),
]


def forwards(apps, schema_editor):
    StarCriterion = apps.get_model("regions", "StarCriterion")
    for code, name, max_score, order in CRITERIA:
        StarCriterion.objects.get_or_create(
            code=code, defaults={"name": name, "max_score": max_score, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
