"""Grid leaders' and stations' phones are personal data: encrypt the plain values kept so far.

The column becomes text first (a ciphertext is longer than 20 characters) and the values are
encrypted in this migration's transaction; the next migration declares the encrypted field, in its
own transaction (PostgreSQL refuses to alter a table with updates pending in the same one)."""

from django.db import migrations, models

from core.crypto import decrypt_column, encrypt_column

FIELDS = [("station", "phone"), ("gridleaderterm", "leader_phone")]


def encrypt(apps, schema_editor):
    for model, field in FIELDS:
        encrypt_column(apps.get_model("regions", model), field)


def decrypt(apps, schema_editor):
    for model, field in FIELDS:
        decrypt_column(apps.get_model("regions", model), field)


class Migration(migrations.Migration):
    dependencies = [("regions", "0002_star_criteria")]

    operations = [
        migrations.AlterField(
            model_name="station", name="phone", field=models.TextField(blank=True, verbose_name="phone")
        ),
        migrations.AlterField(
            model_name="gridleaderterm",
            name="leader_phone",
            field=models.TextField(blank=True, verbose_name="leader phone"),
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
