import core.crypto
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_phone_as_text")]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=core.crypto.EncryptedTextField(blank=True, verbose_name="phone"),
        ),
    ]
