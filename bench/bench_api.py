"""Regions API in-process: GET /api/v1/regions, 100 a page, by bearer token, beside a bare view."""

from __future__ import annotations

import time

from django.test import Client

from accounts.testing import TEST_PASSWORD, UserFactory
from regions.demo import CITY_CODE, load_network
from regions.models import Region

N = 500


def run() -> None:
    load_network()
    town = Region.objects.get(code="330482001000")
    UserFactory(username="bench_town", role="town_staff", scope_region=town)
    UserFactory(username="bench_city", role="city_staff", scope_region=Region.objects.get(code=CITY_CODE))
    for username in ("bench_town", "bench_city"):
        token = (
            Client()
            .post(
                "/api/v1/auth/token",
                {"username": username, "password": TEST_PASSWORD},
                content_type="application/json",
            )
            .json()["token"]
        )
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert client.get("/api/v1/regions?limit=100").status_code == 200
        started = time.perf_counter()
        for _ in range(N):
            client.get("/api/v1/regions?limit=100&level=grid")
        rate = N / (time.perf_counter() - started)
        print(f"   {username}: GET /api/v1/regions?level=grid&limit=100 {rate:,.0f} req/s in-process")
    bare = Client()
    started = time.perf_counter()
    for _ in range(N):
        bare.get("/healthz")
    print(f"   baseline /healthz (one SELECT 1): {N / (time.perf_counter() - started):,.0f} req/s in-process")
