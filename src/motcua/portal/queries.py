"""Reads of the portal: where to submit, the public lookup, and a dossier's story told to
the holder of its receipt."""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency, AgencyContact
from motcua.agencies.queries import PublicHeader, public_header_on
from motcua.agencies.units import unit_name
from motcua.catalog.models import DurationUnit, ProcedureVersion
from motcua.core.dbrouter import read_alias
from motcua.core.documents import vn_quantity
from motcua.core.formatting import vn_date, vn_int
from motcua.core.people import person_name
from motcua.core.prepared import prepared_cursor
from motcua.dossiers.intake_points import receiving_points
from motcua.dossiers.models import CLOCK_PAUSED_STATUSES, Dossier, DossierEvent, EventType, Status
from motcua.dossiers.queries import dossier_code_forms, dossier_pay_by
from motcua.portal.models import CitizenIdentity

# A new hotline or a reorganisation shows in the header within this many seconds.
HEADER_SECONDS = 300

# Compared against when the code matches nothing, so that a guessed code costs the same
# work as a wrong secret (domain.md §12: the lookup says nothing about a code's existence).
_DUMMY_SECRET = "XXXXXXXX"


def fee_display(amount: int) -> str:
    """200000 -> '200.000 đồng'; 0 -> 'Không thu phí, lệ phí'."""
    if not amount:
        return _("Không thu phí, lệ phí")
    return _("%(amount)s đồng") % {"amount": vn_int(amount)}


def duration_display(version: ProcedureVersion) -> str:
    """'10 ngày làm việc', '4 giờ làm việc', 'Trong ngày' for 0 working days."""
    if version.duration == 0 and version.unit == DurationUnit.WORKING_DAYS:
        return _("Trong ngày làm việc")
    return f"{vn_quantity(version.duration)} {DurationUnit(version.unit).label}"


def submission_places(version: ProcedureVersion, day: dt.date | None = None) -> list[Agency]:
    """Where the applicant hands in a dossier: the one-stop points (Trung tâm PVHCC / Bộ phận
    Một cửa) that may receive the procedure (``dossiers.intake_points``: its committee's at
    its level, and every one of the province for a procedure on the boundary-free list), the
    competent committee's first; when the procedure is not handled one-stop, or no point
    exists, the agency itself."""
    day = day or timezone.localdate()
    if version.one_stop:
        points = receiving_points(version, day)
        if points:
            return points
    return [version.agency]


def citizen_contact(user: User) -> dict[str, str]:
    """What a signed-in citizen's forms are prefilled with: name, e-mail and the phone they
    registered with (an account's phone is its sign-in identifier)."""
    phone = (
        CitizenIdentity.objects.filter(user=user, provider="local")
        .exclude(subject__contains="@")
        .values_list("subject", flat=True)
        .first()
    )
    return {
        "name": person_name(user) if (user.first_name or user.last_name) else "",
        "email": user.email,
        "phone": phone or "",
    }


@dataclass(frozen=True)
class Place:
    """A place of submission with how to reach it (no contact recorded: None)."""

    agency: Agency
    contact: AgencyContact | None


def submission_places_with_contacts(
    version: ProcedureVersion, day: dt.date | None = None
) -> list[Place]:
    """``submission_places`` with each place's address, hours and phones (one query more)."""
    places = submission_places(version, day)
    contacts = {
        c.agency_id: c for c in AgencyContact.objects.filter(agency__in=[p.pk for p in places])
    }
    return [Place(agency, contacts.get(agency.pk)) for agency in places]


def mask_name(name: str) -> str:
    """'Nguyễn Văn An' -> 'Nguyễn V. A.': enough for the holder to recognise, too little
    for anyone else to identify."""
    words = name.split()
    if not words:
        return ""
    return " ".join([words[0], *(f"{w[0].upper()}." for w in words[1:])])


