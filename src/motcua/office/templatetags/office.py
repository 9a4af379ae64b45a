"""Template helpers of the staff application."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import template
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from motcua.catalog.models import PartKind
from motcua.core.access import staff_profile
from motcua.core.audit import SYSTEM_ACTORS
from motcua.core.formatting import vn_decimal, vn_int
from motcua.core.models import Role, StaffProfile
from motcua.core.people import person_name
from motcua.dossiers.classify import acceptance_minutes_left
from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.scope import LEADER_ROLES, READ_ALL_ROLES, WRITE_ROLES, works_at_counter
from motcua.office.risk import risk_clock
from motcua.workdays.calendar import get_calendar
from motcua.workdays.clock import get_rules

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_menu(context: template.Context) -> dict[str, Any]:
    """What the navigation shows for the current user."""
    request = context.get("request")
    profile: StaffProfile | None = staff_profile(request.user) if request else None
    role = profile.role if profile else None
    return {
        "profile": profile,
        # An accountant handles money, not cases (``dossiers.scope``): no dossier list.
        "dossiers": role != Role.ACCOUNTANT,
        # The one-stop unit's side only: a department's leaders decide, they do not receive.
        "counter": works_at_counter(profile),
        "dashboard": role
        in {Role.LEADER, Role.CENTER_MANAGER, Role.PROVINCIAL_OFFICE, Role.AUDITOR},
        "fees_report": role in LEADER_ROLES | {Role.ACCOUNTANT},
        # The accountant's pages (issue 17): every clerk's cash book, the reconciliation.
        "accounting": role == Role.ACCOUNTANT,
        "audit": role in {Role.AUDITOR, Role.ADMINISTRATOR, Role.PROVINCIAL_OFFICE},
        "acts": role in WRITE_ROLES,
        # Complaints and petitions: those who classify, forward and answer them, and oversight.
        "pakn": role in WRITE_ROLES | READ_ALL_ROLES,
        "oversight": role in READ_ALL_ROLES,
    }


@register.filter
def vn_number(value: int | None) -> str:
    return vn_int(int(value or 0))


@register.filter
def vn_share(value: float | None) -> str:
    """A percentage as staff pages show it ('97,71'), '—' when there is none."""
    return "—" if value is None else vn_decimal(value)


def _at_risk(dossier: Dossier) -> bool:
    """Marked by the view (``RiskClock.mark``, one clock for the whole list), else asked of
    the clock here (a page showing one dossier)."""
    if not hasattr(dossier, "at_risk"):
        risk_clock().mark(dossier)
    return bool(getattr(dossier, "at_risk", False))


@register.filter
def due_badge(dossier: Dossier) -> SafeString:
    """Overdue / at risk (due within one working day, or a step over its budget) / on track,
    for an open dossier."""
    if dossier.ended_at is not None or dossier.due_at is None:
        return SafeString("")
    if dossier.status == Status.SUPPLEMENT_REQUESTED:
        return format_html('<span class="badge badge-info">{}</span>', _("Tạm dừng, chờ bổ sung"))
    now = timezone.now()
    if dossier.due_at < now:
        return format_html('<span class="badge badge-bad">{}</span>', _("Quá hạn"))
    if _at_risk(dossier):
        return format_html('<span class="badge badge-warn">{}</span>', _("Sắp đến hạn"))
    return format_html('<span class="badge badge-ok">{}</span>', _("Trong hạn"))


@register.filter
def step_overrun(dossier: Dossier) -> SafeString:
    """ "Step X over its budget by N hours" for a dossier marked by the view."""
    overrun = getattr(dossier, "step_overrun", None)
    if overrun is None:
        return SafeString("")
    return format_html(
        '<span class="badge badge-warn">{}</span>',
        _("Bước “%(step)s” quá %(over)s giờ (định mức %(budget)s giờ)")
        % {
            "step": overrun.step,
            "over": vn_decimal(overrun.over, 1),
            "budget": vn_decimal(overrun.budget, 1),
        },
    )


@register.filter
def row_class(dossier: Dossier) -> str:
    if dossier.ended_at is not None or dossier.due_at is None:
        return ""
    if dossier.status == Status.SUPPLEMENT_REQUESTED:
        return ""
    now = timezone.now()
    if dossier.due_at < now:
        return "is-overdue"
    if _at_risk(dossier):
        return "is-due-soon"
    return ""


@register.filter
def status_badge(dossier: Dossier) -> SafeString:
    kind = {
        Status.PROCESSING: "badge-info",
        Status.RESULT_READY: "badge-ok",
        Status.DELIVERED: "badge-ok",
        Status.REFUSED: "badge-bad",
        Status.REJECTED: "badge-bad",
        Status.SUPPLEMENT_REQUESTED: "badge-warn",
        Status.AWAITING_PAYMENT: "badge-warn",
        Status.NEEDS_COMPLETION: "badge-warn",
    }.get(status := Status(dossier.status), "")
    # The enum's label, not ``get_status_display`` (which rebuilds the choices' dict on every
    # call: a tenth of a 50-row list's rendering).
    return format_html('<span class="badge {}">{}</span>', kind, status.label)


def _instant(value: dt.datetime | dt.date | str | None) -> dt.datetime | dt.date | None:
    """A stored value as a date or an instant: the due-date explanation keeps ISO strings
    (JSON), the models keep dates and aware instants."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return (
                dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
            )
        except ValueError:
            return None
    return value


