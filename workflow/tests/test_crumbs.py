"""The task page's "Tasks" crumb links to the inbox only for those who may open it (the auditor may not)."""

from __future__ import annotations

import pytest

from accounts.testing import Network
from petitions.tests.helpers import open_task, register_petition

pytestmark = pytest.mark.django_db

INBOX_LINK = 'href="/tasks/"'


def test_the_auditor_sees_the_crumb_as_text_not_a_link_to_a_page_refused_to_them(net: Network) -> None:
    task = open_task(register_petition(net), "accept")
    auditor = net.client("auditor")
    page = auditor.get(f"/tasks/{task.pk}/").content.decode()
    assert auditor.get("/tasks/").status_code == 403
    assert INBOX_LINK not in page
    assert '<p class="crumbs">待办</p>' in page


@pytest.mark.parametrize("role", ["town_staff", "city_admin"])
def test_who_may_open_the_inbox_gets_the_crumb_as_a_link(net: Network, role: str) -> None:
    task = open_task(register_petition(net), "accept")
    client = net.client(role)
    assert client.get("/tasks/").status_code == 200
    assert INBOX_LINK in client.get(f"/tasks/{task.pk}/").content.decode()