# What the public lookup reads: the page (status_facts.html, the timeline, the rating link)
# and dossier_public_status. Nothing else of the dossier is read: no other personal data can
# reach the page.
PUBLIC_FIELDS = (
    "id",
    "code",
    "secret",
    "status",
    "applicant_name",
    "current_unit__name",
    "current_unit_label",
    "due_at",
    "extended_due_at",
    "ended_at",
    "procedure_version__name",
    "agency__name",
    "receiving_unit__name",
)


@dataclass(frozen=True)
class Named:
    name: str


@dataclass(frozen=True)
class PublicDossier:
    """The public fields of a dossier, shaped as the templates and ``dossier_public_status``
    read a ``Dossier`` (``dossier.procedure_version.name``, ``dossier.agency.name``)."""

    pk: int
    code: str
    secret: str
    status: str
    applicant_name: str
    current_unit_name: str
    due_at: dt.datetime | None
    extended_due_at: dt.datetime | None
    ended_at: dt.datetime | None
    procedure_version: Named
    agency: Named
    receiving_unit: Named | None


def _compiled(queryset: QuerySet[Any], *placeholders: object) -> str:
    """The SQL of ``queryset``, whose parameters are ``placeholders``, for the default
    database. The queryset stays the source of truth for tables, joins and quoting."""
    sql, params = queryset.query.sql_with_params()
    if list(params) != list(placeholders):
        raise AssertionError(f"expected {placeholders!r}, got {params!r}")
    return str(sql)


# The two reads of the public lookup, compiled once per database engine: building the SQL
# from a queryset (resolving joins, selecting columns) cost more CPU than running it, on the
# page that has to stay fast under load.
@functools.cache
def _lookup_sql(vendor: str) -> tuple[str, str]:
    # The code as typed and upper-cased (dossiers.queries.dossier_code_forms); "-code"
    # puts an exact lower-case match of an imported code before its upper-cased twin.
    dossier = _compiled(
        Dossier.objects.filter(code__in=["?", "??"]).order_by("-code").values_list(*PUBLIC_FIELDS),
        "?",
        "??",
    )
    events = _compiled(
        DossierEvent.objects.filter(dossier_id=0)
        .order_by("at", "id")
        .values_list("type", "at", "data"),
        0,
    )
    return dossier, events


@contextmanager
def _cursor() -> Iterator[Any]:
    """A cursor for the lookup's two statements, on the database of lag-tolerant reads
    (``core.dbrouter.read_alias``: a replica inside ``reads_from_replica``).

    On PostgreSQL they are prepared once per connection (``core.prepared``): PostgreSQL
    planned the four-table join on every lookup, 0.3 ms of its CPU, more than running it."""
    with prepared_cursor(read_alias()) as cursor:
        yield cursor


def _aware(value: dt.datetime) -> dt.datetime:
    # Django keeps datetimes in UTC; SQLite hands them back without a time zone.
    return value.replace(tzinfo=dt.UTC) if timezone.is_naive(value) else value


