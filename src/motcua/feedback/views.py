"""Citizen and staff pages for ratings (``/danh-gia/``) and PAKN (``/phan-anh/``).

Codes and secrets: a wrong secret and an unknown code give the same "not found" page, and
every page that takes a secret is rate-limited per client address."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.core.access import client_ip, is_staff_side, staff_profile, staff_required
from motcua.core.audit import audit_log
from motcua.core.people import person_name
from motcua.core.ratelimit import rate_limit_hit, rate_setting
from motcua.core.secret_urls import secret_page
from motcua.dossiers.models import Dossier
from motcua.feedback.forms import (
    AnswerForm,
    ClassifyForm,
    FeedbackForm,
    ForwardForm,
    InfoRequestForm,
    LookupForm,
    PublishForm,
    RatingForm,
    RefuseForm,
    UnsatisfiedForm,
)
from motcua.feedback.models import KioskDevice, RatingChannel, Score
from motcua.feedback.queries import (
    FEEDBACK_WRITE_ROLES,
    feedback_for_staff,
    feedback_list_for_staff,
    feedback_list_published,
    kiosk_clerks_for,
    kiosk_counts,
    rating_summary,
)
from motcua.feedback.services import (
    FeedbackError,
    FeedbackInput,
    RatingAnswerError,
    feedback_answer,
    feedback_classify,
    feedback_for_secret,
    feedback_forward,
    feedback_mark_unsatisfied,
    feedback_publish,
    feedback_refuse,
    feedback_request_info,
    feedback_submit,
    kiosk_device_create,
    kiosk_rate,
    rating_allowed,
    rating_facts,
    rating_rubric,
    rating_submit,
    secret_matches,
)

NOT_FOUND_TEMPLATE = "feedback/not_found.html"


def _limited(request: HttpRequest, scope: str) -> bool:
    rate = rate_setting("FEEDBACK_RATE", "30/300")
    if rate is None:
        return False
    return rate_limit_hit(scope=scope, key=client_ip(request) or "-", limit=rate[0], window=rate[1])


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, NOT_FOUND_TEMPLATE, {"title": _("Không tìm thấy")}, status=404)


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/too_many.html", {"title": _("Quá nhiều yêu cầu")}, status=429)


# --- rating ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, code: str) -> HttpResponse:
    """The rating of a dossier under the rubric of its date, from the receipt's QR code or a
    notification; each error is shown next to its content."""
    if _limited(request, "rating"):
        return _too_many(request)
    secret = request.GET.get("bi-mat", "")
    dossier = Dossier.objects.filter(code=code).first()
    # Same page for an unknown code, a wrong secret and a dossier not yet rateable: the
    # address must not tell a guesser which codes exist.
    if dossier is None or not secret or not secret_matches(secret, dossier.secret):
        return _not_found(request)
    if not rating_allowed(dossier):
        return render(
            request, "feedback/rate_not_yet.html", {"title": _("Chưa thể đánh giá")}, status=404
        )
    existing = getattr(dossier, "rating", None)
    if existing is not None:
        return render(
            request, "feedback/rate_done.html", {"title": _("Cảm ơn"), "rating": existing}
        )
    channel = RatingChannel.QR if request.GET.get("kenh") == "qr" else RatingChannel.WEB
    form = RatingForm(
        request.POST or None, rubric=rating_rubric(dossier), facts=rating_facts(dossier)
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            rating = rating_submit(
                dossier=dossier,
                answers=form.answers(),
                comment=form.cleaned_data["comment"],
                channel=channel,
                ip=client_ip(request),
            )
        except RatingAnswerError as exc:
            form.add_error(exc.item if exc.item in form.fields else None, str(exc))
        except FeedbackError as exc:
            error = str(exc)
        else:
            return render(
                request, "feedback/rate_done.html", {"title": _("Cảm ơn"), "rating": rating}
            )
    return render(
        request,
        "feedback/rate.html",
        {"title": _("Đánh giá mức độ hài lòng"), "form": form, "dossier": dossier, "error": error},
    )


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, token: str) -> HttpResponse:
    """Three big faces on a counter tablet for one clerk; resets itself after a tap."""
    device = KioskDevice.objects.filter(token=token, active=True).select_related("clerk").first()
    if device is None:
        # Guessing tokens is limited per address; a real tablet is not (a whole center may sit
        # behind one address), only its taps are, per device.
        return _too_many(request) if _limited(request, "kiosk") else _not_found(request)
    if request.method == "POST":
        rate = rate_setting("KIOSK_RATE", "20/60")
        if rate and rate_limit_hit(
            scope="kiosk-tap", key=device.token, limit=rate[0], window=rate[1]
        ):
            return _too_many(request)
        try:
            score = int(request.POST.get("score", ""))
            kiosk_rate(device=device, score=score)
        except (ValueError, FeedbackError):
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(f"{request.path}?cam-on=1")
    faces = [
        (Score.SATISFIED, "😊", Score.SATISFIED.label, "good"),
        (Score.NEUTRAL, "😐", Score.NEUTRAL.label, "mid"),
        (Score.UNSATISFIED, "☹", Score.UNSATISFIED.label, "bad"),
    ]
    return render(
        request,
        "feedback/kiosk.html",
        {
            "title": _("Đánh giá cán bộ"),
            "device": device,
            "clerk_name": person_name(device.clerk),
            "faces": faces,
            "thanks": request.GET.get("cam-on") == "1",
        },
    )


# --- PAKN, public ---------------------------------------------------------------------------


def public_list(request: HttpRequest) -> HttpResponse:
    """Published answers, without any personal data."""
    page = Paginator(feedback_list_published(), 20).get_page(request.GET.get("trang"))
    return render(
        request,
        "feedback/public_list.html",
        {"title": _("Phản ánh, kiến nghị"), "page": page, "nav": "pakn"},
    )


def public_detail(request: HttpRequest, code: str) -> HttpResponse:
    feedback = feedback_list_published().filter(code=code).first()
    if feedback is None:
        raise Http404
    return render(
        request,
        "feedback/public_detail.html",
        {"title": feedback.title, "feedback": feedback, "nav": "pakn"},
    )


@secret_page  # the answer shows the new PAKN's secret
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    owner = _citizen(request)
    form = FeedbackForm(request.POST or None, initial=_initial(request, owner))
    error = ""
    if request.method == "POST":
        if _limited(request, "pakn-submit"):
            return _too_many(request)
        if form.is_valid():
            d = form.cleaned_data
            try:
                feedback = feedback_submit(
                    data=FeedbackInput(
                        subject=d["subject"],
                        title=d["title"],
                        text=d["text"],
                        name=d["name"],
                        phone=d["phone"],
                        email=d["email"],
                        address=d["address"],
                        reference=d["reference"],
                        owner=owner,
                    ),
                    ip=client_ip(request),
                )
            except FeedbackError as exc:
                error = str(exc)
            else:
                return render(
                    request,
                    "feedback/submitted.html",
                    {
                        "title": _("Đã tiếp nhận phản ánh, kiến nghị"),
                        "feedback": feedback,
                        "nav": "pakn",
                    },
                )
    return render(
        request,
        "feedback/submit.html",
        {"title": _("Gửi phản ánh, kiến nghị"), "form": form, "error": error, "nav": "pakn"},
    )


def _citizen(request: HttpRequest) -> User | None:
    """The signed-in citizen (not staff): their PAKN is tied to their account."""
    user = request.user
    if isinstance(user, User) and user.is_authenticated and not is_staff_side(user):
        return user
    return None


# How a signed-in citizen's contacts are read: the portal owns the accounts and registers its
# reader from its AppConfig.ready (feedback does not import portal; portal imports feedback).
_contact_reader: Callable[[User], dict[str, str]] | None = None


def citizen_contact_reader_register(reader: Callable[[User], dict[str, str]]) -> None:
    global _contact_reader
    _contact_reader = reader


def _initial(request: HttpRequest, owner: User | None) -> dict[str, str]:
    """A signed-in citizen's name and contacts; a link from a dossier or procedure page
    prefills what the PAKN is about."""
    contact = _contact_reader(owner) if owner and _contact_reader else {}
    initial = {k: v for k, v in contact.items() if v}
    if code := request.GET.get("ho-so", ""):
        return {**initial, "subject": "dossier", "reference": code}
    if code := request.GET.get("thu-tuc", ""):
        return {**initial, "subject": "procedure", "reference": code}
    return initial


@secret_page  # the answer to a POST holds the secret (a hidden field), not in its address
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Follow a PAKN with its code and secret; mark the answer unsatisfactory."""
    if _limited(request, "pakn-lookup"):
        return _too_many(request)
    data = (
        request.POST
        if request.method == "POST"
        else (request.GET if "code" in request.GET else None)
    )
    form = UnsatisfiedForm(data) if request.method == "POST" else LookupForm(data)
    feedback = None
    message = ""
    if data is not None and form.is_valid():
        feedback = feedback_for_secret(form.cleaned_data["code"], form.cleaned_data["secret"])
        if feedback is None:
            return _not_found(request)
        if request.method == "POST":
            try:
                feedback = feedback_mark_unsatisfied(
                    feedback=feedback,
                    secret=form.cleaned_data["secret"],
                    reason=form.cleaned_data.get("reason", ""),
                    ip=client_ip(request),
                )
                message = _("Đã ghi nhận ý kiến chưa hài lòng; phản ánh được xử lý lại.")
            except FeedbackError as exc:
                message = str(exc)
    return render(
        request,
        "feedback/lookup.html",
        {
            "title": _("Tra cứu phản ánh, kiến nghị"),
            "form": form,
            "feedback": feedback,
            "message": message,
            "secret": form.cleaned_data.get("secret", "") if feedback else "",
            "nav": "pakn",
        },
    )


