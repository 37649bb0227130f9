"""The 2026 holiday arrangement (国办发明电〔2025〕7号, published 2025-11-04): holidays and the weekends worked."""

import datetime as dt

from django.db import migrations

HOLIDAYS = [
    ("元旦", "2026-01-01", "2026-01-03", ["2026-01-04"]),
    ("春节", "2026-02-15", "2026-02-23", ["2026-02-14", "2026-02-28"]),
    ("清明节", "2026-04-04", "2026-04-06", []),
    ("劳动节", "2026-05-01", "2026-05-05", ["2026-05-09"]),
    ("端午节", "2026-06-19", "2026-06-21", []),
    ("中秋节", "2026-09-25", "2026-09-27", []),
    ("国庆节", "2026-10-01", "2026-10-07", ["2026-09-20", "2026-10-10"]),
]


def days(first: str, last: str) -> list[dt.date]:
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def seed(apps, schema_editor):
    Holiday = apps.get_model("workflow", "Holiday")
    for name, first, last, workdays in HOLIDAYS:
        for day in days(first, last):
            Holiday.objects.get_or_create(date=day, defaults={"kind": "holiday", "name": name})
        for day in workdays:
            Holiday.objects.get_or_create(date=dt.date.fromisoformat(day), defaults={"kind": "workday", "name": f"{name}调休"})


def unseed(apps, schema_editor):
    apps.get_model("workflow", "Holiday").objects.filter(date__year=2026).delete()


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
