"""Error pages in the site's own layout and language (400, 403, 404, 500, CSRF failure).

Django's defaults are bare English pages; a clerk or a citizen should read, in Vietnamese
(or English through the language switch), what happened and what to do next, with the
navigation of the side they were on: the staff layout under the staff addresses, the
portal's elsewhere. A 404 says the same for a page that does not exist and for a dossier
the person may not see (domain.md §12): it never repeats the address or the code.
The 500 page is self-contained (``500.html``): when the server fails, the layout's own
queries might fail too.
"""

from __future__ import annotations

import base64
import hashlib
import re

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults

from motcua.core.access import STAFF_PREFIXES


def _layout(request: HttpRequest) -> str:
    return "office/base.html" if request.path.startswith(STAFF_PREFIXES) else "portal/layout.html"


def _home(request: HttpRequest) -> str:
    return "/can-bo/" if request.path.startswith(STAFF_PREFIXES) else "/"


def _back(request: HttpRequest) -> str:
    """The page the form was on (its Referer, if on this site), to reload it: the address
    that refused the form only takes POST."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return _home(request)


def error_page(
    request: HttpRequest, *, status: int, heading: str, advice: str, reload: bool = False
) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "layout": _layout(request),
            "title": heading,
            "heading": heading,
            "advice": advice,
            "reload": _back(request) if reload else "",
            "home": _home(request),
            # The language switch comes back to the side's home, not to this address: the
            # page then looks the same whatever dossier code was asked for.
            "lang_next": _home(request),
            "status": status,
        },
        status=status,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(
        request,
        status=400,
        heading=_("Yêu cầu không hợp lệ"),
        advice=_(
            "Trình duyệt đã gửi một yêu cầu mà hệ thống không xử lý được. Vui lòng quay lại "
            "trang trước, tải lại trang và thực hiện lại."
        ),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(
        request,
        status=403,
        heading=_("Bạn không có quyền mở trang này"),
        advice=_(
            "Trang này dành cho vai trò khác. Nếu bạn cần dùng chức năng này, vui lòng liên hệ "
            "quản trị hệ thống để được phân quyền."
        ),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # One text for "missing" and "not yours" (domain.md §12).
    return error_page(
        request,
        status=404,
        heading=_("Không tìm thấy trang hoặc hồ sơ"),
        advice=_(
            "Địa chỉ không đúng, hoặc hồ sơ không tồn tại hay không thuộc phạm vi bạn được "
            "xem. Vui lòng kiểm tra lại mã hồ sơ hoặc tìm từ danh sách."
        ),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form was sent with an outdated security token: typically the person logged out
    and in again in another tab, or the page stayed open a long time."""
    return error_page(
        request,
        status=403,
        heading=_("Trang đã cũ, thao tác chưa được thực hiện"),
        advice=_(
            "Phiên làm việc đã thay đổi (ví dụ bạn đã đăng xuất rồi đăng nhập lại ở thẻ khác) "
            "hoặc trang đã mở quá lâu. Dữ liệu bạn vừa gửi chưa được lưu. Vui lòng tải lại "
            "trang và thực hiện lại."
        ),
        reload=True,
    )


_INLINE_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def server_error(request: HttpRequest) -> HttpResponseBase:
    """Django's 500 page (templates/500.html), with its inline ``<style>`` allowed by hash.

    The page is self-contained on purpose: it must show when little else works, so it loads
    no stylesheet. The Content-Security-Policy allows no inline style, except, on this one
    response, the exact bytes of the styles it carries."""
    return inline_styles_allowed(defaults.server_error(request))


def inline_styles_allowed(response: HttpResponseBase) -> HttpResponseBase:
    """``response`` with the exact inline ``<style>`` blocks it carries allowed by hash in
    its Content-Security-Policy (the self-contained 500 and 503 pages), nothing else."""
    assert isinstance(response, HttpResponse)
    hashes = [
        f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'"
        for style in _INLINE_STYLE.findall(response.content.decode())
    ]
    response._csp_update = {"style-src": hashes}  # type: ignore[attr-defined]  # django-csp
    return response


# Seconds a client is asked to wait when the database is busy: about the web's SQLite busy
# timeout (settings.py), after which a lock held by a backup or a long write is usually gone.
RETRY_AFTER = 5


def database_unavailable_body() -> dict[str, object]:
    """The JSON API's body for a request the database could not serve (its error shape,
    api.main.error_body, without importing the API from core)."""
    return {
        "detail": _(
            "Cơ sở dữ liệu đang bận hoặc tạm thời không kết nối được; yêu cầu chưa được thực "
            "hiện. Vui lòng gửi lại sau %(seconds)s giây."
        )
        % {"seconds": RETRY_AFTER},
        "code": "unavailable",
        "errors": [],
    }


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After`` for a request that could not get the database (SQLite's
    write lock not granted within the busy timeout, PostgreSQL restarting): JSON under
    /api/ and for /healthz, the self-contained Vietnamese page elsewhere. Nothing was
    saved: every write path runs in one transaction."""
    response: HttpResponse
    if request.path.startswith(("/api/", "/healthz")):
        response = JsonResponse(database_unavailable_body(), status=503)
    else:
        html = render_to_string("503.html", {"retry_after": RETRY_AFTER}, request=None)
        response = HttpResponse(html, status=503)
        inline_styles_allowed(response)
    response["Retry-After"] = str(RETRY_AFTER)
    return response
