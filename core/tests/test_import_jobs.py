"""An upload's import job through its services: upload, confirmation and expiry, each audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.testing import Network
from audit.models import AuditEntry
from core.import_jobs import import_job_confirm, import_job_create, purge_unconfirmed_uploads
from core.imports import REGISTERS
from core.models import ImportJob
from core.tests.test_imports import CRITERIA
from regions.models import StarCriterion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def criteria_register(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> None:
    monkeypatch.setitem(REGISTERS, CRITERIA.name, CRITERIA)
    settings.IMPORT_DIR = tmp_path / "imports"
    StarCriterion.objects.all().delete()


def upload(*rows: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("标准.csv", "\n".join(["代码,名称,满分", *rows]).encode())


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


def uploaded(net: Network, *rows: str, user: str = "city_admin") -> ImportJob:
    return import_job_create(actor=net.users[user], register=CRITERIA, upload=upload(*rows), on_duplicate="error")


def test_an_upload_is_kept_checked_and_audited(net: Network, settings: Any) -> None:
    job = uploaded(net, "a,服务阵地,20")

    job.refresh_from_db()  # the test queue runs the check at once
    assert (job.status, job.file_name, job.total_rows) == ("valid", "标准.csv", 1)
    assert Path(job.stored_path).parent == settings.IMPORT_DIR and Path(job.stored_path).exists()
    upload_entry, check = AuditEntry.objects.order_by("seq")
    assert (upload_entry.action, upload_entry.object_id, upload_entry.actor_id) == ("import.upload", str(job.pk),
                                                                                    job.actor_id)  # fmt: skip
    size = Path(job.stored_path).stat().st_size
    assert (upload_entry.after["register"], upload_entry.after["sha256"], upload_entry.after["size"]) == (
        "star_criterion", job.sha256, size)  # fmt: skip
    assert (check.action, check.object_id) == ("import.check", str(job.pk))
    assert (check.after["sha256"], check.after["rows"], check.after["status"]) == (job.sha256, 1, "valid")
    assert not StarCriterion.objects.exists()


def test_a_confirmed_job_is_written_once_and_each_step_audited(net: Network) -> None:
    job = uploaded(net, "a,服务阵地,20")

    confirmed = import_job_confirm(actor=net.users["city_admin"], job=job)
    again = import_job_confirm(actor=net.users["city_admin"], job=job)

    assert confirmed is not None and again is None
    job.refresh_from_db()
    assert job.status == "committed" and StarCriterion.objects.count() == 1
    assert actions() == ["import.upload", "import.check", "import.confirm", "star_criterion.import"]


def test_only_the_uploader_confirms_a_job(net: Network) -> None:
    job = uploaded(net, "a,服务阵地,20")
    other = net.users["city_staff"]
    other.role = net.users["city_admin"].role
    other.save()

    assert import_job_confirm(actor=other, job=job) is None
    job.refresh_from_db()
    assert job.status == "valid" and actions() == ["import.upload", "import.check"]


def test_a_job_with_errors_cannot_be_confirmed(net: Network) -> None:
    job = uploaded(net, "a,,20")

    assert import_job_confirm(actor=net.users["city_admin"], job=job) is None
    job.refresh_from_db()
    assert job.status == "invalid" and not Path(job.stored_path).exists()


def test_uploading_and_confirming_need_the_registers_capability(net: Network) -> None:
    with pytest.raises(PermissionDenied):
        uploaded(net, "a,服务阵地,20", user="town_staff")
    job = uploaded(net, "a,服务阵地,20")
    job.actor = net.users["town_staff"]

    with pytest.raises(PermissionDenied):
        import_job_confirm(actor=net.users["town_staff"], job=job)
    assert ImportJob.objects.count() == 1


def test_an_upload_that_is_not_kept_leaves_no_file(
    net: Network, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValidationError) as refused:
        import_job_create(actor=net.users["city_admin"], register=CRITERIA, upload=upload(), on_duplicate="merge")
    monkeypatch.setattr(ImportJob, "save", lambda *args, **kwargs: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        uploaded(net, "a,服务阵地,20")

    assert refused.value.error_dict["on_duplicate"][0].code == "bad_choice"
    assert not ImportJob.objects.exists() and list(settings.IMPORT_DIR.glob("*")) == []


def test_an_upload_never_confirmed_expires_and_the_expiry_is_audited(net: Network) -> None:
    job = uploaded(net, "a,服务阵地,20")
    ImportJob.objects.filter(pk=job.pk).update(updated_at=job.updated_at - dt.timedelta(hours=25))

    assert purge_unconfirmed_uploads() == 1
    assert purge_unconfirmed_uploads() == 0

    job.refresh_from_db()
    assert job.status == "failed" and not Path(job.stored_path).exists()
    assert actions() == ["import.upload", "import.check", "import.expire"]
