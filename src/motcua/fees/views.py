"""Pages of fees and payments: the counter's collection, voiding and reassessment (staff),
the receipt PDF (whoever may read the dossier: its staff, its owner), the citizen's online
payment, and a clerk's day's cash book. One service call per request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.core.access import staff_required
from motcua.core.audit import audit_log
from motcua.core.documents import local_date
from motcua.core.formatting import vn_date, vn_money
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Dossier
from motcua.dossiers.queries import dossier_for
from motcua.fees import services
from motcua.fees.compute import FeeAnswers
from motcua.fees.models import Payment
from motcua.fees.queries import (
    ACCOUNTING_ROLES,
    COLLECTING_ROLES,
    accounting_agency_ids,
    cash_book_for,
    clerks_for,
)
from motcua.fees.receipts import cash_book_xlsx, receipt_pdf
from motcua.fees.reconcile import Mismatch, StatementInvalid, day_parse, reconcile

# A day's statement is a few thousand lines at most.
STATEMENT_MAX_BYTES = 5 * 1024 * 1024


def _staff_page(code: str) -> str:
    return reverse("office:dossier", args=[code]) + "#phi-le-phi"


def _run(request: HttpRequest, call: Callable[[], Any], done: str) -> bool:
    try:
        call()
    except DossierError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, done)
    return True


@require_POST
@staff_required()
def collect(request: HttpRequest, code: str) -> HttpResponse:
    dossier = dossier_for(request.user, code)
    _run(
        request,
        lambda: services.payment_collect(
            dossier=dossier,
            actor=request.user,
            method=request.POST.get("method", ""),
            payer=request.POST.get("payer", "")[:255],
            transfer_ref=request.POST.get("transfer_ref", "")[:100],
        ),
        _("Đã thu tiền và cấp biên lai."),
    )
    return HttpResponseRedirect(_staff_page(code))


@require_POST
@staff_required()
def void(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    dossier = dossier_for(request.user, code)
    payment = Payment.objects.filter(pk=pk, dossier=dossier).first()
    if payment is None:
        raise Http404
    _run(
        request,
        lambda: services.receipt_void(
            payment=payment, actor=request.user, reason=request.POST.get("reason", "")[:500]
        ),
        _("Đã hủy biên lai; số biên lai được giữ lại, không cấp lại."),
    )
    return HttpResponseRedirect(_staff_page(code))


@require_POST
@staff_required()
def assess(request: HttpRequest, code: str) -> HttpResponse:
    dossier = dossier_for(request.user, code)
    try:
        copies = int(request.POST.get("copies", "1"))
    except ValueError:
        copies = 0
    answers = FeeAnswers(
        applicant=services.default_answers(dossier).applicant,
        copies=copies,
        exemption=request.POST.get("exemption", ""),
    )
    _run(
        request,
        lambda: services.dossier_fee_assess(dossier=dossier, actor=request.user, answers=answers),
        _("Đã tính lại phí, lệ phí."),
    )
    return HttpResponseRedirect(_staff_page(code))


@require_GET
@never_cache
def receipt(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    dossier: Dossier = dossier_for(request.user, code)
    payment = (
        Payment.objects.filter(pk=pk, dossier=dossier, receipt_number__isnull=False)
        .select_related("agency", "clerk", "dossier__procedure_version")
        .first()
    )
    if payment is None:
        raise Http404
    audit_log(
        actor=request.user,
        action="payment.receipt_print",
        object_type="payment",
        object_id=payment.pk,
        data={"dossier": dossier.code, "receipt": payment.receipt_label},
    )
    response = HttpResponse(receipt_pdf(payment), content_type="application/pdf")
    name = f"bien-lai-{payment.receipt_year}-{payment.receipt_number:07d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_POST
def pay_online(request: HttpRequest, code: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("portal:my_dossier", args=[code]))
    dossier = dossier_for(request.user, code)
    back = reverse("portal:my_dossier", args=[code])
    try:
        url = services.payment_request_create(dossier=dossier, actor=request.user, return_path=back)
    except DossierError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(back)
    # A page with a link rather than a redirect: the site's Content-Security-Policy lets forms
    # go to its own origin only (form-action 'self'), and browsers apply it to the redirect.
    return render(
        request,
        "fees/pay_continue.html",
        {"title": _("Thanh toán trực tuyến"), "dossier": dossier, "pay_url": url, "nav": "mine"},
    )


@require_GET
@never_cache
@staff_required(roles=COLLECTING_ROLES | ACCOUNTING_ROLES)
def cash_book(request: HttpRequest) -> HttpResponse:
    """The signed-in clerk's receipts of a day (``?ngay=YYYY-MM-DD``, today by default); an
    accountant opens any collecting member's of the agency (``?can-bo=<id>``, another's a
    404 like a missing one), a clerk only their own."""
    user = request.user
    assert isinstance(user, User)
    try:
        day = dt.date.fromisoformat(request.GET.get("ngay", ""))
    except ValueError:
        day = local_date(timezone.now())
    clerks = clerks_for(user, day)
    clerk = user
    chosen = request.GET.get("can-bo")
    if chosen:
        found = [c for c in clerks if str(c.pk) == chosen]
        if not found:
            raise Http404
        clerk = found[0]
    elif user not in clerks and clerks:
        clerk = clerks[0]  # an accountant keeps no book of their own
    if clerk != user:
        audit_log(
            actor=user,
            action="payment.cash_book_read",
            object_type="user",
            object_id=clerk.pk,
            data={"day": day.isoformat()},
        )
    book = cash_book_for(clerk, day, agency_ids=accounting_agency_ids(user))
    if request.GET.get("xlsx"):
        response = HttpResponse(
            cash_book_xlsx(book),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="so-thu-{day.isoformat()}.xlsx"'
        return response
    return render(
        request,
        "fees/cash_book.html",
        {
            "title": _("Sổ thu phí, lệ phí ngày %(day)s") % {"day": vn_date(day)},
            "clerks": clerks if len(clerks) > 1 or clerk != user else [],
            "clerk": clerk,
            "book": book,
            "day": day,
            "collected": vn_money(book.collected),
            "voided": vn_money(book.voided),
            "total": vn_money(book.total),
            "cash": vn_money(book.cash),
            "rows": [(p, vn_money(p.amount)) for p in book.rows],
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@staff_required(roles=ACCOUNTING_ROLES)
def reconcile_upload(request: HttpRequest) -> HttpResponse:
    """The accountant uploads the platform's statement of a day and sees every difference with
    the online payments of the agency (``fees.reconcile``, the same as
    ``motcua reconcile-payments``). Reads only."""
    user = request.user
    assert isinstance(user, User)
    agency_ids = accounting_agency_ids(user)
    assert agency_ids is not None  # the decorator admits accountants only
    error = ""
    mismatches: list[Mismatch] | None = None
    day = local_date(timezone.now()) - dt.timedelta(days=1)
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("statement")
        try:
            day = day_parse(request.POST.get("day", ""))
            if upload is None:
                raise StatementInvalid(_("Chưa chọn tệp sao kê."))
            if upload.size is not None and upload.size > STATEMENT_MAX_BYTES:
                raise StatementInvalid(_("Tệp sao kê quá lớn."))
            text = upload.read().decode("utf-8-sig")
            mismatches = reconcile(text, day, agency_ids=agency_ids)
        except UnicodeDecodeError:
            error = _("Tệp sao kê phải là CSV mã UTF-8.")
        except StatementInvalid as exc:
            error = str(exc)
        if error:
            status = 400
        else:
            assert mismatches is not None
            audit_log(
                actor=user,
                action="payment.reconcile",
                object_type="statement",
                object_id=day.isoformat(),
                data={"file": upload.name if upload else "", "mismatches": len(mismatches)},
            )
    return render(
        request,
        "fees/reconcile.html",
        {
            "title": _("Đối soát thanh toán trực tuyến"),
            "day": day,
            "error": error,
            "mismatches": mismatches,
        },
        status=status,
    )
