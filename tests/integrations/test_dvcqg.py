"""The national portal (Cổng DVCQG) round trip against a local fake portal: pull online
submissions, push mapped statuses in order, retries, resend, the mapping, the QĐ 766 figure."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from pytest_django import Settings

from motcua.cli import main
from motcua.core.models import AuditEvent
from motcua.dossiers.models import Channel, Dossier, Status
from motcua.dossiers.services import (
    dossier_accept,
    dossier_handover,
    dossier_receive,
    dossier_withdraw,
)
from motcua.integrations.fake_dvcqg import FakePortalState
from motcua.integrations.models import (
    PortalPush,
    PortalStatus,
    PullCheckpoint,
    PullFailure,
    PullFailureStatus,
    PushStatus,
    StatusMapping,
)
from motcua.integrations.services import (
    portal_pull,
    portal_push_resend,
    portal_pushes_drain,
    status_mapping_set,
)
from motcua.notify.worker import jobs_discover, jobs_run_due
from motcua.reports.indicators import indicators_for_year
from tests.dossiers.conftest import citizen_applicant
from tests.world import MONDAY, World, local

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def submission(code: str, minute: int, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "submitted_at": local(MONDAY, 8, minute).isoformat(),
        "procedure": "1.001234",
        "applicant": {
            "kind": "citizen",
            "name": "Hoàng Văn Bình",
            "id_number": "066090001234",
            "phone": "0912345678",
        },
        **extra,
    }


def pulled(world: World, portal: FakePortalState, code: str = "G22.99-261005-0001") -> Dossier:
    portal.submissions.append(submission(code, 1))
    portal_pull()
    return Dossier.objects.get(external_source="dvcqg", external_ref=code)


def walk(world: World, dossier: Dossier) -> None:
    """Accepted (2), handed over (4), withdrawn at the applicant's request (7)."""
    dossier_accept(dossier=dossier, actor=world.clerk, receiving_unit=world.center)
    dossier_handover(dossier=dossier, actor=world.clerk)
    dossier_withdraw(dossier=dossier, actor=world.specialist)


# --- pull -------------------------------------------------------------------------------------


def test_pull_creates_each_submission_once_across_pages_and_pulls(
    world: World, portal: FakePortalState, traveller: time_machine.Traveller
) -> None:
    portal.submissions += [submission(f"G22-{n}", n) for n in range(1, 4)]  # 2 pages of 2

    first = portal_pull()

    assert len(first.created) == 3 and first.existing == [] and first.failed == {}
    dossiers = Dossier.objects.filter(external_source="dvcqg").order_by("external_ref")
    assert [d.external_ref for d in dossiers] == ["G22-1", "G22-2", "G22-3"]
    assert {(d.channel, d.status) for d in dossiers} == {(Channel.ONLINE, Status.SUBMITTED)}
    assert PullCheckpoint.objects.get().since == local(MONDAY, 8, 3)
    # The checkpoint is inclusive: the latest comes again and is recognised, not re-created.
    second = portal_pull()
    assert (second.created, second.existing) == ([], ["G22-3"])
    # Even from the very beginning, a second pull of the same dossiers creates nothing.
    PullCheckpoint.objects.all().delete()
    third = portal_pull()
    assert (third.created, sorted(third.existing)) == ([], ["G22-1", "G22-2", "G22-3"])
    assert Dossier.objects.count() == 3


def test_pull_keeps_the_checkpoint_at_a_submission_it_could_not_create(
    world: World, portal: FakePortalState, traveller: time_machine.Traveller
) -> None:
    portal.submissions += [
        submission("OK-1", 1),
        {**submission("BAD-2", 2), "procedure": "9.999999"},
        submission("OK-3", 3),
    ]

    report = portal_pull()

    assert sorted(report.failed) == ["BAD-2"] and "9.999999" in report.failed["BAD-2"]
    assert PullCheckpoint.objects.get().since == local(MONDAY, 8, 2)
    again = portal_pull()  # tried again, the others recognised
    assert list(again.failed) == ["BAD-2"] and again.existing == ["OK-3"]
    assert Dossier.objects.count() == 2


