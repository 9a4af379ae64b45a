"""The warm-up that `motcua serve` runs before forking its workers."""

from __future__ import annotations

import gc

import pytest

from motcua.core.warmup import warm_up


@pytest.mark.django_db
def test_every_step_succeeds() -> None:
    try:
        timings = warm_up()
    finally:
        gc.unfreeze()
    # A step that raised is logged and left out: each one must be here.
    assert set(timings) == {"urls", "translations", "templates", "pdf", "workdays", "dossiers"}
