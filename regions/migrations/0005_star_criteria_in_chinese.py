"""The default star-rating criteria are named in the bureau's words only ("党建领航", not "党建领航 Party building leads").

Only a name still as 0002 seeded it is changed: a criterion the bureau renamed keeps its name.
"""

from django.db import migrations

RENAMES = {
    "party_building": ("党建领航 Party building leads", "党建领航"),
    "service": ("服务同心 Services in one heart", "服务同心"),
    "support": ("保障固基 Support and entitlements", "保障固基"),
    "honour": ("尊崇强军 Honour and support for the forces", "尊崇强军"),
}


def forwards(apps, schema_editor):
    StarCriterion = apps.get_model("regions", "StarCriterion")
    for code, (seeded, chinese) in RENAMES.items():
        StarCriterion.objects.filter(code=code, name=seeded).update(name=chinese)


def backwards(apps, schema_editor):
    StarCriterion = apps.get_model("regions", "StarCriterion")
    for code, (seeded, chinese) in RENAMES.items():
        StarCriterion.objects.filter(code=code, name=chinese).update(name=seeded)


class Migration(migrations.Migration):
    dependencies = [("regions", "0004_phones_encrypted")]
    operations = [migrations.RunPython(forwards, backwards)]