def test_a_malformed_submission_is_logged_and_holds_the_checkpoint_until_it_is_fixed(
    world: World, portal: FakePortalState, traveller: time_machine.Traveller
) -> None:
    bad = submission("BAD-2", 2)
    del bad["applicant"]
    portal.submissions += [submission("OK-1", 1), bad, submission("OK-3", 3)]

    report = portal_pull()

    assert list(report.failed) == ["BAD-2"] and "malformed" in report.failed["BAD-2"]
    assert PullCheckpoint.objects.get().since == local(MONDAY, 8, 2)  # not past it
    failure = PullFailure.objects.get()
    assert (failure.code, failure.status, failure.attempts) == (
        "BAD-2",
        PullFailureStatus.HOLDING,
        1,
    )
    assert failure.submitted_at == local(MONDAY, 8, 2) and "applicant" in failure.last_error
    # The portal corrects it: the next pull fetches it again and creates it.
    portal.submissions[1] = submission("BAD-2", 2)
    again = portal_pull()
    assert len(again.created) == 1 and again.failed == {}
    assert Dossier.objects.filter(external_ref="BAD-2").exists()
    failure.refresh_from_db()
    assert failure.status == PullFailureStatus.RESOLVED and failure.resolved_at is not None
    assert PullCheckpoint.objects.get().since == local(MONDAY, 8, 3)


def test_a_submission_failing_for_good_is_skipped_after_n_pulls_and_re_pulled_by_hand(
    world: World,
    portal: FakePortalState,
    traveller: time_machine.Traveller,
    settings: Settings,
    client: Client,
) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "NATIONAL_PORTAL_PULL_ATTEMPTS": "3"}
    portal.submissions += [
        {**submission("BAD-2", 2), "procedure": "9.999999"},
        submission("OK-3", 3),
    ]

    for _ in range(2):
        portal_pull()
        assert PullCheckpoint.objects.get().since == local(MONDAY, 8, 2)
    portal_pull()  # the third failure: given up, newer submissions go on
    assert PullCheckpoint.objects.get().since == local(MONDAY, 8, 3)
    failure = PullFailure.objects.get()
    assert (failure.status, failure.attempts) == (PullFailureStatus.SKIPPED, 3)
    portal.submissions.append(submission("OK-4", 4))
    later = portal_pull()
    assert later.failed == {} and len(later.created) == 1
    assert PullCheckpoint.objects.get().since == local(MONDAY, 8, 4)

    # Visible in the admin, and pulled again by hand once the catalogue has the procedure.
    client.force_login(world.admin)
    url = "/quan-tri/integrations/pullfailure/"
    page = client.get(url).content.decode()
    assert "BAD-2" in page and "9.999999" in page and "Đã bỏ qua" in page
    response = client.post(url, {"action": "repull", "_selected_action": [failure.pk]}, follow=True)
    assert "Đã đưa 1 hồ sơ vào lần lấy tới." in response.content.decode()
    assert PullCheckpoint.objects.get().since == local(MONDAY, 8, 2)
    assert AuditEvent.objects.filter(action="dvcqg.repull", data__code="BAD-2").exists()
    portal.submissions[0]["procedure"] = "1.001234"
    fixed = portal_pull()
    assert fixed.failed == {} and len(fixed.created) == 1
    assert sorted(Dossier.objects.values_list("external_ref", flat=True)) == [
        "BAD-2",
        "OK-3",
        "OK-4",
    ]
    failure.refresh_from_db()
    assert failure.status == PullFailureStatus.RESOLVED


def test_pull_downloads_part_files_from_the_portal_only(
    world: World, portal: FakePortalState, traveller: time_machine.Traveller
) -> None:
    portal.files["to-khai.png"] = PNG
    portal.submissions += [
        submission(
            "F-1", 1, parts=[{"part": None, "name": "Tờ khai", "url": "/files/to-khai.png"}]
        ),
        submission("F-2", 2, parts=[{"name": "Ảnh", "url": "http://127.0.0.2:1/x.png"}]),
    ]

    report = portal_pull()

    dossier = Dossier.objects.get(external_ref="F-1")
    part = dossier.parts.get()
    document = part.documents.get()
    assert part.name == "Tờ khai" and document.content_type == "image/png"
    # A link to another host is not followed (the token would go with it).
    assert list(report.failed) == ["F-2"] and "outside the portal" in report.failed["F-2"]


