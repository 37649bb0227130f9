import core.crypto
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("regions", "0003_phones_as_text")]

    operations = [
        migrations.AlterField(
            model_name="station",
            name="phone",
            field=core.crypto.EncryptedTextField(blank=True, verbose_name="phone"),
        ),
        migrations.AlterField(
            model_name="gridleaderterm",
            name="leader_phone",
            field=core.crypto.EncryptedTextField(blank=True, verbose_name="leader phone"),
        ),
    ]
