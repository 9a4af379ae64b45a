"""Reads for the staff application: inboxes, counts and the procedure search.

Every dossier query starts from ``dossiers.scope.dossier_scope_q`` over the user's
``StaffScope`` (``request.scope``): a view never filters dossiers by agency by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from motcua.agencies.queries import scope_root
from motcua.catalog import queries as catalog_queries
from motcua.catalog.models import ProcedureVersion, StepKind, WorkflowStep
from motcua.core.access import staff_profile
from motcua.core.models import Role
from motcua.core.text import fold
from motcua.dossiers.models import (
    WORKLIST_STATUSES,
    Dossier,
    DossierClass,
    Status,
    search_words,
)
from motcua.dossiers.scope import (
    WRITE_ROLES,
    ScopeOrUser,
    as_scope,
    dossier_scope_parts,
    dossier_scope_q,
    works_at_counter,
)
from motcua.office.risk import RiskClock, risk_clock

AnyUser = AbstractBaseUser | AnonymousUser

OPEN_STATUSES = (Status.PROCESSING, Status.SUPPLEMENT_REQUESTED)
# Every status some tab still has work for (the live tabs' statuses): a small share of a
# province's dossiers, counted from the ``dossier_live`` index alone whatever the history's
# size.
LIVE_STATUSES = WORKLIST_STATUSES  # the ``dossier_live`` index's rows


def quarter_start(now: dt.datetime) -> dt.datetime:
    """Local midnight on the first day of ``now``'s quarter: the dashboard's default period
    (``dashboard.default_period``), so the inbox's history tabs agree with its figures."""
    today = timezone.localtime(now).date()
    first = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return timezone.make_aware(dt.datetime.combine(first, dt.time(0)))


@dataclass(frozen=True)
class Filter:
    key: str
    label: str
    q: Q


# Tabs that are the counter's work: the online intake and the results to return.
COUNTER_TABS = frozenset({"submitted", "result_ready"})
# What waits at a desk (``mine_q``): being processed, or the result to pass on.
DESK_STATUSES = (Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.RESULT_READY)


def to_sign_q() -> Q:
    """Dossiers at a signing step of their workflow (``StepKind.SIGN``), being processed."""
    return Q(
        status=Status.PROCESSING,
        current_step__in=WorkflowStep.objects.filter(kind=StepKind.SIGN).values("pk"),
    )


def role_filters(user: AnyUser) -> list[Filter]:
    """The tabs of the user's own desk, first in the inbox: what waits for them
    ("Chờ tôi xử lý"), and for leaders what waits for their signature ("Chờ tôi duyệt, ký")."""
    profile = staff_profile(user)
    if profile is None or profile.role not in WRITE_ROLES:
        return []
    mine = mine_q(user)
    tabs = [Filter("mine", str(_("Chờ tôi xử lý")), Q(status__in=DESK_STATUSES) & mine)]
    if profile.role in (Role.LEADER, Role.CENTER_MANAGER):
        tabs.append(Filter("to_sign", str(_("Chờ tôi duyệt, ký")), to_sign_q() & mine))
    return tabs


def user_filters(user: AnyUser, now: dt.datetime, risk: RiskClock | None = None) -> list[Filter]:
    """The tabs ``user`` sees: their desk's first, then the common ones; the counter's tabs
    only for those who work at a counter."""
    counter = works_at_counter(staff_profile(user))
    common = [f for f in inbox_filters(now, risk) if counter or f.key not in COUNTER_TABS]
    return [*role_filters(user), *common]