@register.filter
def vn_datetime(value: dt.datetime | str | None) -> str:
    """'17:48 26/11/2026' in local time (Asia/Ho_Chi_Minh), from an instant or ISO text."""
    instant = _instant(value)
    if not isinstance(instant, dt.datetime):
        return vn_day(instant)
    local = timezone.localtime(instant) if timezone.is_aware(instant) else instant
    return f"{local:%H:%M} {local.day}/{local.month}/{local.year}"


@register.filter
def vn_day(value: dt.datetime | dt.date | str | None) -> str:
    """'27/11/2026' (domain.md §11), the local day of an instant."""
    day = _instant(value)
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return f"{day.day}/{day.month}/{day.year}"


@register.simple_tag
def people_names(handovers: Iterable[Any]) -> dict[str, str]:
    """Full names of the givers and receivers of ``handovers`` (stored as usernames), in one
    query: ``{{ people|get_item:h.giver|default:h.giver }}``."""
    usernames = {u for h in handovers for u in (h.giver, h.receiver) if u}
    users = User.objects.filter(username__in=usernames).only("username", "first_name", "last_name")
    return {u.username: person_name(u) for u in users}


@register.filter
def event_actor(event: Any) -> str:
    """Who acted, by full name; a system (an import, the worker) by what it is."""
    if getattr(event, "actor", None) is not None:
        return person_name(event.actor)
    label = event.actor_label or ""
    system = SYSTEM_ACTORS.get(label)
    return str(system) if system is not None else label


@register.filter
def part_kind(value: str) -> str:
    """'copy' -> 'Bản sao' (a received part keeps the catalogue's kind code)."""
    return str(dict(PartKind.choices).get(value, value))


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def apology_late(dossier: Dossier) -> bool:
    """Whether an apology issued now would be late (ND 118/2025 Điều 19.6: one working day
    before the due date): the service flags it ``extension_late``."""
    from motcua.dossiers.services import extension_is_late

    return extension_is_late(dossier)


def _hours_minutes(total: int) -> str:
    hours, minutes = divmod(total, 60)
    if hours and minutes:
        return _("%(h)s giờ %(m)s phút") % {"h": hours, "m": minutes}
    if hours:
        return _("%(h)s giờ") % {"h": hours}
    return _("%(m)s phút") % {"m": minutes}


@register.filter
def acceptance_countdown(dossier: Dossier) -> SafeString:
    """For an online dossier waiting at the counter: when it was submitted and the working
    time left of the 8 working hours promised to the citizen (static, computed now)."""
    if dossier.status != Status.SUBMITTED or dossier.accept_by is None:
        return SafeString("")
    left = acceptance_minutes_left(
        now=timezone.now(), accept_by=dossier.accept_by, calendar=get_calendar(), rules=get_rules()
    )
    submitted = ""
    if dossier.submitted_at is not None:
        submitted = _("Nộp lúc %(at)s") % {"at": vn_datetime(dossier.submitted_at)}
    if left > 0:
        css, text = (
            "badge-ok" if left > 120 else "badge-warn",
            _("còn %(time)s làm việc") % {"time": _hours_minutes(left)},
        )
    else:
        css, text = (
            "badge-bad",
            _("quá hạn tiếp nhận %(time)s làm việc") % {"time": _hours_minutes(-left)},
        )
    return format_html(
        '<span class="small">{}</span> <span class="badge {}">{}</span>', submitted, css, text
    )
