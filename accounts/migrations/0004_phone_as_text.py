"""A user's phone is personal data: encrypt the plain values kept so far (see regions 0003)."""

from django.db import migrations, models

from core.crypto import decrypt_column, encrypt_column


def encrypt(apps, schema_editor):
    encrypt_column(apps.get_model("accounts", "user"), "phone")


def decrypt(apps, schema_editor):
    decrypt_column(apps.get_model("accounts", "user"), "phone")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_username_unique_ignoring_case")]

    operations = [
        migrations.AlterField(model_name="user", name="phone", field=models.TextField(blank=True, verbose_name="phone")),
        migrations.RunPython(encrypt, decrypt),
    ]