def inbox_filters(now: dt.datetime, risk: RiskClock | None = None) -> list[Filter]:
    """The inbox tabs; each is also a drill-down target from the dashboard (``?f=key``).

    The live tabs hold every dossier still to be worked on, however old. The two tabs about
    what has ended hold the quarter so far, as the dashboard's default period: all of history
    (a province gathers a million ended dossiers in a few years) is neither a worklist nor
    cheap to count on every inbox request, and an older dossier is found by its code.

    ``risk`` is the at-risk rule for ``now`` (``office.risk``); made here when not given,
    which costs two small queries: a view makes it once and passes it on."""
    processing = Q(status=Status.PROCESSING)
    since = quarter_start(now)
    risk = risk or risk_clock(now)
    return [
        Filter("open", str(pgettext("inbox tab", "Đang giải quyết")), Q(status__in=OPEN_STATUSES)),
        Filter(
            "overdue",
            str(_("Quá hạn")),
            processing & Q(due_at__lt=now),
        ),
        Filter(
            "due_soon",
            str(_("Sắp đến hạn")),
            # The dashboard's "at risk": due within one working day, or a step over budget.
            risk.at_risk_q(),
        ),
        Filter("supplement", str(_("Chờ bổ sung")), Q(status=Status.SUPPLEMENT_REQUESTED)),
        Filter("submitted", str(_("Chờ tiếp nhận trực tuyến")), Q(status=Status.SUBMITTED)),
        Filter("result_ready", str(_("Chờ trả kết quả")), Q(status=Status.RESULT_READY)),
        Filter("ended", str(_("Đã kết thúc trong quý")), Q(ended_at__gte=since)),
        Filter(
            "late_no_apology",
            str(_("Trễ hạn chưa có thư xin lỗi")),
            # Still open and past due (the letter is due now: ND 118/2025 Điều 19.6), or
            # ended late this quarter without one (the dashboard's figure for the quarter).
            Q(has_apology=False)
            & (
                (Q(dossier_class=DossierClass.LATE) & Q(ended_at__gte=since))
                | (processing & Q(due_at__lt=now))
            ),
        ),
    ]


def filter_by_key(
    key: str, now: dt.datetime, risk: RiskClock | None = None, user: AnyUser | None = None
) -> Filter:
    tabs = inbox_filters(now, risk) if user is None else user_filters(user, now, risk)
    filters = {f.key: f for f in tabs}
    return filters.get(key, filters["open"])


def dossiers_for(who: ScopeOrUser) -> QuerySet[Dossier]:
    """Every dossier ``who`` may see."""
    return Dossier.objects.filter(dossier_scope_q(who))


def mine_q(who: ScopeOrUser) -> Q:
    """The dossiers at the user's own desk: handed to them by name (``Dossier.assignee``), or
    handed to their unit without naming anyone."""
    scope = as_scope(who)
    profile = scope.profile
    if profile is None:
        return Q(pk__in=[])
    return Q(assignee_id=scope.user_id) | Q(
        assignee__isnull=True, current_unit_id=profile.agency_id
    )


# A phone number or an identity number (CCCD, tax code) as typed: digits, maybe spaced.
_NUMBER = re.compile(r"^\+?[\d\s.\-()]{6,}$")


def search_q(query: str) -> Q:
    """What the inbox search matches: the dossier code (or part of it), the applicant's name
    by word prefixes with diacritics and case ignored ("trinh thi hoa", "TRỊNH THỊ HOA" and
    "Hoa" find "Trịnh Thị Hoa"), the applicant's or representative's phone, the identity
    number. Not the procedure's text: "Trịnh" must not find every "công trình".

    Plain column tests (the folded name is kept by the write path in
    ``Dossier.applicant_search``), added to the tab's own filter: no join, no function."""
    query = query.strip()
    q = Q(code__contains=query.upper())
    words = search_words(query).split()
    if words:
        name = Q()
        for word in words:
            name &= Q(applicant_search__contains=f" {word}")
        q |= name
    if _NUMBER.match(query):
        digits = re.sub(r"\D", "", query)
        if digits.startswith("84") and len(digits) == 11:
            digits = "0" + digits[2:]  # +84 912 345 678
        q |= Q(applicant_phone=digits) | Q(representative_phone=digits)
        q |= Q(applicant_id_number=digits)
    return q


# Tabs and dashboard figures of ended dossiers: the latest ended first.
ENDED_KEYS = frozenset(
    {"ended", "resolved", "early", "on_time", "late", "postal_return", "refused", "withdrawn"}
)


def inbox(
    who: ScopeOrUser, *, q: Q, mine: bool, query: str = "", key: str = ""
) -> QuerySet[Dossier]:
    """The dossiers of a tab (or of a dashboard figure), soonest due first; ended ones
    latest ended first. Only their ids: a page of them is read by ``inbox_rows``."""
    scope = as_scope(who)
    qs = dossiers_for(scope).filter(q)
    if mine:
        qs = qs.filter(mine_q(scope))
    if query:
        qs = qs.filter(search_q(query))
    order = ("-ended_at", "-id") if key in ENDED_KEYS else ("due_at", "id")
    return qs.order_by(*order)


