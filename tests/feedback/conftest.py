"""The feedback world: the shared small province (tests/world.py) plus dossiers in the states
that matter for a rating, written straight with the ORM (their history is not under test)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator

import pytest
from django.core.cache import cache

from motcua.dossiers.models import Dossier, Status
from tests.world import World, world  # noqa: F401

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def dossier_make(
    w: World,
    *,
    status: str = Status.RESULT_READY,
    end_kind: str = "result",
    received: dt.datetime | None = None,
    ended: dt.datetime | None = None,
    channel: str = "direct",
    **kw: object,
) -> Dossier:
    n = next(_seq)
    received = received or dt.datetime(2026, 10, 5, 2, 0, tzinfo=dt.UTC)
    if end_kind and ended is None:
        ended = received + dt.timedelta(days=1)
    return Dossier.objects.create(
        code=f"000.00.19.H18-261005-{n:04d}",
        secret="ABCD2345",
        procedure_version=w.procedure,
        agency=w.justice,
        level=w.procedure.level,
        field=w.field,
        receiving_unit=w.center,
        channel=channel,
        applicant_kind="citizen",
        applicant_name="Nguyễn Văn Bình",
        applicant_phone="0987654321",
        status=status,
        received_at=received,
        ended_at=ended if end_kind else None,
        end_kind=end_kind,
        **kw,
    )
