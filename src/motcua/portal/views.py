"""Citizen-facing pages: the procedure catalogue, online submission, the public lookup and
the citizen's own dossiers and documents."""

from __future__ import annotations

import hashlib
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from motcua.agencies.models import Agency
from motcua.archive.forms import HeldUploads
from motcua.archive.models import Document
from motcua.archive.queries import dossier_document, result_document, store_documents_for
from motcua.archive.services import StoredDocumentKept, stored_document_delete
from motcua.archive.serving import FILE_POLICY, document_filename, document_open
from motcua.catalog.models import BlankForm, OnlineLevel, Part, ProcedureVersion
from motcua.catalog.queries import (
    procedure_current_version,
    procedure_search,
    procedure_versions_in_force,
)
from motcua.core.access import client_ip, is_staff_member, is_staff_side, landing_for
from motcua.core.audit import audit_log
from motcua.core.dbrouter import reads_from_replica
from motcua.core.formatting import vn_date, vn_date_long
from motcua.core.oidc import CITIZEN, OidcError, oidc_begin, oidc_enabled, oidc_finish
from motcua.core.ratelimit import rate_limit_hit, rate_note, rate_setting, rate_wait
from motcua.dossiers.applicants import Applicant, applicant_validate, result_address_check
from motcua.dossiers.classify import local_date, supplement_wait_days
from motcua.dossiers.errors import ApplicantInvalid, DossierError
from motcua.dossiers.intake_points import province_wide_listing
from motcua.dossiers.models import (
    ApplicantKind,
    Dossier,
    DossierEvent,
    DossierPart,
    EventType,
    Status,
)
from motcua.dossiers.queries import (
    DossierNotFound,
    dossier_code_forms,
    dossier_for,
    supplement_request,
)
from motcua.dossiers.rules import Action, dossier_actions
from motcua.dossiers.services import dossier_withdraw
from motcua.dossiers.uploads import UploadRefused, upload_check, upload_max_bytes
from motcua.feedback.queries import feedback_list_for_owner
from motcua.fees.compute import FeeAnswers
from motcua.fees.queries import money_text
from motcua.fees.services import fee_quote
from motcua.portal import queries
from motcua.portal.accounts import (
    AccountError,
    citizen_authenticate,
    citizen_oidc_link,
    citizen_oidc_sign_in,
    citizen_register,
    citizen_verified_id_number,
    password_reset_confirm,
    password_reset_request,
    registration_errors,
)
from motcua.portal.forms import (
    ApplicantForm,
    CompleteForm,
    DeliveryForm,
    FeeForm,
    ForgotForm,
    LoginForm,
    RegisterForm,
    ResetForm,
    SearchForm,
    SupplementNoteForm,
)
from motcua.portal.frame import render_public
from motcua.portal.models import CitizenIdentity, IdentityProvider
from motcua.portal.services import (
    PartSubmission,
    portal_dossier_complete,
    portal_dossier_submit,
    portal_supplement_submit,
)
from motcua.portal.templatetags.portal import code_nowrap

PAGE_SIZE = 20
ONLINE_LEVELS = (OnlineLevel.PARTIAL, OnlineLevel.FULL)


def _public_url(path: str) -> str:
    return str(settings.MOTCUA["PUBLIC_URL"]).rstrip("/") + path


def _qr_svg(url: str, *, scale: int, title: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=scale, border=2, title=title)


def _is_citizen(user: Any) -> bool:
    return bool(user.is_authenticated) and not is_staff_member(user)


# --- catalogue --------------------------------------------------------------------------------


def _agency_choices() -> list[tuple[str, str]]:
    agencies = Agency.objects.filter(pk__in=procedure_versions_in_force().values("agency"))
    return [(a.code, a.name) for a in agencies.order_by("name")]


def home(request: HttpRequest) -> HttpResponse:
    versions = procedure_versions_in_force()
    return render(
        request,
        "portal/home.html",
        {
            "title": _("Dịch vụ công"),
            "count": versions.count(),
            "online_count": versions.filter(online__in=ONLINE_LEVELS).count(),
            "nav": "home",
        },
    )


def procedure_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, agencies=_agency_choices())
    text, field, agency = "", None, None
    if form.is_valid():
        text = form.cleaned_data["q"] or ""
        field = form.cleaned_data["field"]
        code = form.cleaned_data["agency"]
        agency = Agency.objects.filter(code=code).first() if code else None
    results = procedure_search(text, field=field, agency=agency)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    return render(
        request,
        "portal/procedure_list.html",
        {
            "title": _("Thủ tục hành chính"),
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "searched": bool(text or field or agency),
            "nav": "procedures",
        },
    )


