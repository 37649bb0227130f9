"""A veteran, a family member, an import job and an export job in a region, for the generated access test."""

from __future__ import annotations

import tempfile
from pathlib import Path

from accounts.testing import Network, sample
from core.models import ExportJob, ImportJob
from regions.models import Region
from veterans.imports import REGISTER
from veterans.models import FamilyMember, Veteran
from veterans.services import family_member_add
from veterans.tests.factories import register, valid_row, write_csv


@sample(Veteran)
def veteran_in(net: Network, region: Region) -> Veteran:
    return register(net.users["city_admin"], region, name="样本老兵")


@sample(FamilyMember)
def family_member_in(net: Network, region: Region) -> FamilyMember:
    """The spouse of a veteran in the region: seen by whoever sees the veteran."""
    veteran = veteran_in(net, region)
    member: FamilyMember = family_member_add(actor=net.users["city_admin"], veteran=veteran,
                                             raw={"relation": "spouse", "name": "王芳"})  # fmt: skip
    return member


@sample(ImportJob)
def import_job_in(net: Network, region: Region) -> ImportJob:
    """A checked upload of one veteran in the region, waiting for confirmation, with its report: the job of
    the town staff whose town holds the region, and only theirs to see."""
    user = net.users["town_staff" if region.code.startswith(net.danghu.prefix) else "other_town_staff"]
    folder = Path(tempfile.mkdtemp())
    stored = write_csv(folder / "upload.csv", [valid_row(region)])
    report = folder / "upload.report.xlsx"
    report.write_bytes(b"report")
    return ImportJob.objects.create(register=REGISTER.name, actor=user, file_name="退役军人.csv",
                                    stored_path=str(stored), sha256="0" * 64, status=ImportJob.Status.VALID,
                                    report_path=str(report))  # fmt: skip


@sample(ExportJob)
def export_job_in(net: Network, region: Region) -> ExportJob:
    """A finished export of the town staff whose town holds the region, and only theirs to download."""
    user = net.users["town_staff" if region.code.startswith(net.danghu.prefix) else "other_town_staff"]
    stored = Path(tempfile.mkdtemp()) / "export.csv"
    stored.write_text("\ufeff姓名\n", encoding="utf-8")
    return ExportJob.objects.create(register="veteran", actor=user, format="csv", status=ExportJob.Status.DONE,
                                    file_path=str(stored), total_rows=0)  # fmt: skip
