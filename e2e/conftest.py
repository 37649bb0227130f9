"""Browser tests: Playwright driving the system's Chromium (no browser download)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "e2e"


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Chromium is not installed: apt-get install chromium (the CI script does this)")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread while the browser
    # is open; the ORM calls the database and live-server fixtures make around
    # it are still synchronous and safe. Set only while the browser lives.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch(sync_playwright)
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _launch(sync_playwright: object) -> Iterator[object]:
    with sync_playwright() as playwright:  # type: ignore[operator]
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def screenshot(page: object, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page: object) -> None:
    """The page fits the phone's width: nothing to scroll sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # type: ignore[attr-defined]


def until(page: object, expression: str, timeout: float = 15.0) -> None:
    """Wait until a JavaScript expression is true in the page, asking from here.

    ``page.wait_for_function`` polls inside the page with an ``eval``, which the site's Content-Security-Policy
    (``script-src 'self'``) refuses once the first try is false; ``page.evaluate`` goes through the browser's
    debugging protocol, which the policy does not govern."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.1)


@pytest.fixture
def phone(browser: object) -> Iterator[object]:
    """A page at a phone's width (390 px, touch), as the bureau's grid leaders use it."""
    context = browser.new_context(  # type: ignore[attr-defined]
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def pick(page: object, field: str, words: str, option: str) -> None:
    """Choose in a picker (core/pickers.py): type into the field's search box, then click the match named."""
    box = page.locator(f"#id_{field}")  # type: ignore[attr-defined]
    box.fill(words)
    page.locator(".picker-options li[data-value]", has_text=option).first.click()  # type: ignore[attr-defined]
    assert page.locator(f"input[type=hidden][name={field}]").input_value()  # type: ignore[attr-defined]


AXE = Path(__file__).resolve().parent.parent / "var" / "axe" / "axe.min.js"


def critical_violations(page: object) -> list[str]:
    """axe-core's check of the page as it stands: its critical violations (rule, and the elements at fault).

    axe is loaded through the debugging protocol (``page.evaluate``), which the site's Content-Security-Policy
    does not govern; ``make setup`` fetches it from the npm registry (``var/axe/``)."""
    if not AXE.exists():
        raise RuntimeError("axe-core is not installed: run make setup")
    if not page.evaluate("typeof window.axe !== 'undefined'"):  # type: ignore[attr-defined]
        page.evaluate(AXE.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    found: list[str] = page.evaluate(  # type: ignore[attr-defined]
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
        ".filter(v => v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))"
    )
    return found


#: the catalogs the migrations seed (case templates, programs, points items, holidays, star criteria, contact
#: frequencies, tags; the other data migrations change rows, and an empty database has none): a transactional
#: test empties the database after itself, and the next one that loads the demo seeds them again with the
#: migrations' own functions
SEEDS = [
    ("cases.migrations.0002_seed_templates", "seed"),
    ("benefits.programs", "seed"),
    ("points.seed", "seed"),
    ("workflow.migrations.0002_holidays_2026", "seed"),
    ("regions.migrations.0002_star_criteria", "forwards"),
    ("regions.migrations.0005_star_criteria_in_chinese", "forwards"),
    ("care.migrations.0002_seed_frequencies", "seed"),
    ("veterans.migrations.0002_seed_tags", "forwards"),
]


def seed_catalogs() -> None:
    import importlib

    from django.apps import apps

    for module, name in SEEDS:
        getattr(importlib.import_module(module), name)(apps, None)
