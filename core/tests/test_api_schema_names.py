"""Every schema of the API has a name of its own.

The OpenAPI document names each schema by its class name, and a second class
of the same name silently takes the first one's place: the document then
describes one endpoint's answer with another endpoint's fields (a points
redemption "answered" with a fund entry's). So no two schema classes of the
project may share a name.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.urls import get_resolver
from pydantic import BaseModel


def _project_schemas() -> dict[str, set[str]]:
    get_resolver().url_patterns  # noqa: B018 — loads every module the API is built from
    root = Path(settings.BASE_DIR)
    ours = {c.name for c in apps.get_app_configs() if Path(c.path).parent == root}
    ours |= {"laobing"}
    seen: dict[str, set[str]] = defaultdict(set)
    todo = list(BaseModel.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in ours and "[" not in cls.__name__:
            seen[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    return seen


def test_no_two_schema_classes_share_a_name() -> None:
    seen = _project_schemas()
    assert len(seen) > 50, "the API's modules were not loaded"
    shared = {name: sorted(where) for name, where in seen.items() if len(where) > 1}
    assert shared == {}


def test_the_openapi_document_names_each_schema_once() -> None:
    from laobing.api import api

    components = api.get_openapi_schema()["components"]["schemas"]
    assert {"RedemptionIn", "FundEntryOut", "PointsLedgerRowOut", "ReversalIn"} <= set(components)
    assert "reward" in str(components["PointsLedgerRowOut"]) and "donor" in str(components["FundEntryOut"])
