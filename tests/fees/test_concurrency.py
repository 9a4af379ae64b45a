"""Two clerks collecting at once get gap-free, distinct receipt numbers (the series row is
locked). Real concurrent connections with row locks: PostgreSQL only."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection

from motcua.core.models import Role
from motcua.dossiers.services import dossier_receive
from motcua.fees.interchange import fees_import_text
from motcua.fees.models import Method, Payment
from motcua.fees.services import payment_collect
from tests.dossiers.conftest import citizen_applicant
from tests.dossiers.test_concurrency import run_together
from tests.fees.conftest import FEE_CSV, VERSION_FROM
from tests.world import MONDAY, local, staff_create, world_build

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent row locks need PostgreSQL"
    ),
]


def test_two_clerks_never_share_or_skip_a_receipt_number() -> None:
    world = world_build()
    world.procedure.valid_from = VERSION_FROM
    world.procedure.save(update_fields=["valid_from"])
    fees_import_text(FEE_CSV)
    second = staff_create("tiepnhan2", "Đỗ Minh Thư", world.center, Role.COUNTER_CLERK)
    with time_machine.travel(local(MONDAY, 9), tick=False):
        dossiers = [
            dossier_receive(
                procedure_version=world.procedure,
                applicant=citizen_applicant(),
                actor=world.clerk,
                receiving_unit=world.center,
            )
            for _ in range(12)
        ]

        def collect(clerk: object, batch: list[object]) -> list[int]:
            return [
                payment_collect(dossier=d, actor=clerk, method=Method.CASH).receipt_number or 0  # type: ignore[arg-type]
                for d in batch
            ]

        results = run_together(
            [lambda: collect(world.clerk, dossiers[:6]), lambda: collect(second, dossiers[6:])]
        )
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = sorted(n for batch in results for n in batch)
    assert numbers == list(range(1, 13))
    assert Payment.objects.count() == 12
