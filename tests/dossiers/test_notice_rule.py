"""The one recipient rule, over every dossier event: each event is driven through its
service with the applicant's contacts in each shape that matters, and the messages the
event queued go exactly where ``dossiers.notices`` says (module docstring): e-mail to the
applicant's address; one SMS to the applicant's mobile, else the representative's; nothing
for an unusable contact, the change done all the same; nothing at all for the events that
are not told.

Generated over the services and ``EventType``: a new service or a new event fails
``test_every_service_and_every_event_has_a_driver`` until it is driven here, so that nothing
can notify under another rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django import Settings

import motcua.dossiers.services as dossier_services
from motcua.dossiers.applicants import Applicant
from motcua.dossiers.classify import payment_last_day
from motcua.dossiers.models import Dossier, DossierPart, EventType, Status
from motcua.dossiers.notices import NOTICES, dossier_reference, notice_recipients
from motcua.dossiers.services import (
    PartFile,
    PartInput,
    TrackingReport,
    dossier_accept,
    dossier_complete,
    dossier_deliver,
    dossier_extend,
    dossier_finish,
    dossier_handover,
    dossier_part_digitise,
    dossier_payment_settle,
    dossier_postal_accept,
    dossier_postal_report,
    dossier_receive,
    dossier_receive_supplement,
    dossier_refuse,
    dossier_reject,
    dossier_reject_at_counter,
    dossier_request_completion,
    dossier_request_supplement,
    dossier_send_back,
    dossier_stop,
    dossier_submit,
    dossier_supplement_submit,
    dossier_withdraw,
    dossiers_stop_unpaid,
)
from motcua.fees.interchange import fees_import_text
from motcua.notify.models import Message
from motcua.notify.services import Recipient
from tests.dossiers.conftest import to_signing
from tests.fees.conftest import VERSION_FROM
from tests.fees.test_awaiting_payment import PAY_FIRST_CSV
from tests.world import MONDAY, World, local


@pytest.fixture(autouse=True)
def documents_dir(settings: Settings, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


Act = Callable[[], Dossier]
Setup = Callable[[World, Applicant], Act]

EMAIL = "binh@example.vn"
MOBILE = "0912345678"
LANDLINE = "02613123456"
REP_MOBILE = "0987654321"

# (applicant e-mail, applicant phone, representative phone) → where the messages go.
CONTACTS: dict[str, tuple[tuple[str, str, str], set[tuple[str, str]]]] = {
    "applicant e-mail and mobile": ((EMAIL, MOBILE, ""), {("email", EMAIL), ("sms", MOBILE)}),
    "representative too: one SMS, the applicant's": (
        (EMAIL, MOBILE, REP_MOBILE),
        {("email", EMAIL), ("sms", MOBILE)},
    ),
    "applicant landline: the representative's mobile": (
        ("", LANDLINE, REP_MOBILE),
        {("sms", REP_MOBILE)},
    ),
    "no applicant phone: the representative's mobile": (
        ("", "", REP_MOBILE),
        {("sms", REP_MOBILE)},
    ),
    "only a landline: nobody, the change still done": (("", LANDLINE, ""), set()),
}


def applicant(email: str, phone: str, rep_phone: str) -> Applicant:
    return Applicant(
        kind="citizen",
        name="Hoàng Văn Bình",
        id_number="066090001234",
        phone=phone,
        email=email,
        address="Gia Nghĩa, Đắk Nông",
        representative_name="Trần Thị Cúc" if rep_phone else "",
        representative_phone=rep_phone,
    )


# --- one driver per event: the setup brings a dossier to the state before the event and
# returns the act that records it --------------------------------------------------------


def _receive(w: World, a: Applicant) -> Dossier:
    return dossier_receive(
        procedure_version=w.procedure, applicant=a, actor=w.clerk, receiving_unit=w.center
    )


def _pay_first(w: World, a: Applicant) -> Dossier:
    """Received for a procedure whose fee is paid before processing (issue 17): it waits."""
    w.procedure.valid_from = VERSION_FROM
    w.procedure.save(update_fields=["valid_from"])
    fees_import_text(PAY_FIRST_CSV)
    return _receive(w, a)


def _submit(w: World, a: Applicant) -> Dossier:
    return dossier_submit(
        procedure_version=w.procedure, applicant=a, actor=w.citizen, owner=w.citizen
    )


def _appraised(w: World, a: Applicant) -> Dossier:
    d = _receive(w, a)
    dossier_handover(dossier=d, actor=w.clerk)
    return d


def _awaiting_supplement(w: World, a: Applicant) -> Dossier:
    d = _appraised(w, a)
    dossier_request_supplement(dossier=d, actor=w.specialist, items=["Ảnh"], reason="Mờ")
    return d


def _online_awaiting_supplement(w: World, a: Applicant) -> Dossier:
    d = _submit(w, a)
    dossier_accept(dossier=d, actor=w.clerk, receiving_unit=w.center)
    dossier_handover(dossier=d, actor=w.clerk)
    dossier_request_supplement(dossier=d, actor=w.specialist, items=["Ảnh"], reason="Mờ")
    return d


def _needs_completion(w: World, a: Applicant) -> Dossier:
    d = _submit(w, a)
    dossier_request_completion(dossier=d, actor=w.clerk, items=["Ảnh"], reason="Mờ")
    return d


def _at_signing(w: World, a: Applicant) -> Dossier:
    return to_signing(w, _receive(w, a))


def _result_ready(w: World, a: Applicant) -> Dossier:
    d = _at_signing(w, a)
    dossier_finish(dossier=d, actor=w.leader)
    return d


def _digitise(w: World, d: Dossier) -> None:
    """A paper part of ``d`` scanned later (into the documents storage of ``documents_dir``)."""
    part = DossierPart.objects.create(dossier=d, name="Bản vẽ", not_digitised_reason="Khổ A0")
    scan = PartFile(SimpleUploadedFile("s.pdf", b"%PDF-1.4 scan"), "application/pdf")
    dossier_part_digitise(dossier=d, actor=w.clerk, part=part, files=[scan])


def _stop_unpaid(d: Dossier) -> None:
    assert d.status == Status.AWAITING_PAYMENT and d.received_at is not None
    after = local(payment_last_day(d.received_at) + dt.timedelta(days=1), 8)
    with time_machine.travel(after, tick=False):
        assert dossiers_stop_unpaid() == [d]


def _then(d: Dossier, change: Callable[[Dossier], object]) -> Act:
    def act() -> Dossier:
        change(d)
        return d

    return act


def _reject_at_counter(channel: str) -> Setup:
    def setup(w: World, a: Applicant) -> Act:
        return lambda: dossier_reject_at_counter(
            procedure_version=w.procedure,
            applicant=a,
            actor=w.clerk,
            receiving_unit=w.center,
            reason="Thiếu giấy tờ",
            channel=channel,
        )

    return setup


# Each service that changes a dossier (and each way of a service that is told differently):
# the event it records, whether the applicant is told of it, and its driver.
DRIVERS: dict[str, tuple[EventType, bool, Setup]] = {
    "dossier_submit": (EventType.SUBMITTED, False, lambda w, a: lambda: _submit(w, a)),
    "dossier_request_completion": (
        EventType.COMPLETION_REQUESTED,
        True,
        lambda w, a: _then(
            _submit(w, a),
            lambda d: dossier_request_completion(dossier=d, actor=w.clerk, items=["A"], reason="B"),
        ),
    ),
    "dossier_complete": (
        EventType.COMPLETED,
        False,
        lambda w, a: _then(
            _needs_completion(w, a),
            lambda d: dossier_complete(dossier=d, actor=w.citizen, parts=[PartInput(name="Ảnh")]),
        ),
    ),
    "dossier_reject": (
        EventType.REJECTED,
        True,
        lambda w, a: _then(
            _submit(w, a), lambda d: dossier_reject(dossier=d, actor=w.clerk, reason="Sai")
        ),
    ),
    # Refused in front of the applicant, or posted back with the papers (form 03).
    "dossier_reject_at_counter": (EventType.REJECTED, False, _reject_at_counter("direct")),
    "dossier_reject_at_counter, by post": (
        EventType.REJECTED,
        False,
        _reject_at_counter("postal"),
    ),
    "dossier_receive": (EventType.RECEIVED, True, lambda w, a: lambda: _receive(w, a)),
    # A pay-first procedure: the receipt's last event asks for the fee (and says by when).
    "dossier_receive,pay_first": (
        EventType.PAYMENT_REQUESTED,
        True,
        lambda w, a: lambda: _pay_first(w, a),
    ),
    "dossier_payment_settle": (
        EventType.PAYMENT_SETTLED,
        True,
        lambda w, a: _then(
            _pay_first(w, a), lambda d: dossier_payment_settle(dossier=d, actor=w.clerk)
        ),
    ),
    "dossier_accept": (
        EventType.RECEIVED,
        True,
        lambda w, a: _then(_submit(w, a), lambda d: dossier_accept(dossier=d, actor=w.clerk)),
    ),
    "dossier_handover": (
        EventType.HANDOVER,
        False,
        lambda w, a: _then(_receive(w, a), lambda d: dossier_handover(dossier=d, actor=w.clerk)),
    ),
    "dossier_request_supplement": (
        EventType.SUPPLEMENT_REQUESTED,
        True,
        lambda w, a: _then(
            _appraised(w, a),
            lambda d: dossier_request_supplement(
                dossier=d, actor=w.specialist, items=["A"], reason="B"
            ),
        ),
    ),
    # Told: the clock stays stopped until the agency receives it (``dossiers.notices``).
    "dossier_supplement_submit": (
        EventType.SUPPLEMENT_SUBMITTED,
        True,
        lambda w, a: _then(
            _online_awaiting_supplement(w, a),
            lambda d: dossier_supplement_submit(
                dossier=d, actor=w.citizen, parts=[PartInput(name="Ảnh")]
            ),
        ),
    ),
    "dossier_receive_supplement": (
        EventType.SUPPLEMENT_RECEIVED,
        True,
        lambda w, a: _then(
            _awaiting_supplement(w, a),
            lambda d: dossier_receive_supplement(dossier=d, actor=w.clerk),
        ),
    ),
    "dossier_extend": (
        EventType.EXTENSION,
        True,
        lambda w, a: _then(
            _appraised(w, a),
            lambda d: dossier_extend(
                dossier=d,
                actor=w.leader,
                reason="Chờ xác minh",
                new_due_at=local(MONDAY + dt.timedelta(days=7), 17),
            ),
        ),
    ),
    "dossier_finish": (
        EventType.RESULT_READY,
        True,
        lambda w, a: _then(_at_signing(w, a), lambda d: dossier_finish(dossier=d, actor=w.leader)),
    ),
    # The leader does not sign: back to the proposer, a hand-over like any other.
    "dossier_send_back": (
        EventType.HANDOVER,
        False,
        lambda w, a: _then(
            _at_signing(w, a),
            lambda d: dossier_send_back(dossier=d, actor=w.leader, reason="Sửa dự thảo"),
        ),
    ),
    "dossier_refuse": (
        EventType.REFUSED,
        True,
        lambda w, a: _then(
            _appraised(w, a), lambda d: dossier_refuse(dossier=d, actor=w.leader, reason="Không")
        ),
    ),
    "dossier_part_digitise": (
        EventType.DIGITISED,
        False,
        lambda w, a: _then(_receive(w, a), lambda d: _digitise(w, d)),
    ),
    "dossier_withdraw": (
        EventType.WITHDRAWN,
        False,
        lambda w, a: _then(_receive(w, a), lambda d: dossier_withdraw(dossier=d, actor=w.clerk)),
    ),
    "dossier_stop": (
        EventType.STOPPED,
        True,
        lambda w, a: _then(
            _appraised(w, a), lambda d: dossier_stop(dossier=d, actor=w.leader, reason="Đề nghị")
        ),
    ),
    # Issue 17: a fee owed before processing not paid by the last day; the worker stops it.
    "dossier_stop,unpaid": (
        EventType.STOPPED,
        True,
        lambda w, a: _then(_pay_first(w, a), _stop_unpaid),
    ),
    "dossier_deliver": (
        EventType.RESULT_DELIVERED,
        False,
        lambda w, a: _then(
            _result_ready(w, a),
            lambda d: dossier_deliver(dossier=d, actor=w.clerk, channel="counter"),
        ),
    ),
    # The postal service's answers (dossiers.services.postal): recorded, not told.
    "dossier_postal_accept": (
        EventType.POSTAL_ORDERED,
        False,
        lambda w, a: _then(
            _result_ready(w, a),
            lambda d: dossier_postal_accept(
                dossier=d, tracking="EB100000000VN", order_ref="x-1", actor="Bưu chính"
            ),
        ),
    ),
    "dossier_postal_report": (
        EventType.DELIVERY_FAILED,
        False,
        lambda w, a: _then(
            _result_ready(w, a),
            lambda d: dossier_postal_report(
                dossier=d,
                actor="Bưu chính",
                report=TrackingReport(
                    status="returned", at=local(MONDAY, 10), tracking="EB100000000VN"
                ),
            ),
        ),
    ),
}
# Public names of the services module that change no dossier.
NOT_CHANGES = {
    "dossier_code_allocate",
    "dossier_secret_generate",
    "dossier_holder",
    "dossier_may_act",
    "dossier_form_issued",  # keeps a printed form as a document; the dossier is unchanged
    "dossier_postal_resend",  # queues a pickup order again; the dossier is unchanged
}


def test_every_service_and_every_event_has_a_driver() -> None:
    services = {n for n in dossier_services.__all__ if n.startswith("dossier_")} - NOT_CHANGES
    assert services == {name.split(",")[0] for name in DRIVERS}
    assert {event for event, _told, _setup in DRIVERS.values()} == set(EventType)
    assert set(NOTICES) <= set(EventType)
    # The table is not vacuous: the applicant's milestones are told.
    assert {EventType.RECEIVED, EventType.RESULT_READY, EventType.STOPPED} <= set(NOTICES)


@pytest.mark.parametrize("contacts", list(CONTACTS))
@pytest.mark.parametrize("service", list(DRIVERS))
def test_each_event_notifies_by_the_one_rule(
    world: World, traveller: time_machine.Traveller, service: str, contacts: str
) -> None:
    event, told, setup = DRIVERS[service]
    values, expected = CONTACTS[contacts]
    act = setup(world, applicant(*values))
    before = set(Message.objects.values_list("pk", flat=True))

    dossier = act()

    dossier.refresh_from_db()
    last = dossier.events.order_by("-at", "-pk").first()
    assert last is not None and last.type == event  # the driver did record this event
    queued = Message.objects.exclude(pk__in=before)
    if not told:
        assert not queued.exists()
        return
    assert {(m.channel, m.recipient) for m in queued} == expected
    assert {(m.kind, m.reference) for m in queued} <= {(event.value, dossier_reference(dossier))}
    assert set(notice_recipients(dossier)) == {Recipient(c, a) for c, a in expected}


@pytest.mark.parametrize(
    ("email", "phone", "rep_phone", "expected"),
    [
        ("not-an-address", MOBILE, "", {("sms", MOBILE)}),
        ("", "0912 345 67x", REP_MOBILE, {("sms", REP_MOBILE)}),
        ("", "+84 912 345 678", "", {("sms", MOBILE)}),
        (EMAIL, "", LANDLINE, {("email", EMAIL)}),
    ],
)
def test_unusable_contacts_from_an_import_are_skipped(
    email: str, phone: str, rep_phone: str, expected: set[tuple[str, str]]
) -> None:
    # The intake form refuses a malformed e-mail, but imported or older rows may hold one.
    dossier = Dossier(
        code="X", applicant_email=email, applicant_phone=phone, representative_phone=rep_phone
    )
    assert set(notice_recipients(dossier)) == {Recipient(c, a) for c, a in expected}


def test_a_dossier_with_no_usable_contact_still_changes(
    world: World, traveller: time_machine.Traveller
) -> None:
    dossier = _at_signing(world, applicant("", LANDLINE, ""))
    dossier_finish(dossier=dossier, actor=world.leader)
    assert dossier.status == Status.RESULT_READY
    assert not Message.objects.exists()
