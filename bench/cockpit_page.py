"""How long the cockpit's page takes in a browser: from the start of the navigation until every chart is drawn.

``render_seconds(base_url, login)`` opens ``/cockpit/`` (``region=`` an area within the user's) in headless
Chromium (Playwright driving the system's /usr/bin/chromium) ``loads`` times, after one load that warms the
browser's cache and the server, and answers the median. A load is done when static/js/cockpit.js marks
``<html data-charts-ready>`` (every chart's ECharts "finished" event has fired); its time is the page's own
``data-charts-ms`` (milliseconds since the navigation began, read by ``performance.now()`` at that moment), so the
polling adds nothing to it.

``login`` is either ``(username, password)`` (signed in through the login page) or the session's cookies as
Playwright takes them (``[{"name": "sessionid", "value": …, "url": base_url}]``).

Run against a server::

    .venv/bin/python -m bench.cockpit_page http://127.0.0.1:8000 city_staff 'password' [--region CODE] [--loads 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

READY = "html[data-charts-ready]"
#: a load that takes longer has failed
TIMEOUT_MS = 60_000


def _chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Chromium is not installed: apt-get install chromium fonts-wqy-microhei")
    return path


def _sign_in(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/?next=/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def _one_load(page: Any, url: str) -> float:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto(url, wait_until="commit")
    if response is None or response.status != 200:
        raise RuntimeError(f"{url} answered {response.status if response else 'nothing'}")
    page.wait_for_selector(READY, state="attached", timeout=TIMEOUT_MS)
    if errors:
        raise RuntimeError(f"{url}: {errors}")
    return float(page.evaluate("document.documentElement.getAttribute('data-charts-ms')")) / 1000


def render_seconds(
    base_url: str,
    cookies_or_login: Sequence[dict[str, Any]] | tuple[str, str],
    region: str = "",
    *,
    loads: int = 5,
    period: str = "",
    viewport: tuple[int, int] = (1280, 900),
) -> float:
    """The median seconds, over ``loads`` loads, from navigating to the cockpit until all its charts are drawn."""
    from playwright.sync_api import sync_playwright

    base_url = base_url.rstrip("/")
    query = urlencode({k: v for k, v in {"region": region, "period": period}.items() if v})
    url = f"{base_url}/cockpit/" + (f"?{query}" if query else "")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium(), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        )  # fmt: skip
        try:
            context = browser.new_context(locale="zh-CN", viewport={"width": viewport[0], "height": viewport[1]})
            page = context.new_page()
            if isinstance(cookies_or_login, tuple):
                _sign_in(page, base_url, *cookies_or_login)
            else:
                context.add_cookies([dict(c) for c in cookies_or_login])
            _one_load(page, url)  # warms the cache (ECharts is a megabyte) and the server
            times = []
            for _n in range(loads):
                fresh = context.new_page()
                times.append(_one_load(fresh, url))
                fresh.close()
            return statistics.median(times)
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Seconds until the cockpit's charts are drawn (median of loads).")
    parser.add_argument("base_url")
    parser.add_argument("username")
    parser.add_argument("password")
    parser.add_argument("--region", default="")
    parser.add_argument("--period", default="")
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args(argv)
    seconds = render_seconds(args.base_url, (args.username, args.password), args.region, loads=args.loads,
                             period=args.period)  # fmt: skip
    print(f"cockpit page{' ' + args.region if args.region else ''}: charts drawn in {seconds:.3f} s "
          f"(median of {args.loads})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