def _version_or_404(request: HttpRequest, code: str) -> ProcedureVersion:
    agency_code = request.GET.get("co-quan", "")
    agency = Agency.objects.filter(code=agency_code).first() if agency_code else None
    version = procedure_current_version(code, agency=agency)
    if version is None:
        raise Http404(_("Không tìm thấy thủ tục."))
    return version


def _procedure_context(request: HttpRequest, version: ProcedureVersion) -> dict[str, Any]:
    code = version.procedure.code
    path = reverse("portal:procedure", args=[code])
    others = list(
        procedure_versions_in_force()
        .filter(procedure__code=code)
        .exclude(agency=version.agency)
        .select_related("agency")
        .order_by("agency__name")
    )
    if others:
        path += "?" + urlencode({"co-quan": version.agency.code})
    places = queries.submission_places_with_contacts(version)
    return {
        "version": version,
        "code": code,
        "parts": list(version.parts.all()),
        "fee": queries.fee_display(version.fee),
        "duration": queries.duration_display(version),
        "places": [place.agency for place in places],
        "place_contacts": places,
        # The names are in the facts already: the card is for addresses, hours and phones.
        "places_reachable": any(place.contact for place in places),
        "forms": list(version.forms.all()),
        "steps": version.applicant_step_lines,
        "listing": province_wide_listing(version, timezone.localdate()),
        "online": version.online in ONLINE_LEVELS,
        "others": others,
        "page_url": _public_url(path),
        "agency_query": urlencode({"co-quan": version.agency.code}) if others else "",
        "legal_lines": [line for line in version.legal_basis.split(";") if line.strip()],
    }


def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    version = _version_or_404(request, code)
    context = _procedure_context(request, version)
    context.update(
        title=version.name,
        qr=_qr_svg(context["page_url"], scale=3, title=_("Mã QR của trang thủ tục")),
        nav="procedures",
    )
    return render(request, "portal/procedure_detail.html", context)


def procedure_print(request: HttpRequest, code: str) -> HttpResponse:
    """The A4 notice for the center's board: the same facts, a large QR code."""
    version = _version_or_404(request, code)
    context = _procedure_context(request, version)
    context.update(
        title=version.name,
        qr=_qr_svg(context["page_url"], scale=5, title=_("Mã QR của trang thủ tục")),
        today=timezone.localdate(),
    )
    return render(request, "portal/procedure_print.html", context)


def procedure_form(request: HttpRequest, code: str, form_id: int) -> FileResponse:
    """A blank form of a procedure, public: any version's (a dossier received under an older
    version may still need its form), sent as a download with its recorded content type."""
    form = get_object_or_404(BlankForm, pk=form_id, version__procedure__code=code)
    try:
        handle = form.file.open("rb")
    except FileNotFoundError as exc:  # a row whose file is gone: as missing as no row
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=form.download_name,
        content_type=form.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY
    # Public catalogue content, no personal data: a shared cache may keep it for a while.
    response["Cache-Control"] = "public, max-age=3600"
    return response


# --- accounts ---------------------------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    value = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def _landing(user: User, request: HttpRequest) -> str:
    return landing_for(user, _next_url(request), default=reverse("portal:my_dossiers"))