def _aware_or_none(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else _aware(value)


def dossier_public_lookup(code: str, secret: str) -> PublicDossier | None:
    """The dossier whose code and secret both match, or None.

    A missing code and a wrong secret do the same work: one query for the code, one
    constant-time comparison (``hmac.compare_digest``) against the stored secret or a dummy."""
    given = "".join((secret or "").split()).upper()[:32]
    with _cursor() as cursor:
        cursor.execute(_lookup_sql(connection.vendor)[0], list(dossier_code_forms(code)))
        row = cursor.fetchone()
    # Upper-cased on both sides (as feedback.services.secret_matches): imported dossiers
    # carry lower-case hexadecimal secrets, and a citizen may type either case.
    expected = (row[2] if row is not None else _DUMMY_SECRET).upper()
    same = hmac.compare_digest(expected.encode(), given.encode())
    if row is None or not same or not given:
        return None
    (
        pk,
        code,
        secret,
        status,
        name,
        unit,
        label,
        due,
        extended,
        ended,
        procedure,
        agency,
        receiver,
    ) = row
    return PublicDossier(
        pk=pk,
        code=code,
        secret=secret,
        status=status,
        applicant_name=name,
        current_unit_name=unit_name(Named(unit) if unit is not None else None, label),
        due_at=_aware_or_none(due),
        extended_due_at=_aware_or_none(extended),
        ended_at=_aware_or_none(ended),
        procedure_version=Named(procedure),
        agency=Named(agency),
        receiving_unit=Named(receiver) if receiver is not None else None,
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    title: str
    detail: str = ""


def moment_display(instant: dt.datetime | None) -> str:
    """'10 giờ 00 phút, ngày 29/8/2022' (local time), in the reader's language."""
    if instant is None:
        return ""
    local = timezone.localtime(instant)
    return _("%(hour)s giờ %(minute)s phút, ngày %(date)s") % {
        "hour": local.hour,
        "minute": f"{local.minute:02d}",
        "date": vn_date(local.date()),
    }


def _when(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    parsed = parse_datetime(value) if isinstance(value, str) else None
    return moment_display(parsed) if parsed else ""


def _items(data: dict[str, Any]) -> str:
    items = data.get("items")
    if isinstance(items, list) and items:
        return "; ".join(str(i) for i in items)
    return ""


def event_entry(kind: str, at: dt.datetime, data: dict[str, Any]) -> TimelineEntry | None:
    """An event told in plain Vietnamese to the applicant; None for what is internal.

    Names of staff are never given; units are (the applicant may ask them)."""
    data = data or {}
    reason = str(data.get("reason") or "")
    title, detail = "", ""
    if kind == EventType.SUBMITTED:
        title = _("Hồ sơ đã được nộp trực tuyến")
        detail = _("Bộ phận Một cửa sẽ kiểm tra và tiếp nhận hồ sơ.")
    elif kind == EventType.COMPLETION_REQUESTED:
        title = _("Cần bổ sung, hoàn thiện hồ sơ trước khi tiếp nhận")
        detail = "; ".join(x for x in (_items(data), reason) if x)
    elif kind == EventType.COMPLETED:
        title = _("Đã nộp bổ sung, hoàn thiện hồ sơ")
    elif kind == EventType.REJECTED:
        title = _("Hồ sơ bị từ chối tiếp nhận")
        detail = _("Lý do: %(reason)s") % {"reason": reason} if reason else ""
    elif kind == EventType.RECEIVED:
        title = _("Hồ sơ đã được tiếp nhận")
        due = _when(data, "due_at")
        detail = _("Hẹn trả kết quả: %(due)s.") % {"due": due} if due else ""
    elif kind == EventType.HANDOVER:
        title = _("Hồ sơ được chuyển đến %(unit)s") % {"unit": data.get("to") or _("đơn vị xử lý")}
        detail = str(data.get("step") or "")
    elif kind == EventType.SUPPLEMENT_REQUESTED:
        title = _("Cơ quan giải quyết yêu cầu bổ sung hồ sơ")
        detail = "; ".join(x for x in (_items(data), reason) if x)
    elif kind == EventType.SUPPLEMENT_SUBMITTED:
        title = _("Đã gửi hồ sơ bổ sung trực tuyến")
        detail = _("Chờ cơ quan giải quyết nhận hồ sơ bổ sung; thời hạn giải quyết vẫn tạm dừng.")
    elif kind == EventType.SUPPLEMENT_RECEIVED:
        title = _("Đã nhận hồ sơ bổ sung; thời hạn giải quyết được tính lại từ đầu")
        due = _when(data, "due_at")
        detail = _("Hẹn trả kết quả mới: %(due)s.") % {"due": due} if due else ""
    elif kind == EventType.EXTENSION:
        title = _("Cơ quan giải quyết xin lỗi và hẹn lại ngày trả kết quả")
        due = _when(data, "new_due_at")
        detail = " ".join(
            x
            for x in (
                _("Hẹn trả mới: %(due)s.") % {"due": due} if due else "",
                _("Lý do: %(reason)s") % {"reason": reason} if reason else "",
            )
            if x
        )
    elif kind == EventType.RESULT_READY:
        title = _("Đã có kết quả giải quyết")
        detail = _("Mời nhận kết quả theo hình thức đã đăng ký.")
    elif kind == EventType.REFUSED:
        title = _("Hồ sơ bị trả lại do không đủ điều kiện giải quyết")
        detail = _("Lý do: %(reason)s") % {"reason": reason} if reason else ""
    elif kind == EventType.WITHDRAWN:
        title = _("Hồ sơ đã được rút theo đề nghị của người nộp")
    elif kind == EventType.STOPPED:
        title = _("Dừng giải quyết hồ sơ")
        detail = _("Lý do: %(reason)s") % {"reason": reason} if reason else ""
    elif kind == EventType.RESULT_DELIVERED:
        title = _("Đã trả kết quả")
    else:
        return None
    return TimelineEntry(at=at, title=str(title), detail=str(detail))


def dossier_timeline(dossier: Dossier | PublicDossier) -> list[TimelineEntry]:
    with _cursor() as cursor:
        cursor.execute(_lookup_sql(connection.vendor)[1], [dossier.pk])
        rows = cursor.fetchall()
    entries = []
    for kind, at, data in rows:
        # JSON comes back as text from both engines (Django loads it in the ORM).
        loaded = json.loads(data) if isinstance(data, str | bytes) else data
        entry = event_entry(kind, _aware(at), loaded if isinstance(loaded, dict) else {})
        if entry is not None:
            entries.append(entry)
    return entries


@dataclass(frozen=True)
class PublicStatus:
    """What the holder of the receipt is told about where the dossier is now."""

    label: str
    where: str
    due: str
    new_due: str
    finished: bool
    rateable: bool
    # Waiting for a supplement: the clock is stopped (ND 118/2025 Điều 19.5), so no due
    # date is shown as if it ran; it is computed again when the supplement is received.
    paused: bool = False
    # Waiting for a fee paid before processing (issue 17): the last day to pay it.
    pay_by: str = ""


def dossier_public_status(dossier: Dossier | PublicDossier) -> PublicStatus:
    status = Status(dossier.status)
    where = ""
    if status in (Status.SUBMITTED, Status.NEEDS_COMPLETION):
        where = _("Bộ phận Một cửa")
    elif status == Status.AWAITING_PAYMENT:
        where = dossier.receiving_unit.name if dossier.receiving_unit else _("Bộ phận Một cửa")
    elif status in (Status.PROCESSING, Status.SUPPLEMENT_REQUESTED):
        where = dossier.current_unit_name or dossier.agency.name
    elif status == Status.RESULT_READY:
        where = dossier.receiving_unit.name if dossier.receiving_unit else _("Bộ phận Một cửa")
    finished = dossier.ended_at is not None or status in (Status.REJECTED, Status.DELIVERED)
    # The public lookup's row is not a Dossier: the last day (as told) shows on the owner's page.
    return PublicStatus(
        label=str(status.label),
        where=str(where),
        due=moment_display(dossier.due_at),
        new_due=moment_display(dossier.extended_due_at),
        finished=finished,
        # Rating (ND 118/2025 Điều 33) is about a result given: once there is one.
        rateable=status in (Status.RESULT_READY, Status.DELIVERED),
        paused=status in CLOCK_PAUSED_STATUSES,
        pay_by=(
            vn_date(told)
            if status == Status.AWAITING_PAYMENT
            and isinstance(dossier, Dossier)
            and (told := dossier_pay_by(dossier)) is not None
            else ""
        ),
    )


def citizen_dossiers(user: User) -> QuerySet[Dossier]:
    return (
        Dossier.objects.filter(owner_id=user.pk)
        .select_related("procedure_version", "agency")
        .order_by("-submitted_at", "-received_at", "-id")
    )


def portal_header() -> PublicHeader:
    """Today's province and hotline for the header of every public page: read from the
    register once every few minutes (per process cache), not on each page."""
    today = timezone.localdate()
    key = f"portal-header:{today.isoformat()}"
    header = cache.get(key)
    if not isinstance(header, PublicHeader):
        header = public_header_on(today)
        cache.set(key, header, HEADER_SECONDS)
    return header
