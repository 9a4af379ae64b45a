"""Reads of ratings and PAKN: staff scope, the public list, and the indicators.

Indicator choices (indicators.md; reports/indicators.py reads ``pakn_counts``):

- 1.5 "PAKN answered within the deadline / PAKN due in the period": a PAKN is due in the
  period when its first answer deadline (``first_due_at``) falls in it; it counts as answered
  within the deadline when it has an answer and no answer of it was ever late (an answer
  given late after a reopening makes it late). ``due`` / ``on_time``.
  A refused PAKN (không tiếp nhận) has nothing to answer and is not counted.
- QĐ 766 "PAKN handled on time": of the PAKN received in the period and closed (answered or
  refused), those whose every step kept its deadline (``feedback.deadlines``): refused within
  2, more information asked within 5, forwarded within 5, answered within 15, and, when
  answered, published within 2 working days of the answer. ``handled`` / ``handled_on_time``.
- QĐ 766 satisfaction with PAKN handling: (PAKN − unsatisfied − reopened − late) / PAKN over
  the PAKN received in the period. The three sets overlap (marking unsatisfied reopens), so
  the numerator removes their union once: a PAKN is never subtracted twice and the rate never
  goes below 0. Late = answered late, forwarded late, or still unanswered past its due date
  at the period's end, or a refusal or request for information after its deadline.
  ``total`` / ``satisfied``.
- Dossier satisfaction: of the dossiers resolved (ended by a result) in the period, the share
  with a PAKN about them or a negative rating (a content answered with 0 points), in percent:
  ``dossier_complaint_share``; also ``rated`` / ``rated_negative`` over ratings given in the
  period, and their points over the points possible (``rating_points`` /
  ``rating_max_points``), where a content answered "Không áp dụng" counts in neither.
- Scope: the PAKN's handling agency (after classification or forward), the rated dossier's
  competent agency; a PAKN with no agency yet counts only province-wide.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet, Sum

from motcua.agencies.queries import agency_subtree, scope_root
from motcua.core.access import AnyUser, staff_profile
from motcua.core.formatting import pct
from motcua.core.models import Role
from motcua.dossiers.models import Dossier, EndKind
from motcua.dossiers.scope import (
    COUNTER_ROLES,
    LEADER_ROLES,
    READ_ALL_ROLES,
    WRITE_ROLES,
    dossier_scope_q,
)
from motcua.feedback.models import (
    CLOSED_STATUSES,
    Feedback,
    FeedbackStatus,
    KioskRating,
    Rating,
)
from motcua.feedback.rubric import NOT_APPLICABLE, RUBRICS
from motcua.feedback.services import deadline, deadlines_for

# The provincial office is where PAKN about procedures are received and followed up in
# practice (Văn phòng UBND tỉnh, ND 20/2008): it may act on PAKN, unlike on dossiers.
FEEDBACK_WRITE_ROLES = WRITE_ROLES | {Role.PROVINCIAL_OFFICE}


def feedback_scope_q(user: AnyUser | None) -> Q:
    """The PAKN ``user`` may see: all for the provincial office and auditors; otherwise those
    handled by their agency's subtree, and the not yet assigned ones for counter staff and
    leaders (someone must classify them)."""
    profile = staff_profile(user)
    if profile is None:
        return Q(pk__in=[])
    if profile.role in READ_ALL_ROLES:
        return Q()
    q = Q(agency__in=agency_subtree(scope_root(profile.agency)).values("pk"))
    if profile.role in COUNTER_ROLES | LEADER_ROLES:
        q |= Q(agency__isnull=True)
    return q


def feedback_list_for_staff(user: AnyUser | None, *, open_only: bool = True) -> QuerySet[Feedback]:
    qs = Feedback.objects.filter(feedback_scope_q(user)).select_related("agency")
    if open_only:
        qs = qs.exclude(status__in=CLOSED_STATUSES)
    return qs.order_by("due_at", "id")


def feedback_for_staff(user: AnyUser | None, code: str) -> Feedback | None:
    """One PAKN if ``user`` may see it; None for both missing and out of scope."""
    return (
        Feedback.objects.filter(feedback_scope_q(user), code=code)
        .select_related("agency", "dossier")
        .first()
    )


def feedback_list_published() -> QuerySet[Feedback]:
    return Feedback.objects.filter(published_at__isnull=False).order_by("-published_at", "-id")


# --- indicators -----------------------------------------------------------------------------


def _scoped(qs: QuerySet[Any], field: str, agency_ids: list[int] | None) -> QuerySet[Any]:
    return qs if agency_ids is None else qs.filter(**{f"{field}__in": agency_ids})


def pakn_due_on_time(
    start: dt.datetime, end: dt.datetime, agency_ids: list[int] | None = None
) -> tuple[int, int]:
    """Indicator 1.5: (answered within the deadline, due in the period)."""
    due = _scoped(
        Feedback.objects.filter(first_due_at__gte=start, first_due_at__lt=end).exclude(
            status=FeedbackStatus.REFUSED
        ),
        "agency_id",
        agency_ids,
    )
    on_time = due.filter(answered_at__isnull=False, answered_late=False)
    return on_time.count(), due.count()


def _late(f: Feedback, end: dt.datetime) -> bool:
    unanswered_overdue = f.status not in CLOSED_STATUSES and f.due_at < end
    steps_late = f.answered_late or f.forward_late or f.refused_late or f.info_late
    return steps_late or unanswered_overdue


def pakn_satisfaction(
    start: dt.datetime, end: dt.datetime, agency_ids: list[int] | None = None
) -> dict[str, int]:
    """QĐ 766 satisfaction with PAKN handling and PAKN handled on time (see module doc)."""
    received = _scoped(
        Feedback.objects.filter(received_at__gte=start, received_at__lt=end),
        "agency_id",
        agency_ids,
    )
    total = unsatisfied = reopened = late = bad = handled = handled_on_time = 0
    for f in received.only(
        "status",
        "received_at",
        "due_at",
        "answered_at",
        "answered_late",
        "forward_late",
        "refused_at",
        "refused_late",
        "info_late",
        "published_at",
        "unsatisfied_at",
        "reopen_count",
    ):
        total += 1
        is_unsatisfied = f.unsatisfied_at is not None
        is_reopened = f.reopen_count > 0
        is_late = _late(f, end)
        unsatisfied += is_unsatisfied
        reopened += is_reopened
        late += is_late
        bad += is_unsatisfied or is_reopened or is_late
        if f.status == FeedbackStatus.REFUSED:
            handled += 1
            handled_on_time += not f.refused_late and not f.info_late
        elif f.answered_at is not None:
            handled += 1
            published_in_time = f.published_at is not None and f.published_at <= deadline(
                f.answered_at, deadlines_for(f.received_at).publish
            )
            steps_in_time = not (f.answered_late or f.forward_late or f.info_late)
            handled_on_time += steps_in_time and published_in_time
    return {
        "total": total,
        "unsatisfied": unsatisfied,
        "reopened": reopened,
        "late": late,
        "satisfied": total - bad,
        "handled": handled,
        "handled_on_time": handled_on_time,
    }


def dossier_satisfaction(
    start: dt.datetime, end: dt.datetime, agency_ids: list[int] | None = None
) -> dict[str, Any]:
    """Ratings given in the period (negative / rated), and the share of dossiers resolved in
    the period with a complaint or a negative rating."""
    ratings = _scoped(
        Rating.objects.filter(created_at__gte=start, created_at__lt=end),
        "dossier__agency_id",
        agency_ids,
    )
    resolved = _scoped(
        Dossier.objects.filter(end_kind=EndKind.RESULT, ended_at__gte=start, ended_at__lt=end),
        "agency_id",
        agency_ids,
    )
    resolved_count = resolved.count()
    complained = (
        resolved.filter(Q(feedback__isnull=False) | Q(rating__negative=True)).distinct().count()
    )
    rated = ratings.aggregate(
        n=Count("id"),
        negative=Count("id", filter=Q(negative=True)),
        points=Sum("points"),
        max_points=Sum("max_points"),
    )
    return {
        "rated": rated["n"],
        "rated_negative": rated["negative"],
        "rating_points": rated["points"] or 0,
        "rating_max_points": rated["max_points"] or 0,
        "resolved": resolved_count,
        "resolved_with_complaint": complained,
        "dossier_complaint_share": float(pct(complained, resolved_count))
        if resolved_count
        else 0.0,
    }


def pakn_counts(
    start: dt.datetime, end: dt.datetime, agency_ids: list[int] | None = None
) -> dict[str, Any]:
    """Everything ``reports.indicators`` reads for [start, end): 1.5 (``on_time`` / ``due``),
    QĐ 766 satisfaction (``satisfied`` / ``total``), on-time handling (``handled_on_time`` /
    ``handled``) and the dossier complaint share in percent."""
    on_time, due = pakn_due_on_time(start, end, agency_ids)
    return {
        "due": due,
        "on_time": on_time,
        **pakn_satisfaction(start, end, agency_ids),
        **dossier_satisfaction(start, end, agency_ids),
    }


def kiosk_counts(
    start: dt.datetime, end: dt.datetime, clerk_ids: list[int] | None = None
) -> dict[int, dict[int, int]]:
    """{clerk id: {score: count}} of counter-tablet taps in [start, end)."""
    qs = KioskRating.objects.filter(at__gte=start, at__lt=end)
    if clerk_ids is not None:
        qs = qs.filter(clerk_id__in=clerk_ids)
    out: dict[int, dict[int, int]] = {}
    for row in qs.values("clerk_id", "score").annotate(n=Count("id")).order_by():
        out.setdefault(row["clerk_id"], {})[row["score"]] = row["n"]
    return out


# --- staff summary of ratings ---------------------------------------------------------------


def rating_summary(user: AnyUser | None, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """Ratings of the dossiers ``user`` may see, given in [start, end): how many, how many
    negative, points obtained over points possible, and per rubric (a year may hold both) and
    content the count of each answer; "Không áp dụng" is counted apart, in no denominator.
    One query of conditional counts over the JSON answers."""
    qs = Rating.objects.filter(
        dossier_scope_q(user, "dossier__"), created_at__gte=start, created_at__lt=end
    )
    counts: dict[str, Any] = {}
    for rubric in RUBRICS.values():
        in_rubric = Q(rubric=rubric.code)
        counts[f"{rubric.code}__n"] = Count("id", filter=in_rubric)
        for item in rubric.items:
            for code in [o.code for o in item.options] + [NOT_APPLICABLE]:
                key = f"{rubric.code}__{item.code}__{code}"
                counts[key] = Count("id", filter=in_rubric & Q(**{f"answers__{item.code}": code}))
    row = qs.aggregate(
        rated=Count("id"),
        negative=Count("id", filter=Q(negative=True)),
        points=Sum("points"),
        max_points=Sum("max_points"),
        **counts,
    )
    rubrics = []
    for rubric in RUBRICS.values():
        if not row[f"{rubric.code}__n"]:
            continue
        contents = []
        for item in rubric.items:
            levels = [row[f"{rubric.code}__{item.code}__{o.code}"] for o in item.options]
            got = sum(n * o.points for n, o in zip(levels, item.options, strict=True))
            contents.append(
                {
                    "code": item.code,
                    "label": item.label,
                    "options": [
                        {"label": o.label, "points": o.points, "count": n}
                        for o, n in zip(item.options, levels, strict=True)
                    ],
                    "levels": levels,
                    "rated": sum(levels),
                    "not_applicable": row[f"{rubric.code}__{item.code}__{NOT_APPLICABLE}"],
                    "score_rate": pct(got, 2 * sum(levels)) if sum(levels) else None,
                }
            )
        rubrics.append(
            {
                "code": rubric.code,
                "label": rubric.label,
                "rated": row[f"{rubric.code}__n"],
                "contents": contents,
            }
        )
    points, max_points = row["points"] or 0, row["max_points"] or 0
    return {
        "rated": row["rated"],
        "negative": row["negative"],
        "points": points,
        "max_points": max_points,
        "score_rate": pct(points, max_points) if max_points else None,
        "rubrics": rubrics,
    }


def kiosk_clerks_for(user: AnyUser | None) -> QuerySet[Any]:
    """The staff whose counter-tablet taps ``user`` may see: everyone for the provincial office
    and auditors, the staff of their agency's subtree for leaders and center managers, only
    themselves otherwise."""
    profile = staff_profile(user)
    if profile is None:
        return User.objects.none()
    if profile.role in READ_ALL_ROLES:
        return User.objects.filter(staff_profile__isnull=False)
    if profile.role in LEADER_ROLES:
        subtree = agency_subtree(scope_root(profile.agency)).values("pk")
        return User.objects.filter(staff_profile__agency__in=subtree)
    return User.objects.filter(pk=profile.user_id)


def feedback_list_for_owner(user: User) -> QuerySet[Feedback]:
    """The PAKN a citizen sent while signed in, newest first (under "Hồ sơ của tôi")."""
    return Feedback.objects.filter(owner=user).order_by("-received_at", "-id")
