"""What every ``motcua import …`` / ``motcua export …`` of an interchange file prints: an
import is all or nothing, so it either lists every problem (``FILE:LINE: column: problem``)
and says nothing was imported, or prints its summary; an export goes to a file or stdout."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from django.utils.translation import gettext as _


class ImportRefused(Protocol):
    issues: Sequence[object]


def import_report(
    source: str,
    run: Callable[[], tuple[int, int]],
    refused: type[Exception],
    summary: str,
) -> int:
    """Run ``run`` (an all-or-nothing import answering (written, unchanged)); on ``refused``
    print its issues and "nothing imported" (exit 1), else ``summary`` formatted with
    ``file``, ``written`` (also as ``changed``) and ``unchanged`` (exit 0)."""
    try:
        written, unchanged = run()
    except refused as exc:
        issues: Sequence[object] = getattr(exc, "issues", [])
        for issue in issues:
            print(issue, file=sys.stderr)
        print(
            _("%(file)s: %(n)s lỗi; không nhập gì.") % {"file": source, "n": len(issues)},
            file=sys.stderr,
        )
        return 1
    print(
        summary % {"file": source, "written": written, "changed": written, "unchanged": unchanged}
    )
    return 0


def export_write(command: str, text: str, output: str | None) -> int:
    """Write an export's ``text`` to ``output`` (stdout for none or "-"); an unwritable
    file is one precise line on stderr (exit 1)."""
    if output in (None, "-"):
        sys.stdout.write(text)
        return 0
    try:
        Path(str(output)).write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"motcua export {command}: {output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0