def test_pull_with_a_wrong_token_creates_nothing_and_keeps_the_checkpoint(
    world: World, portal: FakePortalState, traveller: time_machine.Traveller
) -> None:
    portal.submissions.append(submission("T-1", 1))
    portal.token = "another"
    assert main(["dvcqg", "pull"]) == 1
    assert not Dossier.objects.exists()
    assert PullCheckpoint.objects.filter(since__isnull=False).count() == 0


# --- push -------------------------------------------------------------------------------------


def test_push_sends_the_mapped_statuses_in_order(
    world: World, portal: FakePortalState, traveller: time_machine.Traveller
) -> None:
    dossier = pulled(world, portal)
    walk(world, dossier)
    assert portal.statuses == []  # queued, not sent, until the worker's turn

    report = portal_pushes_drain()

    assert report.sent == 4
    assert portal.statuses_of("G22.99-261005-0001") == [1, 2, 4, 7]
    first = portal.statuses[0][1]
    assert first["local_code"] == dossier.code and first["status_name"] == "Mới đăng ký"
    assert [body["sequence"] for _code, body in portal.statuses] == sorted(
        body["sequence"] for _code, body in portal.statuses
    )
    assert set(PortalPush.objects.values_list("status", flat=True)) == {PushStatus.SENT}
    assert not PortalPush.objects.filter(sent_at__isnull=True).exists()


def test_only_the_portals_dossiers_are_pushed_unless_all_are_synchronised(
    world: World, portal: FakePortalState, traveller: time_machine.Traveller, settings: Settings
) -> None:
    def counter() -> Dossier:
        return dossier_receive(
            procedure_version=world.procedure,
            applicant=citizen_applicant(),
            actor=world.clerk,
            receiving_unit=world.center,
        )

    alone = counter()
    assert not PortalPush.objects.exists()
    settings.MOTCUA = {**settings.MOTCUA, "NATIONAL_PORTAL_SYNC_ALL": True}
    synced = counter()
    portal_pushes_drain()
    assert portal.statuses_of(synced.code) == [PortalStatus.ACCEPTED]
    assert portal.statuses_of(alone.code) == []


def test_a_rolled_back_change_queues_nothing(
    world: World, portal: FakePortalState, traveller: time_machine.Traveller
) -> None:
    dossier = pulled(world, portal)
    with pytest.raises(RuntimeError), transaction.atomic():
        dossier_accept(dossier=dossier, actor=world.clerk, receiving_unit=world.center)
        raise RuntimeError
    assert list(PortalPush.objects.values_list("portal_status", flat=True)) == [1]


def test_portal_down_is_retried_with_back_off_in_order_then_delivered(
    world: World, portal: FakePortalState, traveller: time_machine.Traveller
) -> None:
    dossier = pulled(world, portal)
    walk(world, dossier)
    portal.down = True

    report = portal_pushes_drain()

    # Only the dossier's first status was tried: the later ones wait behind it.
    assert (report.sent, report.retrying) == (0, 1)
    rows = list(PortalPush.objects.order_by("id"))
    assert [r.attempts for r in rows] == [1, 0, 0, 0]
    assert "503" in rows[0].last_error and rows[0].status == PushStatus.PENDING
    portal.down = False
    assert portal_pushes_drain().sent == 0  # not due before its back-off
    traveller.shift(dt.timedelta(minutes=2))

    assert portal_pushes_drain().sent == 4
    assert portal.statuses_of(dossier.external_ref) == [1, 2, 4, 7]
    oldest = PortalPush.objects.order_by("id").first()
    assert oldest is not None
    assert oldest.attempts == 2


def test_a_refused_status_fails_for_good_and_is_resent_by_hand(
    world: World, portal: FakePortalState, traveller: time_machine.Traveller
) -> None:
    dossier = pulled(world, portal)
    portal.token = "rotated"  # 401: the same request cannot succeed by retrying

    assert main(["dvcqg", "push"]) == 1
    push = PortalPush.objects.get()
    assert (push.status, push.attempts) == (PushStatus.FAILED, 1) and "401" in push.last_error
    portal.token = "test-token"
    assert portal_push_resend(pushes=[push], actor=world.admin) == 1
    assert main(["dvcqg", "push"]) == 0
    assert portal.statuses_of(dossier.external_ref) == [1]
    push.refresh_from_db()
    assert push.status == PushStatus.SENT and push.sent_at is not None


