"""The 抚恤补助 API (being written)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["benefits"])
