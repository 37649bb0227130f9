"""A petition's facts move from its case's JSON onto typed columns: the region, who registered it, the unit it
was assigned to, the decision, the reply and the extension. The case keeps only the engine's own facts (its
dates and an approved extension's days)."""

from django.db import migrations, models

MOVED = ("registrar", "handler", "opinion", "reply", "extension_request", "level")


def forwards(apps, schema_editor):
    Petition = apps.get_model("petitions", "Petition")
    for petition in Petition.objects.select_related("case").iterator():
        case = petition.case
        data = dict(case.data or {})
        registrar = data.get("registrar") or {}
        handler = data.get("handler") or {}
        extension = data.get("extension_request") or {}
        petition.region_code = case.region_code
        petition.registrar_unit = registrar.get("unit", case.owner_code)
        petition.registrar_role = registrar.get("role", "city_staff")
        petition.handler_unit = handler.get("unit", "")
        petition.handler_department = handler.get("department", "")
        petition.handler_role = handler.get("role", "")
        petition.decision = data.get("opinion", "")
        petition.reply = data.get("reply", "")
        petition.extension_days = extension.get("days")
        petition.extension_reason = extension.get("reason", "")
        petition.extension_approved = extension.get("approved")
        petition.save()
        case.data = {k: v for k, v in data.items() if k not in MOVED}
        case.save(update_fields=["data"])


def backwards(apps, schema_editor):
    Petition = apps.get_model("petitions", "Petition")
    for petition in Petition.objects.select_related("case").iterator():
        case = petition.case
        data = dict(case.data or {})
        data["registrar"] = {"unit": petition.registrar_unit, "role": petition.registrar_role}
        if petition.handler_unit:
            data["handler"] = {
                "unit": petition.handler_unit,
                "department": petition.handler_department,
                "role": petition.handler_role,
            }
        if petition.decision:
            data["opinion"] = petition.decision
        if petition.reply:
            data["reply"] = petition.reply
        if petition.extension_days is not None:
            data["extension_request"] = {"days": petition.extension_days, "reason": petition.extension_reason}
            if petition.extension_approved is not None:
                data["extension_request"]["approved"] = petition.extension_approved
        if petition.level != "first":
            data["level"] = petition.level
        case.data = data
        case.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_initial"), ("workflow", "0002_holidays_2026")]

    operations = [
        migrations.AlterField(
            model_name="petition",
            name="case",
            field=models.OneToOneField(
                on_delete=models.deletion.PROTECT, related_name="petition", to="workflow.case", verbose_name="case"
            ),
        ),
        migrations.AddField(
            model_name="petition",
            name="region_code",
            field=models.CharField(db_index=True, default="", max_length=15, verbose_name="region code"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="petition",
            name="registrar_unit",
            field=models.CharField(default="", max_length=15, verbose_name="registered by (unit)"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="petition",
            name="registrar_role",
            field=models.CharField(default="", max_length=20, verbose_name="registered by (role)"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="petition",
            name="handler_unit",
            field=models.CharField(blank=True, max_length=15, verbose_name="responsible unit"),
        ),
        migrations.AddField(
            model_name="petition",
            name="handler_department",
            field=models.CharField(blank=True, max_length=20, verbose_name="responsible department"),
        ),
        migrations.AddField(
            model_name="petition",
            name="handler_role",
            field=models.CharField(blank=True, max_length=20, verbose_name="responsible role"),
        ),
        migrations.AddField(
            model_name="petition",
            name="decision",
            field=models.CharField(blank=True, max_length=15, verbose_name="decision"),
        ),
        migrations.AddField(
            model_name="petition", name="reply", field=models.TextField(blank=True, verbose_name="written reply")
        ),
        migrations.AddField(
            model_name="petition",
            name="extension_days",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="extension asked (days)"),
        ),
        migrations.AddField(
            model_name="petition",
            name="extension_reason",
            field=models.TextField(blank=True, verbose_name="reason for the extension"),
        ),
        migrations.AddField(
            model_name="petition",
            name="extension_approved",
            field=models.BooleanField(blank=True, null=True, verbose_name="extension approved"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AddConstraint(
            model_name="petition",
            constraint=models.CheckConstraint(
                condition=models.Q(extension_days__isnull=True)
                | models.Q(extension_days__gte=1, extension_days__lte=30),
                name="petition_extension_1_to_30_days",
            ),
        ),
    ]
