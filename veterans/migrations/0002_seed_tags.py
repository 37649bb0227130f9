from django.db import migrations

TAGS = [("hardship", "困难"), ("key_person", "重点人员"), ("empty_nest", "空巢"), ("living_alone", "独居")]


def forwards(apps, schema_editor):
    Tag = apps.get_model("veterans", "Tag")
    for code, name in TAGS:
        Tag.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("veterans", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
