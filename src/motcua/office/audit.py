"""The audit trail for an auditor: filters, readable rows and a CSV export (domain.md §12).

Codes and account ids are what the trail stores; the page shows what they mean: the action's
Vietnamese label, the person's full name (``core.people.person_name``), the dossier's code as
a link. A staff member is found by name without diacritics ("nguyen thi lan").
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from motcua.core.access import client_ip, staff_required
from motcua.core.audit import ACTION_LABELS, OBJECT_LABELS, SYSTEM_ACTORS, action_label, audit_log
from motcua.core.models import AuditEvent, Role
from motcua.core.people import person_name
from motcua.core.text import fold

AUDIT_ROLES = frozenset({Role.AUDITOR, Role.ADMINISTRATOR, Role.PROVINCIAL_OFFICE})
PAGE_SIZE = 100
# A CSV export is for one investigation, not a copy of the trail.
EXPORT_MAX_ROWS = 100_000


def _action_choices() -> list[tuple[str, str]]:
    return [("", str(gettext_lazy("Tất cả"))), *((k, str(v)) for k, v in ACTION_LABELS.items())]


class AuditSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Mã hồ sơ / đối tượng"), required=False)
    actor = forms.CharField(
        label=gettext_lazy("Người thực hiện (họ tên hoặc tên đăng nhập)"), required=False
    )
    action = forms.ChoiceField(label=gettext_lazy("Hành động"), required=False, choices=[])
    date_from = forms.DateField(
        label=gettext_lazy("Từ ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=gettext_lazy("Đến ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Labels in the language of the request.
        self.fields["action"].choices = _action_choices()  # type: ignore[attr-defined]


def _actors_named(text: str) -> list[int]:
    """Accounts whose full name or username contains ``text``, diacritics aside. The
    accounts are few (staff of one province): folding them in Python is cheap."""
    needle = fold(text)
    users = User.objects.only("id", "username", "first_name", "last_name")
    return [
        u.pk for u in users.iterator() if needle in fold(f"{person_name(u)} {u.get_username()}")
    ]


def audit_events_filtered(data: dict[str, Any]) -> QuerySet[AuditEvent]:
    """The trail under the form's filters, newest first."""
    qs = AuditEvent.objects.all()
    if data.get("q"):
        qs = qs.filter(object_id__icontains=data["q"].strip())
    if data.get("actor"):
        text = data["actor"].strip()
        qs = qs.filter(Q(actor_id__in=_actors_named(text)) | Q(actor_label__icontains=text))
    if data.get("action"):
        qs = qs.filter(action=data["action"])
    if data.get("date_from"):
        start = dt.datetime.combine(data["date_from"], dt.time.min)
        qs = qs.filter(at__gte=timezone.make_aware(start))
    if data.get("date_to"):
        end = dt.datetime.combine(data["date_to"] + dt.timedelta(days=1), dt.time.min)
        qs = qs.filter(at__lt=timezone.make_aware(end))
    return qs.select_related("actor").order_by("-at", "-id")


def _people_by_id(events: Iterable[AuditEvent]) -> dict[str, str]:
    """Names of the accounts that rows are about (object type ``user``), in one query."""
    ids = {e.object_id for e in events if e.object_type == "user" and e.object_id.isdigit()}
    users = User.objects.filter(pk__in=ids).only("id", "username", "first_name", "last_name")
    return {str(u.pk): person_name(u) for u in users}


def _actor_text(event: AuditEvent) -> str:
    if event.actor is not None:
        return person_name(event.actor)
    label = SYSTEM_ACTORS.get(event.actor_label)
    return str(label) if label is not None else event.actor_label


def _object_text(event: AuditEvent, people: dict[str, str]) -> str:
    kind = OBJECT_LABELS.get(event.object_type)
    name = people.get(event.object_id, event.object_id) if event.object_type == "user" else ""
    return " ".join(
        p for p in (str(kind) if kind else event.object_type, name or event.object_id) if p
    )


def _rows(events: list[AuditEvent]) -> list[dict[str, Any]]:
    people = _people_by_id(events)
    return [
        {
            "at": e.at,
            "actor": _actor_text(e),
            "username": e.actor_label,
            "action": action_label(e.action),
            "code": e.action,
            "object": _object_text(e, people),
            "dossier": e.object_id if e.object_type == "dossier" else "",
            "ip": e.ip or "",
            "denied": e.action.endswith(".denied") or e.action == "login.failed",
        }
        for e in events
    ]


def _csv_lines(qs: QuerySet[AuditEvent]) -> Iterator[str]:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    yield "\ufeff"  # so that spreadsheet programs read UTF-8
    yield writer.writerow(
        [
            _("Thời điểm (giờ Việt Nam)"),
            _("Người thực hiện"),
            _("Tên đăng nhập"),
            _("Hành động"),
            _("Mã hành động"),
            _("Đối tượng"),
            _("Địa chỉ IP"),
        ]
    )
    batch: list[AuditEvent] = []
    for event in qs[:EXPORT_MAX_ROWS].iterator(chunk_size=2000):
        batch.append(event)
        if len(batch) == 2000:
            yield from _csv_batch(writer, batch)
            batch = []
    yield from _csv_batch(writer, batch)


def _cell(value: str) -> str:
    """A text cell a spreadsheet will not run: usernames of failed logins are typed by
    anyone, and "=HYPERLINK(…)" must stay text (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_batch(writer: Any, batch: list[AuditEvent]) -> Iterator[str]:
    for row in _rows(batch):
        local = timezone.localtime(row["at"])
        yield writer.writerow(
            [
                f"{local:%Y-%m-%d %H:%M:%S}",
                *(
                    _cell(str(row[k]))
                    for k in ("actor", "username", "action", "code", "object", "ip")
                ),
            ]
        )


@require_GET
@staff_required(roles=AUDIT_ROLES)
def audit_search(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form = AuditSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = audit_events_filtered(data)
    export = request.GET.get("fmt") == "csv"
    # Looking into the trail is itself recorded, with the filters used.
    audit_log(
        actor=request.user,
        action="audit.export" if export else "audit.search",
        object_type="audit",
        object_id="-",
        data={k: str(v) for k, v in data.items() if v},
        ip=client_ip(request),
    )
    if export:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(_csv_lines(qs), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="nhat-ky-{stamp}.csv"'
        return response
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "office/audit.html",
        {
            "title": _("Nhật ký truy cập và thay đổi"),
            "form": form,
            "page": page,
            "rows": _rows(list(page.object_list)),
        },
    )
