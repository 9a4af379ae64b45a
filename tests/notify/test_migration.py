"""The migration that cut the outbox's foreign key to Dossier keeps what each message was
about, as the reference ``dossier:<code>``, and gives it back when reversed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from motcua.notify.models import Message
from tests.dossiers.test_notices import make_dossier

BEFORE = [("notify", "0001_initial")]
AFTER = [("notify", "0002_reference_not_dossier")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_a_messages_dossier_becomes_its_reference_and_back() -> None:
    dossier = make_dossier()
    try:
        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps.get_model("notify", "Message")
        about = old.objects.create(
            kind="received",
            channel="email",
            recipient="a@example.vn",
            body="x",
            dossier_id=dossier.pk,
        )
        general = old.objects.create(
            kind="generic", channel="sms", recipient="0912345678", body="y"
        )

        _migrate(AFTER)
        assert Message.objects.get(pk=about.pk).reference == f"dossier:{dossier.code}"
        assert Message.objects.get(pk=general.pk).reference == ""

        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps.get_model("notify", "Message")
        assert old.objects.get(pk=about.pk).dossier_id == dossier.pk
        assert old.objects.get(pk=general.pk).dossier_id is None
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
