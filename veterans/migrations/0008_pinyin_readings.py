"""Names are read again (issue 10): a surname as a surname (卜 bu, 万俟 moqi), and the other readings of a
given name (王长春 as wcc and wzc) kept as search keys among the name's pieces, which grow to hold them."""

from django.db import migrations, models


def reindex(apps, schema_editor):
    from veterans.search import reindex_names

    reindex_names(apps.get_model("veterans", "Veteran"), apps.get_model("veterans", "VeteranNameGram"))


class Migration(migrations.Migration):
    dependencies = [("veterans", "0007_lighter_import")]

    operations = [
        migrations.AlterField(model_name="veterannamegram", name="gram", field=models.CharField(max_length=60)),
        migrations.RunPython(reindex, migrations.RunPython.noop),
    ]
