"""A 一件事 case's facts move from its case's JSON onto typed columns: the region, the tasks copied from the
template when it opened, and the statutory due date. The case keeps only the engine's own facts."""

import datetime as dt

from django.db import migrations, models

MOVED = ("tasks", "stage")


def forwards(apps, schema_editor):
    LifeCase = apps.get_model("cases", "LifeCase")
    for life in LifeCase.objects.select_related("case").iterator():
        case = life.case
        data = dict(case.data or {})
        dates = dict(data.get("dates") or {})
        due = dates.pop("statutory_due", None)
        life.region_code = case.region_code
        life.task_specs = data.get("tasks", [])
        life.statutory_due = dt.date.fromisoformat(due) if due else None
        life.save()
        case.data = {**{k: v for k, v in data.items() if k not in MOVED}, "dates": dates}
        case.save(update_fields=["data"])


def backwards(apps, schema_editor):
    LifeCase = apps.get_model("cases", "LifeCase")
    for life in LifeCase.objects.select_related("case").iterator():
        case = life.case
        data = dict(case.data or {})
        data["tasks"], data["stage"] = life.task_specs, life.stage
        if life.statutory_due:
            data.setdefault("dates", {})["statutory_due"] = life.statutory_due.isoformat()
        case.data = data
        case.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_seed_templates"), ("workflow", "0002_holidays_2026")]

    operations = [
        migrations.AlterField(
            model_name="lifecase",
            name="case",
            field=models.OneToOneField(
                on_delete=models.deletion.PROTECT, related_name="lifecase", to="workflow.case", verbose_name="case"
            ),
        ),
        migrations.AddField(
            model_name="lifecase",
            name="region_code",
            field=models.CharField(db_index=True, default="", max_length=15, verbose_name="region code"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="lifecase", name="task_specs", field=models.JSONField(default=list, verbose_name="tasks")
        ),
        migrations.AddField(
            model_name="lifecase",
            name="statutory_due",
            field=models.DateField(blank=True, null=True, verbose_name="statutory due date"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
