"""One measured phase of the import benchmark, run in its own process so its peak memory is its own.

python -m bench.import_phase PHASE FILE USERNAME  → prints one JSON line.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laobing.settings_test")
import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from accounts.models import User  # noqa: E402
from core.imports import import_file, validate  # noqa: E402
from veterans.imports import REGISTER  # noqa: E402


def empty_registry() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE veterans_veteran, veterans_veterancategory, veterans_veteran_tags, veterans_veterannamegram, "
            "veterans_familymember RESTART IDENTITY CASCADE"  # and whatever later modules keep about a veteran
        )


def phase_validate(path: Path, user: User) -> int:
    result = validate(path, REGISTER, actor=user)
    assert result.ok, result.errors[:3]
    return result.total


def phase_commit(path: Path, user: User) -> int:
    empty_registry()
    result = import_file(path, REGISTER, actor=user, write=True, source={"file": path.name})
    assert result.committed, result.errors[:3]
    return result.counts["created"]


def phase_parse(path: Path, user: User) -> int:
    """Only calamine's reading of the file into Python lists: MEASURED.md's 213k rows/s, on this machine."""
    from python_calamine import CalamineWorkbook

    return len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()) - 1


def phase_floor(path: Path, user: User) -> int:
    """Parse with calamine and COPY the raw cells: no validation, no encryption. Nothing is faster."""
    from python_calamine import CalamineWorkbook

    table = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    width = len(table[0])
    with transaction.atomic(), connection.cursor() as cursor:
        cols = ", ".join(f"c{i} text" for i in range(width))
        cursor.execute(f"CREATE TEMP TABLE floor_rows ({cols}) ON COMMIT DROP")
        with cursor.cursor.copy("COPY floor_rows FROM STDIN") as copy:
            for row in table[1:]:
                copy.write_row([None if v is None else str(v) for v in row])
    return len(table) - 1


def _resource(tuned: bool):  # type: ignore[no-untyped-def]
    from import_export import fields, resources, widgets

    from veterans.models import Veteran
    from veterans.services import apply_data, id_lookup_hash, scope_regions
    from veterans.validation import clean_veteran

    regions = scope_regions(User.objects.get(username=sys.argv[3]))
    keys = {"姓名": "name", "身份证号": "id_number", "所属区划代码": "region_code", "入伍时间": "enlisted_on",
            "退役时间": "discharged_on", "退役方式": "discharge_type", "性别": "gender", "民族": "ethnicity",
            "联系电话": "phone", "军种": "branch", "政治面貌": "political_status", "入党时间": "party_joined_on",
            "文化程度": "education"}  # fmt: skip

    class HashWidget(widgets.CharWidget):
        def clean(self, value, row=None, **kwargs):  # type: ignore[no-untyped-def]
            return id_lookup_hash(str(value).strip().upper())

    class VeteranResource(resources.ModelResource):
        id_hash = fields.Field(attribute="id_hash", column_name="身份证号", widget=HashWidget())

        class Meta:
            model = Veteran
            fields = ("id_hash",)
            import_id_fields = ("id_hash",)
            use_bulk = tuned
            skip_diff = tuned
            force_init_instance = tuned
            batch_size = 2000

        def before_save_instance(self, instance, row, **kwargs):  # type: ignore[no-untyped-def]
            data = clean_veteran({keys[k]: v for k, v in row.items() if k in keys}, regions=regions)
            apply_data(instance, data)

    return VeteranResource()


def phase_iex(path: Path, user: User, tuned: bool) -> int:
    import tablib

    empty_registry()
    with path.open("rb") as handle:
        dataset = tablib.Dataset().load(handle.read(), format="xlsx")
    result = _resource(tuned).import_data(dataset, dry_run=False, raise_errors=True)
    return result.totals["new"]


def main() -> None:
    phase, path, username = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    user = User.objects.select_related("scope_region").get(username=username)
    started = time.perf_counter()
    if phase == "iex_plain":
        rows = phase_iex(path, user, False)
    elif phase == "iex_tuned":
        rows = phase_iex(path, user, True)
    else:
        phases = {"parse": phase_parse, "validate": phase_validate, "commit": phase_commit, "floor": phase_floor}
        rows = phases[phase](path, user)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"phase": phase, "rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds),
                      "peak_mb": round(peak)}))  # fmt: skip


if __name__ == "__main__":
    main()