def _too_many(request: HttpRequest, window: int) -> HttpResponse:
    return render(
        request,
        "portal/too_many_accounts.html",
        {"minutes": max(1, window // 60), "title": _("Quá nhiều yêu cầu")},
        status=429,
    )


def _limited(request: HttpRequest, scope: str, setting: str, default: str) -> int | None:
    """The window in seconds when this address is over the ``setting`` rate, else None."""
    rate = rate_setting(setting, default)
    if rate is None:
        return None
    limit, window = rate
    key = client_ip(request) or "unknown"
    return window if rate_limit_hit(scope=scope, key=key, limit=limit, window=window) else None


@sensitive_post_parameters("password", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Registration answers the same whether the identifier was free or already registered
    (``citizen_register`` tells its owner through the outbox), and is limited per address."""
    form = RegisterForm(request.POST or None)
    if request.method == "POST":
        window = _limited(request, "register", "REGISTER_RATE", "10/3600")
        if window is not None:
            return _too_many(request, window)
    if request.method == "POST" and not form.is_valid():
        # The form's own error (the confirmation differs) must not hide the service's (too
        # short a password): every error at once, one round trip.
        for name, message in registration_errors(
            identifier=form.data.get("identifier", ""),
            password=form.data.get("password", ""),
            full_name=form.data.get("full_name", ""),
        ).items():
            if name in form.fields and name not in form.errors:
                form.add_error(name, message)
    elif request.method == "POST":
        try:
            citizen_register(
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
                full_name=form.cleaned_data["full_name"],
            )
        except AccountError as exc:
            for name, message in exc.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            url = reverse("portal:registered")
            next_url = _next_url(request)
            return HttpResponseRedirect(
                f"{url}?{urlencode({'next': next_url})}" if next_url else url
            )
    return render(
        request,
        "portal/register.html",
        {"form": form, "next": _next_url(request), "title": _("Đăng ký tài khoản")},
    )


@require_http_methods(["GET"])
def registered(request: HttpRequest) -> HttpResponse:
    """After a registration, whatever its outcome: see the message, then sign in."""
    return render(
        request,
        "portal/registered.html",
        {"next": _next_url(request), "title": _("Đăng ký tài khoản")},
    )


RESET_IDENTIFIER = "motcua_reset_identifier"


@never_cache
@require_http_methods(["GET", "POST"])
def password_forgot(request: HttpRequest) -> HttpResponse:
    """Ask for a recovery code. The answer is the same whether the identifier is registered
    or not; requests are limited per address here and per account in the service."""
    form = ForgotForm(request.POST or None)
    if request.method == "POST":
        window = _limited(request, "reset-request", "RESET_RATE", "5/900")
        if window is not None:
            return _too_many(request, window)
        if form.is_valid():
            identifier = form.cleaned_data["identifier"]
            password_reset_request(identifier=identifier, ip=client_ip(request) or "")
            # Kept in the session, not the URL: an address or phone number is personal.
            request.session[RESET_IDENTIFIER] = identifier
            return HttpResponseRedirect(reverse("portal:password_reset"))
    return render(
        request,
        "portal/password_forgot.html",
        {"form": form, "title": _("Quên mật khẩu")},
    )


@sensitive_post_parameters("code", "password", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Enter the recovery code and a new password; tries are limited per address here and
    per code in the service."""
    initial = {"identifier": request.session.get(RESET_IDENTIFIER, "")}
    form = ResetForm(request.POST or None, initial=initial)
    if request.method == "POST":
        window = _limited(request, "reset-code", "RESET_CODE_RATE", "10/900")
        if window is not None:
            return _too_many(request, window)
        if form.is_valid():
            try:
                password_reset_confirm(
                    identifier=form.cleaned_data["identifier"],
                    code=form.cleaned_data["code"],
                    password=form.cleaned_data["password"],
                    ip=client_ip(request) or "unknown",
                )
            except AccountError as exc:
                for name, message in exc.errors.items():
                    form.add_error(name if name in form.fields else None, message)
            else:
                request.session.pop(RESET_IDENTIFIER, None)
                messages.success(request, _("Đã đặt mật khẩu mới. Mời đăng nhập."))
                return HttpResponseRedirect(reverse("portal:login"))
    return render(
        request,
        "portal/password_reset.html",
        {"form": form, "title": _("Đặt lại mật khẩu")},
    )


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def citizen_login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    error = ""
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request) or "unknown"
        result = citizen_authenticate(
            identifier=form.cleaned_data["identifier"],
            password=form.cleaned_data["password"],
            ip=ip,
        )
        if result.user is not None:
            login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
            audit_log(
                actor=result.user,
                action="login",
                object_type="user",
                object_id=result.user.pk,
                ip=ip,
            )
            return HttpResponseRedirect(_landing(result.user, request))
        if result.locked_until is not None:
            until = timezone.localtime(result.locked_until).strftime("%H:%M")
            error = _(
                "Đăng nhập sai quá nhiều lần. Tài khoản tạm khóa trên máy này đến %(time)s; "
                "vui lòng thử lại sau."
            ) % {"time": until}
            status = 429
        else:
            error = _("Thư điện tử/số điện thoại hoặc mật khẩu không đúng.")
    return render(
        request,
        "portal/login.html",
        {
            "form": form,
            "error": error,
            "next": _next_url(request),
            "title": _("Đăng nhập"),
            "oidc": oidc_enabled(CITIZEN),
        },
        status=status,
    )


def _citizen_required(view: Any) -> Any:
    """Anonymous visitors go to the citizen login; staff, who have no citizen pages, to the
    staff application."""
    guarded = login_required(view, login_url="portal:login")

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if is_staff_side(request.user):
            return HttpResponseRedirect("/can-bo/")
        response: HttpResponse = guarded(request, *args, **kwargs)
        return response

    return wrapper


# --- sign-in with VNeID (OpenID Connect, core.oidc) -----------------------------------------------

OIDC_INTENT = "motcua_oidc_intent"


def _oidc_refused(request: HttpRequest, error: str, *, link: bool) -> HttpResponse:
    audit_log(
        actor=request.user if link else "anonymous",
        action="login.oidc_refused",
        object_type="user",
        object_id=request.user.pk if link and request.user.pk else "",
        ip=client_ip(request) or None,
        data={"provider": IdentityProvider.VNEID},
    )
    if link:
        messages.error(request, error)
        return HttpResponseRedirect(reverse("portal:account"))
    return render(
        request,
        "portal/login.html",
        {
            "form": LoginForm(),
            "error": error,
            "next": "",
            "title": _("Đăng nhập"),
            "oidc": oidc_enabled(CITIZEN),
        },
        status=400,
    )


@never_cache
@require_http_methods(["GET"])
def oidc_start(request: HttpRequest) -> HttpResponse:
    """Off to VNeID: to sign in, or (``?lien-ket=1``, from the account page of a signed-in
    citizen) to link VNeID to this account."""
    if not oidc_enabled(CITIZEN):
        raise Http404
    link = request.GET.get("lien-ket") == "1"
    if link and not _is_citizen(request.user):
        return HttpResponseRedirect(reverse("portal:login"))
    request.session[OIDC_INTENT] = {"link": link, "next": _next_url(request)}
    try:
        return oidc_begin(
            request,
            CITIZEN,
            redirect_uri=request.build_absolute_uri(reverse("portal:oidc_callback")),
        )
    except OidcError:
        return _oidc_refused(
            request, _("Không kết nối được với VNeID. Vui lòng thử lại sau."), link=link
        )


@never_cache
@require_http_methods(["GET"])
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """Back from VNeID: authlib checks state, PKCE, the ID token's signature, issuer,
    audience and nonce; then the account is found, linked or created (``portal.accounts``)."""
    if not oidc_enabled(CITIZEN):
        raise Http404
    intent: dict[str, Any] = request.session.pop(OIDC_INTENT, None) or {}
    link = bool(intent.get("link")) and _is_citizen(request.user)
    ip = client_ip(request) or ""
    try:
        claims = oidc_finish(request, CITIZEN)
    except OidcError:
        return _oidc_refused(
            request, _("Đăng nhập bằng VNeID không thành công. Vui lòng thử lại."), link=link
        )
    try:
        if link:
            user = request.user
            assert isinstance(user, User)
            citizen_oidc_link(user=user, provider=IdentityProvider.VNEID, claims=claims, ip=ip)
            messages.success(request, _("Đã liên kết tài khoản với VNeID."))
            return HttpResponseRedirect(reverse("portal:account"))
        user = citizen_oidc_sign_in(provider=IdentityProvider.VNEID, claims=claims, ip=ip)
    except AccountError as exc:
        return _oidc_refused(request, " ".join(exc.errors.values()), link=link)
    if is_staff_member(user):
        # A staff member's own account is never a citizen one (their login is the staff one).
        return _oidc_refused(request, _("Tài khoản này không phải tài khoản công dân."), link=False)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    audit_log(
        actor=user,
        action="login",
        object_type="user",
        object_id=user.pk,
        ip=ip or None,
        data={"provider": IdentityProvider.VNEID},
    )
    next_url = str(intent.get("next") or "")
    return HttpResponseRedirect(landing_for(user, next_url, default=reverse("portal:my_dossiers")))


# --- online submission -----------------------------------------------------------------------


def _reusable_documents(user: User, part: Part) -> list[Document]:
    if not part.reusable:
        return []
    # Only what may still be reused: a document past its validity is refused by the service.
    documents = [d for d in store_documents_for(user)[:50] if d.is_valid_today]
    # The documents of that name first (the same part of an earlier dossier), then the rest.
    documents.sort(key=lambda d: (d.name != part.name, -d.pk))
    return documents


def _part_rows(user: User, parts: list[Part]) -> list[dict[str, Any]]:
    return [
        {
            "part": p,
            "documents": _reusable_documents(user, p),
            "error": "",
            "kept": [],
            "field": _part_field(p),
            "describedby": "",
            "chosen": "",
        }
        for p in parts
    ]


def _part_field(part: Part) -> str:
    return f"part-{part.pk}"


def _collect_parts(
    request: HttpRequest,
    keeper: HeldUploads,
    user: User,
    rows: list[dict[str, Any]],
    *,
    required: bool,
) -> tuple[list[PartSubmission], bool]:
    """Each part's upload (checked by content; sent now or held from an earlier try) or
    chosen stored document, and whether all were accepted (the errors are written into
    ``rows``)."""
    items: list[PartSubmission] = []
    ok = True
    for row in rows:
        part: Part = row["part"]
        upload = keeper.files.get(_part_field(part))
        choice = request.POST.get(f"reuse-{part.pk}", "")
        row["chosen"] = choice
        if upload is not None:
            try:
                checked = upload_check(upload)
            except UploadRefused as exc:
                row["error"], ok = str(exc), False
                continue
            items.append(PartSubmission(part=part, name=part.name, upload=checked))
        elif choice and part.reusable:
            document = store_documents_for(user).filter(pk=choice).first()
            if document is None:
                row["error"], ok = _("Giấy tờ được chọn không có trong kho dữ liệu."), False
                continue
            items.append(PartSubmission(part=part, name=part.name, stored=document))
        elif required:
            row["error"], ok = _("Phải chọn tệp cho giấy tờ này."), False
    return items, ok


def _parts_hold(
    keeper: HeldUploads, items: list[PartSubmission], rows: list[dict[str, Any]]
) -> None:
    """The form failed: hold every accepted upload and show it on its part's row."""
    for item in items:
        if item.upload is not None and item.part is not None:
            keeper.hold(
                _part_field(item.part),
                item.upload.upload,
                content_type=item.upload.content_type,
                sha256=item.upload.sha256,
            )
    for row in rows:
        row["kept"] = keeper.kept(row["field"])
        row["describedby"] = f"err-{row['part'].pk}" if row["error"] else ""


@_citizen_required
@never_cache
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, code: str) -> HttpResponse:
    version = _version_or_404(request, code)
    user = request.user
    assert isinstance(user, User)
    if version.online not in ONLINE_LEVELS:
        messages.warning(request, _("Thủ tục này chưa cung cấp dịch vụ nộp hồ sơ trực tuyến."))
        return HttpResponseRedirect(reverse("portal:procedure", args=[code]))
    parts = list(version.parts.all())
    rows = _part_rows(user, parts)
    form = ApplicantForm(request.POST or None, initial=queries.citizen_contact(user))
    delivery = DeliveryForm(request.POST or None)
    fee_form = FeeForm(request.POST or None)
    fee_answers: FeeAnswers | None = None
    error = ""
    status = 200
    template = "portal/submit.html"
    if request.method == "POST":
        # The form's button asks for the check page ("buoc=kiem-tra"); the check page's
        # "Sửa lại" comes back to the form; its "Nộp hồ sơ" (no step) submits.
        step = request.POST.get("buoc", "")
        keeper = HeldUploads(request)
        applicant: Applicant | None = None
        if form.is_valid():
            try:
                applicant = applicant_validate(Applicant(**form.cleaned_data))
            except ApplicantInvalid as exc:
                for name, message in exc.errors.items():
                    form.add_error(name if name in form.fields else None, message)
        result_channel = delivery.cleaned_data["delivery"] if delivery.is_valid() else ""
        if applicant is not None:
            try:
                result_address_check(result_channel, applicant)
            except ApplicantInvalid as exc:
                for name, message in exc.errors.items():
                    form.add_error(name, message)
                applicant = None
        if fee_form.is_valid() and applicant is not None:
            # The questions the counter asks (issue 17): the same pure fee function.
            fee_answers = FeeAnswers(
                applicant="organization"
                if applicant.kind == ApplicantKind.ORGANIZATION
                else "citizen",
                copies=fee_form.cleaned_data["copies"] or 1,
                exemption=fee_form.cleaned_data["exemption"] or "",
            )
        items, parts_ok = _collect_parts(request, keeper, user, rows, required=True)
        valid = (
            applicant is not None and parts_ok and delivery.is_valid() and fee_answers is not None
        )
        if valid and step == "":
            assert applicant is not None
            try:
                dossier = portal_dossier_submit(
                    owner=user,
                    procedure_version=version,
                    applicant=applicant,
                    parts=items,
                    result_channel=result_channel,
                    fee_answers=fee_answers,
                )
            except DossierError as exc:
                error = str(exc)
            else:
                keeper.release()
                # The code and the secret each kept on one line at 360 px (a message is
                # escaped text otherwise: its hyphens are break opportunities).
                text = _(
                    "Đã nộp hồ sơ %(code)s. Mã tra cứu: %(secret)s. Bộ phận Một cửa sẽ "
                    "kiểm tra và tiếp nhận trong 8 giờ làm việc."
                )
                messages.success(
                    request,
                    mark_safe(
                        conditional_escape(text)
                        % {"code": code_nowrap(dossier.code), "secret": code_nowrap(dossier.secret)}
                    ),
                )
                return HttpResponseRedirect(reverse("portal:my_dossier", args=[dossier.code]))
        _parts_hold(keeper, items, rows)
        if valid and step == "kiem-tra":
            template = "portal/submit_check.html"
        elif not (valid and step == "sua"):
            status = 400
    return render(
        request,
        template,
        {
            "title": _("Nộp hồ sơ trực tuyến"),
            "version": version,
            "form": form,
            "delivery": delivery,
            "fee_form": fee_form,
            "fee_quote": (
                money_text(fee_quote(version, fee_answers).total) if fee_answers is not None else ""
            ),
            "rows": rows,
            "error": error,
            "failed": status == 400,
            "fee": queries.fee_display(version.fee),
            "max_mb": upload_max_bytes() // (1024 * 1024),
            "nav": "procedures",
        },
        status=status,
    )


# --- the citizen's own dossiers and documents ---------------------------------------------------


@_citizen_required
@never_cache
def my_dossiers(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    page = Paginator(queries.citizen_dossiers(user), PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "portal/my_dossiers.html",
        {
            "title": _("Hồ sơ của tôi"),
            "page": page,
            "feedback": feedback_list_for_owner(user)[:PAGE_SIZE],
            "nav": "mine",
        },
    )


def _own_dossier(request: HttpRequest, code: str) -> Dossier:
    user = request.user
    if not _is_citizen(user):
        raise DossierNotFound(code)
    return dossier_for(user, code)


def _completion_request(dossier: Dossier) -> DossierEvent | None:
    return (
        DossierEvent.objects.filter(dossier=dossier, type=EventType.COMPLETION_REQUESTED)
        .order_by("-at", "-id")
        .first()
    )


def _supplement_rows(user: User, items: list[str]) -> list[dict[str, Any]]:
    """One upload (or a pick from the store) per requested item."""
    documents = list(store_documents_for(user)[:50])
    return [
        {
            "field": f"item-{i}",
            "name": item,
            # The documents of that name first (asked again by name), then the newest.
            "documents": sorted(documents, key=lambda d: (d.name != item, -d.pk)),
            "error": "",
            "kept": [],
            "describedby": "",
            "chosen": "",
            "checked": None,
        }
        for i, item in enumerate(items, start=1)
    ]


def _collect_items(
    request: HttpRequest, keeper: HeldUploads, user: User, rows: list[dict[str, Any]]
) -> tuple[list[PartSubmission], bool]:
    """Each requested item's upload (checked by content; sent now or held from an earlier
    try) or chosen stored document, named after the item, and whether all were accepted
    (the errors are written into ``rows``, next to their item)."""
    items: list[PartSubmission] = []
    ok = True
    for row in rows:
        upload = keeper.files.get(row["field"])
        choice = request.POST.get(f"reuse-{row['field']}", "")
        row["chosen"] = choice
        name = row["name"][:500]
        if upload is not None:
            try:
                checked = upload_check(upload)
            except UploadRefused as exc:
                row["error"], ok = str(exc), False
                continue
            row["checked"] = checked
            items.append(PartSubmission(part=None, name=name, upload=checked))
        elif choice:
            document = store_documents_for(user).filter(pk=choice).first()
            if document is None:
                row["error"], ok = _("Giấy tờ được chọn không có trong kho dữ liệu."), False
                continue
            items.append(PartSubmission(part=None, name=name, stored=document))
    return items, ok


def _items_hold(keeper: HeldUploads, rows: list[dict[str, Any]]) -> None:
    """The form failed: hold every accepted upload and show it on its item's row."""
    for row in rows:
        checked = row["checked"]
        if checked is not None:
            keeper.hold(
                row["field"],
                checked.upload,
                content_type=checked.content_type,
                sha256=checked.sha256,
            )
        row["kept"] = keeper.kept(row["field"])
        row["describedby"] = f"err-{row['field']}" if row["error"] else ""


@_citizen_required
@never_cache
@require_http_methods(["GET", "POST"])
def my_dossier(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _own_dossier(request, code)
    user = request.user
    assert isinstance(user, User)
    needs_completion = dossier.status == Status.NEEDS_COMPLETION
    supplement = supplement_request(dossier)
    rows = _part_rows(user, list(dossier.procedure_version.parts.all()))
    supplement_rows = _supplement_rows(user, supplement.items) if supplement else []
    # Bound on every POST, an empty one too (it is then refused with a message).
    form_class = SupplementNoteForm if supplement else CompleteForm
    form = form_class(request.POST if request.method == "POST" else None)
    error = ""
    status = 200
    if request.method == "POST":
        if not needs_completion and supplement is None:
            raise Http404
        keeper = HeldUploads(request)
        if supplement is not None:
            items, parts_ok = _collect_items(request, keeper, user, supplement_rows)
        else:
            items, parts_ok = _collect_parts(request, keeper, user, rows, required=False)
        if parts_ok and form.is_valid():
            if not items and not form.cleaned_data["note"].strip():
                error = _("Phải gửi ít nhất một tệp hoặc một ghi chú.")
            else:
                send = portal_supplement_submit if supplement else portal_dossier_complete
                try:
                    send(owner=user, dossier=dossier, parts=items, note=form.cleaned_data["note"])
                except DossierError as exc:
                    error = str(exc)
                else:
                    keeper.release()
                    messages.success(
                        request,
                        _(
                            "Đã gửi hồ sơ bổ sung. Thời hạn giải quyết được tính lại từ đầu "
                            "khi cơ quan giải quyết nhận đủ hồ sơ bổ sung."
                        )
                        if supplement
                        else _("Đã gửi hồ sơ bổ sung, hoàn thiện."),
                    )
                    return HttpResponseRedirect(reverse("portal:my_dossier", args=[code]))
        if supplement is not None:
            _items_hold(keeper, supplement_rows)
        else:
            _parts_hold(keeper, items, rows)
        status = 400
    return render(
        request,
        "portal/my_dossier.html",
        {
            "title": _("Hồ sơ %(code)s") % {"code": dossier.code},
            "dossier": dossier,
            "info": queries.dossier_public_status(dossier),
            "timeline": queries.dossier_timeline(dossier),
            "parts": list(
                DossierPart.objects.filter(dossier=dossier).prefetch_related("documents")
            ),
            "result_document": result_document(dossier),
            "needs_completion": needs_completion,
            "request_event": _completion_request(dossier) if needs_completion else None,
            "supplement": supplement,
            "supplement_rows": supplement_rows,
            "wait_days": supplement_wait_days(),
            "supplement_requested_on": vn_date(local_date(supplement.at)) if supplement else "",
            "supplement_last_day": vn_date_long(supplement.last_day) if supplement else "",
            "rows": rows,
            "form": form,
            "error": error,
            "rating_url": _rating_url(dossier),
            "max_mb": upload_max_bytes() // (1024 * 1024),
            "may_withdraw": Action.WITHDRAW in dossier_actions(user, dossier),
            "nav": "mine",
        },
        status=status,
    )


@_citizen_required
@require_http_methods(["POST"])
def my_dossier_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant withdraws their own dossier (``dossier_withdraw``; the rule table says
    when: before acceptance, and while it waits for a fee owed before processing)."""
    dossier = _own_dossier(request, code)
    try:
        dossier_withdraw(
            dossier=dossier, actor=request.user, reason=request.POST.get("reason", "")[:500]
        )
    except DossierError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã rút hồ sơ."))
    return HttpResponseRedirect(reverse("portal:my_dossier", args=[code]))


@_citizen_required
def my_dossier_file(request: HttpRequest, code: str, document_id: int) -> FileResponse:
    """A document of the citizen's own dossier (a part's file, the result), opened in the
    browser when it is a PDF or an image (``?tai=1``: downloaded); media is never served
    publicly. Another person's dossier or document is a 404 like a missing one."""
    dossier = _own_dossier(request, code)
    document = dossier_document(dossier, document_id)
    if document is None:
        raise Http404
    return document_open(
        document,
        actor=request.user,
        via="portal",
        filename=document_filename(document, dossier.code),
        download=bool(request.GET.get("tai")),
    )


@_citizen_required
@never_cache
def my_documents(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return render(
        request,
        "portal/my_documents.html",
        {
            "title": _("Kho dữ liệu của tôi"),
            "documents": store_documents_for(user),
            "nav": "documents",
        },
    )


@_citizen_required
def my_document_file(request: HttpRequest, pk: int) -> FileResponse:
    """A document of the citizen's own store, opened in the browser like a dossier's."""
    user = request.user
    assert isinstance(user, User)
    document = get_object_or_404(store_documents_for(user), pk=pk)
    return document_open(
        document,
        actor=user,
        via="portal",
        filename=document_filename(document, "giay-to"),
        download=bool(request.GET.get("tai")),
    )


@_citizen_required
@require_http_methods(["GET", "POST"])
def my_document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of the citizen's own uploads from their store: a page that asks first
    (GET), the deletion on its button (POST). What may not go says why, on the same page."""
    user = request.user
    assert isinstance(user, User)
    document = get_object_or_404(store_documents_for(user), pk=pk)
    error = ""
    if request.method == "POST":
        try:
            stored_document_delete(document=document, actor=user)
        except StoredDocumentKept as kept:
            error = str(kept)
        except Document.DoesNotExist as missing:
            raise Http404 from missing
        else:
            messages.success(request, _("Đã xóa “%(name)s” khỏi kho.") % {"name": document.name})
            return HttpResponseRedirect(reverse("portal:my_documents"))
    return render(
        request,
        "portal/my_document_delete.html",
        {
            "title": _("Xóa giấy tờ"),
            "document": document,
            "error": error,
            "nav": "documents",
        },
        status=409 if error else 200,
    )


# --- public lookup ----------------------------------------------------------------------------


def _rating_url(dossier: Dossier | queries.PublicDossier) -> str:
    """Where the applicant rates the dossier (the feedback app, ND 118/2025 Điều 33)."""
    return f"/danh-gia/{dossier.code}/?{urlencode({'bi-mat': dossier.secret})}"


def _lookup_page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    # The result is rendered per request; only the frame around it comes from the cache.
    return render_public(request, "portal/lookup.html", "portal/lookup_content.html", context)


def _lookup_wait(request: HttpRequest, code: str) -> int:
    """Seconds before this lookup may go (0: now), counted per client address and per
    dossier code (``core.ratelimit.rate_wait``: a growing delay, not a wall).

    Per address with a high ceiling: behind a carrier's shared address or a centre's kiosk
    many citizens look up from one address. Per code with a low one: guessing the secret of
    one code from many addresses slows down just the same."""
    checks = []
    address = rate_setting("LOOKUP_RATE", "60/300")
    if address is not None:
        checks.append(("lookup", client_ip(request) or "unknown", *address))
    per_code = rate_setting("LOOKUP_CODE_RATE", "10/300")
    if per_code is not None:
        key = hashlib.sha256(dossier_code_forms(code)[1].encode()).hexdigest()[:32]
        checks.append(("lookup-code", key, *per_code))
    wait = max((rate_wait(scope=s, key=k, limit=n, window=w) for s, k, n, w in checks), default=0)
    if not wait:
        for scope, key, _n, window in checks:
            rate_note(scope=scope, key=key, window=window)
    return wait


# A replica may serve it (core.dbrouter): a few seconds' lag is harmless here, and the
# citizen who has just written reads from the primary anyway.
@reads_from_replica()
def _lookup_found(code: str, secret: str) -> dict[str, Any] | None:
    """What the lookup page shows of the dossier whose code and secret match, or None."""
    dossier = queries.dossier_public_lookup(code, secret)
    if dossier is None:
        return None
    info = queries.dossier_public_status(dossier)
    return {
        "dossier": dossier,
        "masked_name": queries.mask_name(dossier.applicant_name),
        "info": info,
        "timeline": queries.dossier_timeline(dossier),
        "rating_url": _rating_url(dossier) if info.rateable else "",
    }


@never_cache
@require_http_methods(["GET"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Follow a dossier with the code and the secret printed on the receipt, no account.

    The secret is in the address: core.middleware.SecretURLMiddleware sends the answer with
    ``no-store`` and a Referer without the address, whichever of the branches below answers.

    A guessed code and a wrong secret get the very same page (the form, empty, with the
    same message): nothing tells whether the code exists."""
    code = request.GET.get("ma", "")
    secret = request.GET.get("bi-mat", "")
    context: dict[str, Any] = {"title": _("Tra cứu hồ sơ"), "nav": "lookup"}
    if not code and not secret:
        return _lookup_page(request, context)
    wait = _lookup_wait(request, code)
    if wait:
        response = render(
            request,
            "portal/too_many.html",
            {
                "title": _("Quá nhiều lượt tra cứu"),
                "seconds": wait,
                "lookup_code": code,
                "lookup_secret": secret,
            },
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
    found = _lookup_found(code, secret)
    if found is None:
        # 200, like a search without results: a 404 would also fill the server log with a
        # warning per guess. Both fields stay as typed (the page is never stored: the
        # secret is in its address anyway), so a citizen corrects one character.
        context.update(not_found=True, lookup_code=code, lookup_secret=secret)
    else:
        context.update(found)
    return _lookup_page(request, context)


@_citizen_required
@never_cache
@require_http_methods(["GET"])
def account(request: HttpRequest) -> HttpResponse:
    """The citizen's account: how they sign in, their verified ID number, and the way to
    link VNeID."""
    user = request.user
    assert isinstance(user, User)
    identities = list(CitizenIdentity.objects.filter(user=user).order_by("id"))
    return render(
        request,
        "portal/account.html",
        {
            "title": _("Tài khoản của tôi"),
            "identities": identities,
            "id_number": citizen_verified_id_number(user),
            "can_link": oidc_enabled(CITIZEN)
            and not any(i.provider == IdentityProvider.VNEID for i in identities),
            "nav": "account",
        },
    )


def scoreboard(request: HttpRequest) -> HttpResponse:
    """The public QĐ 766 index per agency (issue 18.3): scores only, no dossier or person."""
    from motcua.reports.ranking import RankingPeriod, ranking_snapshot

    today = timezone.localdate()
    snapshot = ranking_snapshot(RankingPeriod(today.year))
    return render(
        request,
        "portal/scoreboard.html",
        {
            "title": _("Bảng xếp hạng"),
            "year": today.year,
            "date_to": snapshot["date_to"] or today,
            "computed_at": snapshot["computed_at"],
            "ranking": snapshot["rows"],
            "nav": "scoreboard",
        },
    )
