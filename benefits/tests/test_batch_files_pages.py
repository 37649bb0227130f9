"""The batch page's bank buttons: the bank file downloaded (xlsx, CSV) and the bank's return file imported.

They run once ``benefits.bank`` (the bank file writer and return file reader) is there.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.testing import Network
from benefits.models import BatchState, LineOutcome
from benefits.tests.test_batch_pages import _act, _generate, _setup, _url

bank = pytest.importorskip("benefits.bank")

pytestmark = pytest.mark.django_db


def _approved(net: Network):  # type: ignore[no-untyped-def]
    _setup(net)
    batch = _generate(net)
    assert _act(net, "city_staff", batch, "checked").status_code == 302
    assert _act(net, "city_admin", batch, "approve").status_code == 302
    batch.refresh_from_db()
    return batch


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_bank_file_is_downloaded_and_the_batch_is_sent(net: Network, fmt: str) -> None:
    batch = _approved(net)
    url = f"/benefits/batches/{batch.case_id}/bank-file.{fmt}"
    assert net.client("auditor").get(url).status_code == 403
    assert net.client("town_staff").get(url).status_code == 403
    answer = net.client("city_staff").get(url)
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    assert answer["Content-Disposition"].startswith("attachment")
    assert answer.content
    batch.refresh_from_db()
    assert batch.state == BatchState.EXPORTED
    page = net.client("city_staff").get(_url(batch)).content.decode()
    assert 'id="return-file"' in page


def test_the_return_file_is_imported_from_the_page_once(net: Network) -> None:
    batch = _approved(net)
    client = net.client("city_staff")
    assert client.get(f"/benefits/batches/{batch.case_id}/bank-file.xlsx").status_code == 200
    batch.refresh_from_db()
    failed = batch.lines.filter(held_reason="").order_by("id").first()
    assert failed is not None and failed.reference
    content = bank.return_file_for(batch, {failed.reference: "户名不符"})
    url = f"/benefits/batches/{batch.case_id}/return-file/"

    def upload() -> dict[str, object]:
        return {"file": SimpleUploadedFile("回盘.xlsx", content)}

    assert net.client("auditor").post(url, upload()).status_code == 403
    done = client.post(url, upload(), follow=True)
    assert done.redirect_chain[-1][0] == _url(batch)
    assert LineOutcome.objects.filter(line__batch=batch, outcome="paid").count() == batch.line_count - 1
    assert LineOutcome.objects.get(outcome="failed").line_id == failed.pk
    batch.refresh_from_db()
    assert batch.state == BatchState.RECONCILED
    assert any("回盘文件" in str(m) for m in done.context["messages"])
    outcomes = {r.key: r.count for r in done.context["summary"].outcomes.rows}
    assert outcomes == {"paid": batch.line_count - 1, "failed": 1}
    again = client.post(url, upload(), follow=True)
    assert any("未作任何更改" in str(m) for m in again.context["messages"])
    assert LineOutcome.objects.filter(line__batch=batch).count() == batch.line_count


def test_a_file_that_is_not_a_return_file_is_refused_at_its_field(net: Network) -> None:
    batch = _approved(net)
    client = net.client("city_staff")
    client.get(f"/benefits/batches/{batch.case_id}/bank-file.csv")
    url = f"/benefits/batches/{batch.case_id}/return-file/"
    refused = client.post(url, {"file": SimpleUploadedFile("回盘.xlsx", b"not a spreadsheet")})
    assert refused.status_code == 400
    assert refused.context["return_form"].errors
    assert not LineOutcome.objects.exists()