def test_editing_the_mapping_changes_what_is_sent(
    world: World, portal: FakePortalState, traveller: time_machine.Traveller
) -> None:
    handover = StatusMapping.objects.get(event_type="handover")
    withdrawn = StatusMapping.objects.get(event_type="withdrawn")
    status_mapping_set(mapping=handover, portal_status=None, actor=world.admin)
    status_mapping_set(mapping=withdrawn, portal_status=PortalStatus.STOPPED, actor=world.admin)
    dossier = pulled(world, portal)
    walk(world, dossier)

    portal_pushes_drain()

    assert portal.statuses_of(dossier.external_ref) == [1, 2, 8]


def test_the_worker_pulls_and_pushes_on_its_schedule(
    world: World, portal: FakePortalState, traveller: time_machine.Traveller
) -> None:
    portal.submissions.append(submission("W-1", 1))
    jobs_discover()
    # An earlier test may have imported the jobs module into its own registry (they isolate
    # ``worker.JOBS``): import it afresh into the worker's.
    importlib.reload(importlib.import_module("motcua.integrations.jobs"))
    ran = jobs_run_due()
    assert {"dvcqg_pull", "dvcqg_push"} <= set(ran)
    assert Dossier.objects.filter(external_ref="W-1").exists()
    traveller.shift(dt.timedelta(minutes=1))
    jobs_run_due()
    assert portal.statuses_of("W-1") == [1]


def test_status_command_reports_the_queue(
    world: World,
    portal: FakePortalState,
    traveller: time_machine.Traveller,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pulled(world, portal)
    capsys.readouterr()
    assert main(["dvcqg", "status"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["configured"] is True and out["push"]["pending"] == 1
    assert out["pull_last_report"]["created"] == 1


# --- the QĐ 766 figure ----------------------------------------------------------------------


def test_synced_indicator_counts_only_dossiers_whose_latest_status_was_accepted(
    world: World, portal: FakePortalState, traveller: time_machine.Traveller, settings: Settings
) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "NATIONAL_PORTAL_SYNC_ALL": True}

    def counter() -> Dossier:
        return dossier_receive(
            procedure_version=world.procedure,
            applicant=citizen_applicant(),
            actor=world.clerk,
            receiving_unit=world.center,
        )

    synced, later_failed = counter(), counter()
    portal_pushes_drain()  # both "accepted" reach the portal
    dossier_handover(dossier=later_failed, actor=world.clerk)
    portal.token = "rotated"
    portal_pushes_drain()  # its latest status is refused
    portal.token = "test-token"
    counter()  # never pushed yet

    result = indicators_for_year(year=2026, date_to=MONDAY)
    items = {i["code"]: i for g in result["qd766"]["groups"] for i in g["indicators"]}
    synced_figure = items["transparency.synced"]
    assert (synced_figure["numerator"], synced_figure["denominator"]) == (1, 3)
    assert synced.portal_pushes.get().status == PushStatus.SENT


# --- the admin ------------------------------------------------------------------------------


def test_sync_log_in_the_admin_lists_and_resends(
    world: World, portal: FakePortalState, traveller: time_machine.Traveller, client: Client
) -> None:
    dossier = pulled(world, portal)
    portal.token = "rotated"
    portal_pushes_drain()
    push = PortalPush.objects.get()
    client.force_login(world.admin)
    url = "/quan-tri/integrations/portalpush/"

    page = client.get(url).content.decode()
    assert dossier.code in page and "Mới đăng ký" in page and "HTTP 401" in page
    response = client.post(url, {"action": "resend", "_selected_action": [push.pk]}, follow=True)
    assert "Đã đưa 1 trạng thái vào hàng đợi gửi lại." in response.content.decode()
    push.refresh_from_db()
    assert (push.status, push.attempts, push.last_error) == (PushStatus.PENDING, 0, "")
    assert AuditEvent.objects.filter(action="dvcqg.resend", object_id=dossier.code).exists()


def test_mapping_is_edited_in_the_admin_and_audited(world: World, client: Client) -> None:
    mapping = StatusMapping.objects.get(event_type="refused")
    client.force_login(world.admin)
    url = f"/quan-tri/integrations/statusmapping/{mapping.pk}/change/"
    assert client.post(url, {"portal_status": "8"}).status_code == 302
    mapping.refresh_from_db()
    assert mapping.portal_status == PortalStatus.STOPPED
    audit = AuditEvent.objects.get(action="dvcqg.mapping", object_id="refused")
    assert audit.data == {"from": 9, "to": 8}
