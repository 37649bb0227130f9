"""The contact frequencies the bureau starts from: 重点人员 monthly, 优抚对象 quarterly, everyone else yearly."""

from django.db import migrations

from care.seed import seed


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial"), ("veterans", "0002_seed_tags")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