# --- PAKN, staff ----------------------------------------------------------------------------


@staff_required()
def staff_list(request: HttpRequest) -> HttpResponse:
    """Open PAKN by answer deadline, the overdue ones marked (``?tat-ca=1`` shows all)."""
    show_all = request.GET.get("tat-ca") == "1"
    rows = feedback_list_for_staff(request.user, open_only=not show_all)
    page = Paginator(rows, 50).get_page(request.GET.get("trang"))
    return render(
        request,
        "feedback/staff_list.html",
        {
            "title": _("Xử lý phản ánh, kiến nghị"),
            "page": page,
            "now": timezone.now(),
            "show_all": show_all,
        },
    )


@staff_required()
@require_http_methods(["GET", "POST"])
def staff_detail(request: HttpRequest, code: str) -> HttpResponse:
    feedback = feedback_for_staff(request.user, code)
    if feedback is None:
        raise Http404
    if request.method == "GET":
        # The PAKN holds personal data: staff reads are audited as for dossiers (domain.md §12).
        audit_log(
            actor=request.user,
            action="feedback_view",
            object_type="feedback",
            object_id=feedback.code,
            ip=client_ip(request),
        )
    profile = staff_profile(request.user)
    can_act = profile is not None and profile.role in FEEDBACK_WRITE_ROLES
    forms_ = {
        "classify": ClassifyForm(initial={"kind": feedback.kind, "agency": feedback.agency_id}),
        "forward": ForwardForm(),
        "refuse": RefuseForm(),
        "info": InfoRequestForm(),
        "answer": AnswerForm(initial={"answer": feedback.answer}),
        "publish": PublishForm(initial={"public_text": feedback.public_text or feedback.text}),
    }
    error = ""
    if request.method == "POST":
        if not can_act:
            return render(request, NOT_FOUND_TEMPLATE, status=403)
        action = request.POST.get("action", "")
        try:
            if action == "classify":
                form = forms_[action] = ClassifyForm(request.POST)
                if form.is_valid():
                    feedback_classify(
                        feedback=feedback,
                        actor=request.user,
                        kind=form.cleaned_data["kind"],
                        agency=form.cleaned_data["agency"],
                    )
                    return _back(code)
            elif action == "forward":
                fform = forms_[action] = ForwardForm(request.POST)
                if fform.is_valid():
                    feedback_forward(
                        feedback=feedback,
                        actor=request.user,
                        to_agency=fform.cleaned_data["to_agency"],
                        note=fform.cleaned_data["note"],
                    )
                    return _back(code)
            elif action == "refuse":
                rform = forms_[action] = RefuseForm(request.POST)
                if rform.is_valid():
                    feedback_refuse(
                        feedback=feedback, actor=request.user, reason=rform.cleaned_data["reason"]
                    )
                    return _back(code)
            elif action == "info":
                iform = forms_[action] = InfoRequestForm(request.POST)
                if iform.is_valid():
                    feedback_request_info(
                        feedback=feedback,
                        actor=request.user,
                        question=iform.cleaned_data["question"],
                    )
                    return _back(code)
            elif action == "answer":
                aform = forms_[action] = AnswerForm(request.POST)
                if aform.is_valid():
                    feedback_answer(
                        feedback=feedback, actor=request.user, answer=aform.cleaned_data["answer"]
                    )
                    return _back(code)
            elif action == "publish":
                pform = forms_[action] = PublishForm(request.POST)
                if pform.is_valid():
                    feedback_publish(
                        feedback=feedback,
                        actor=request.user,
                        public_text=pform.cleaned_data["public_text"],
                    )
                    return _back(code)
        except FeedbackError as exc:
            error = str(exc)
    return render(
        request,
        "feedback/staff_detail.html",
        {
            "title": feedback.code,
            "feedback": feedback,
            "forms": forms_,
            "can_act": can_act,
            "error": error,
            "events": feedback.events.all(),
        },
    )


