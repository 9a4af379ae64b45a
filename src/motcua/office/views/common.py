"""What the staff pages share: the one access path to a dossier, running one service call
with its errors as messages, and small request helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import (
    HttpRequest,
)
from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.core.access import staff_profile
from motcua.core.models import StaffProfile
from motcua.dossiers.errors import ConflictError, DossierError
from motcua.dossiers.models import (
    Dossier,
)
from motcua.dossiers.queries import dossier_for
from motcua.dossiers.scope import request_scope


def is_htmx(request: HttpRequest) -> bool:
    """Whether django-htmx's middleware saw an HTMX request (a partial page is wanted)."""
    return bool(getattr(request, "htmx", False))


def request_profile(request: HttpRequest) -> StaffProfile:
    profile = staff_profile(request.user)
    assert profile is not None  # staff_required ran first
    return profile


# --- the dossier: one access path ---------------------------------------------------------


def dossier_get(request: HttpRequest, code: str, *, write: bool = False) -> Dossier:
    """The dossier ``code`` through the one access function: 404 for a dossier the user may
    not see (or change, with ``write``), the same as for a code that does not exist
    (domain.md §12). ``dossier_for`` writes the read to the audit trail."""
    return dossier_for(request.user, code, write=write, scope=request_scope(request))


def service_call(
    request: HttpRequest, service: Callable[..., Any], *, form: Any = None, **kwargs: Any
) -> bool:
    """Run one service call. Its refusal (a ``DossierError``) becomes an error of ``form``
    (shown with the form, in the page's error summary) when the call is a form's, else a
    Vietnamese message on the next page."""
    try:
        service(actor=request.user, **kwargs)
    except ConflictError as exc:
        message = str(exc) or _(
            "Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại trang và thực hiện lại."
        )
    except DossierError as exc:  # ApplicantInvalid too
        message = str(exc)
    else:
        return True
    if form is not None:
        form.add_error(None, message)
    else:
        messages.error(request, message)
    return False


def detail_url(dossier: Dossier) -> str:
    return reverse("office:dossier", args=[dossier.code])


def error_summary(form: Any, title: str) -> dict[str, Any] | None:
    """The error summary shown first on a page whose form failed (``_error_summary.html``):
    each message linking to its field (the box's id), the form-wide ones without a link."""
    errors = []
    for name, field_errors in form.errors.items():
        anchor = form[name].id_for_label if name in form.fields else ""
        errors += [{"message": message, "anchor": anchor} for message in field_errors]
    return {"title": title, "errors": errors} if errors else None
