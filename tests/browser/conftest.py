"""Playwright against Debian's Chromium (no browser download) and Django's live server.

Skipped when /usr/bin/chromium is missing, unless MOTCUA_REQUIRE_BROWSER=1 (CI), which turns
the absence into a failure."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.axe import assert_no_axe_violations
from tests.office.conftest import world  # noqa: F401 (the shared fixture world)

CHROMIUM = Path(os.environ.get("MOTCUA_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("MOTCUA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"MOTCUA_REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """Pages in separate contexts (one per user, like separate computers).

    Every page fails its test on a Content-Security-Policy violation: the browser only writes
    it to the console, and a blocked script or style otherwise breaks HTMX silently."""
    contexts: list[Any] = []
    violations: list[str] = []

    def make(width: int = 1280, height: int = 900) -> Any:
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            locale="vi-VN",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: _note_violation(violations, page, message.text))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


def _note_violation(violations: list[str], page: Any, text: str) -> None:
    if "Content Security Policy" in text:
        violations.append(f"{page.url}: {text}")


def shot(page: Any, name: str, *, allow_axe: tuple[str, ...] = ()) -> Path:
    """A full-page screenshot in tests/screenshots/, and axe-core's check of the page as
    shown: every page kind the browser tests show is checked."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if page.evaluate("document.contentType") == "text/html":  # not a PDF in the viewer
        assert_no_axe_violations(page, allow=allow_axe)
    return path