def _back(code: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("feedback:staff_detail", args=[code]))


@staff_required()
@require_http_methods(["GET", "POST"])
def staff_ratings(request: HttpRequest) -> HttpResponse:
    """Ratings and counter-tablet taps of the year to date; a clerk gets the address of a
    tablet for their own counter here."""
    if request.method == "POST":
        kiosk_device_create(
            clerk=request.user,  # type: ignore[arg-type]
            label=request.POST.get("label", ""),
            actor=request.user,
        )
        return HttpResponseRedirect(reverse("feedback:staff_ratings"))
    now = timezone.now()
    local_now = timezone.localtime(now)
    start = local_now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    end = local_now.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    clerks = {u.pk: u for u in kiosk_clerks_for(request.user)}
    taps = kiosk_counts(start, end, list(clerks))
    rows = [
        {
            "name": person_name(clerks[pk]),
            "levels": [by_score.get(s, 0) for s in (2, 1, 0)],
            "total": sum(by_score.values()),
        }
        for pk, by_score in taps.items()
    ]
    rows.sort(key=lambda r: str(r["name"]))
    devices = KioskDevice.objects.filter(clerk_id=request.user.pk, active=True)
    return render(
        request,
        "feedback/staff_ratings.html",
        {
            "title": _("Đánh giá mức độ hài lòng"),
            "summary": rating_summary(request.user, start, end),
            "kiosk_rows": rows,
            "devices": devices,
            "base_url": request.build_absolute_uri("/")[:-1],
            "year": local_now.year,
        },
    )
