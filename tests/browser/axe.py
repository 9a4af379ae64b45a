"""axe-core in the browser tests: every page kind the tests visit is checked for WCAG 2.x A/AA
violations.

axe-core's ``axe.min.js`` comes from PyPI, bundled in ``axe-playwright-python`` (a dev
dependency), so ``make test`` downloads nothing but packages. The script is evaluated through
the DevTools protocol (``page.evaluate``), not added as a ``<script>`` tag: our
Content-Security-Policy forbids inline scripts, and the tests fail on any CSP violation."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

# The rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's own best practices (heading
# order, landmarks, one main, …).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@cache
def _axe_source() -> str:
    return files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source() + "\n;undefined")
    result: dict[str, Any] = page.evaluate(
        "async (tags) => await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    return list(result["violations"])


def _describe(violation: dict[str, Any]) -> str:
    nodes = "\n".join(
        f"    {node['target']}: {node.get('failureSummary', '').replace(chr(10), ' ')}"
        for node in violation["nodes"][:5]
    )
    return f"  {violation['id']} ({violation['impact']}): {violation['help']}\n{nodes}"


def assert_no_axe_violations(page: Any, *, allow: tuple[str, ...] = ()) -> None:
    """Fails the test with axe-core's findings when the page has any violation (but the
    rules in ``allow``, each with its reason at the caller)."""
    violations = [v for v in axe_violations(page) if v["id"] not in allow]
    assert not violations, (
        f"axe-core violations on {page.url}:\n"
        + "\n".join(_describe(v) for v in violations)
        + "\n"
        + json.dumps([v["id"] for v in violations])
    )