def inbox_rows(ids: Iterable[int]) -> list[Dossier]:
    """The dossiers of one page of ``inbox``, in the page's order, with what the list shows.

    A page is chosen over ids alone and read afterwards: the centre's "open" tab holds some
    15,000 dossiers at a million, and joining each of them to its procedure and agency before
    keeping the first 50 cost more than the choice itself (bench/office_pages.py)."""
    ids = list(ids)
    found = Dossier.objects.select_related(
        "procedure_version__procedure", "agency", "current_step", "current_unit"
    ).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def inbox_counts(
    who: ScopeOrUser,
    *,
    mine: bool,
    now: dt.datetime | None = None,
    risk: RiskClock | None = None,
) -> dict[str, int]:
    """How many dossiers each tab holds (the same numbers as each tab's filter), counted
    over what some tab can hold rather than all of history: one aggregate over the live
    dossiers (by status, then due dates), and one over those ended this quarter per disjoint
    part of the scope (one to three: a constant number of queries per user).

    Two plain ranges on indexes instead of one query over their union: each is an index
    search on both databases, and each row is tested against a few conditions, not every
    tab's (at a million dossiers on SQLite the filters, not the reads, were the cost)."""
    now = now or timezone.now()
    risk = risk or risk_clock(now)
    since = quarter_start(now)
    scope = as_scope(who)
    qs = dossiers_for(scope)
    if mine:
        qs = qs.filter(mine_q(scope))
    processing = Q(status=Status.PROCESSING)
    # Counted on status (never null) rather than the id: an index without the id still
    # answers alone (index-only); Django refuses COUNT(*) with a filter.
    overdue = processing & Q(due_at__lt=now)
    live = qs.filter(status__in=LIVE_STATUSES).aggregate(
        all=Count("status"),
        processing=Count("status", filter=processing),
        supplement=Count("status", filter=Q(status=Status.SUPPLEMENT_REQUESTED)),
        submitted=Count("status", filter=Q(status=Status.SUBMITTED)),
        overdue=Count("status", filter=overdue),
        due_soon=Count("status", filter=risk.at_risk_q()),
        overdue_no_apology=Count("status", filter=overdue & Q(has_apology=False)),
        mine=Count("status", filter=Q(status__in=DESK_STATUSES) & mine_q(scope)),
        to_sign=Count("status", filter=to_sign_q() & mine_q(scope)),
    )
    # Over each disjoint part of the scope: the centre's OR of its own agencies, what it
    # received and its online intake read some 17,000 rows at a million dossiers; each part
    # alone is one covered index range (``dossier_dash_ended``, ``dossier_counter_ended``).
    ended = {"all": 0, "late_no_apology": 0}
    mine_filter = mine_q(scope) if mine else Q()
    for part in dossier_scope_parts(scope):
        got = (
            Dossier.objects.filter(part, mine_filter, ended_at__gte=since)
            .order_by()
            .aggregate(
                all=Count("status"),
                late_no_apology=Count(
                    "status", filter=Q(dossier_class=DossierClass.LATE, has_apology=False)
                ),
            )
        )
        for key in ended:
            ended[key] += got[key]
    return {
        "open": live["processing"] + live["supplement"],
        "overdue": live["overdue"],
        "due_soon": live["due_soon"],
        "supplement": live["supplement"],
        "submitted": live["submitted"],
        "result_ready": live["all"] - live["processing"] - live["supplement"] - live["submitted"],
        "ended": ended["all"],
        # An open dossier has no class and no end: the two parts never overlap.
        "late_no_apology": live["overdue_no_apology"] + ended["late_no_apology"],
        "mine": live["mine"],
        "to_sign": live["to_sign"],
    }


def procedure_search(query: str, *, limit: int = 20) -> list[ProcedureVersion]:
    """Current procedure versions matching ``query`` by code or by every word of the name,
    diacritics ignored ("giay phep xay dung" finds "Giấy phép xây dựng")."""
    if not fold(query):
        return []
    return list(catalog_queries.procedure_search(query)[:limit])


def current_versions(day: dt.date | None = None) -> QuerySet[ProcedureVersion]:
    """Versions in force on ``day`` (today by default) and not replaced by a correction."""
    return catalog_queries.procedure_versions_in_force(day)


def user_unit_label(who: ScopeOrUser) -> str:
    scope = as_scope(who)
    profile = scope.profile
    if profile is None:
        return ""
    root = scope.root or scope_root(profile.agency)
    # A unit's name often carries its agency's already ("Phòng … - Sở Tư pháp").
    if root == profile.agency or fold(root.name) in fold(profile.agency.name):
        return profile.agency.name
    return f"{profile.agency.name} — {root.name}"
