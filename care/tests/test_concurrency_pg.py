"""On PostgreSQL: a phone that resends a visit while the first copy is still being stored gets one visit."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.testing import Network
from care.models import Need, Visit
from care.tests.helpers import seeded
from veterans.tests.factories import register as register_veteran


@pytest.mark.django_db(transaction=True)
def test_two_copies_of_a_visit_arriving_together_store_one(net: Network) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections need a server database")
    seeded()
    veteran = register_veteran(net.users["city_staff"], net.grid)
    body = {"veteran_id": veteran.pk, "visited_on": timezone.localdate().isoformat(), "mode": "phone",
            "needs": [{"category": "living", "description": "助餐"}]}  # fmt: skip
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def send() -> None:
        client = Client()
        client.force_login(net.users["grid_leader"])
        barrier.wait()
        try:
            response: Any = client.post("/api/v1/visits", body, content_type="application/json",
                                        headers={"Idempotency-Key": "offline-1"})  # fmt: skip
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 201]
    assert Visit.objects.count() == 1 and Need.objects.count() == 1
