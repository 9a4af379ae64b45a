"""The postal service's tracking callbacks (``POST /api/postal/tracking``).

The postal service calls with a bearer token issued to its own account; the dossier is found
by the tracking number its pickup order got (``Dossier.postal_tracking``), or by the dossier
code, among the dossiers that account may see (another's answers 404 like a missing one).
What each report does is ``dossiers.services.dossier_postal_report``'s."""

# No ``from __future__ import annotations``: ninja reads the views' annotations at import time.
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404, HttpRequest
from ninja import Router

from motcua.api.auth import token_auth
from motcua.api.models import Scope
from motcua.api.schemas import ErrorOut, PostalTrackingIn, PostalTrackingOut
from motcua.api.scopes import require_scope
from motcua.core.people import person_name
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.postal_orders import postal_actor
from motcua.dossiers.queries import dossiers_visible_to

router = Router(auth=[token_auth], tags=["Bưu chính"])


def _dossier(user: AbstractBaseUser, payload: PostalTrackingIn) -> Dossier:
    tracking, code = payload.tracking_number.strip(), payload.dossier_code.strip()
    if not tracking and not code:
        raise Http404
    found = dossiers_visible_to(user)
    if tracking:
        found = found.filter(postal_tracking=tracking)
    if code:
        found = found.filter(code=code)
    dossier = found.first()
    if dossier is None:
        raise Http404
    return dossier


@router.post(
    "/tracking",
    response={200: PostalTrackingOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Bưu chính báo hành trình bưu gửi kết quả (đã phát, chuyển hoàn, đang chuyển)",
    description=(
        "delivered: ghi nhận đã trả kết quả qua bưu chính (như trả tại quầy); returned: kết quả "
        "chuyển hoàn về Bộ phận Một cửa, hồ sơ vẫn ở trạng thái “Đã có kết quả”; in_transit: chỉ "
        "ghi nhật ký. Gửi lại cùng thông báo không thay đổi gì (changed = false). 404: không "
        "có hồ sơ với mã vận đơn / mã hồ sơ này trong phạm vi của tài khoản. 422: thông báo "
        "không hợp với hồ sơ (ví dụ chuyển hoàn một kết quả đã trả)."
    ),
)
@require_scope(Scope.POSTAL)  # SCOPE: postal — the postal service's token calls this only
def tracking(request: HttpRequest, payload: PostalTrackingIn) -> dict[str, Any]:
    user: AbstractBaseUser = request.auth  # type: ignore[attr-defined]
    dossier = _dossier(user, payload)
    changed = services.dossier_postal_report(
        dossier=dossier,
        actor=postal_actor(person_name(user) or user.get_username()),
        report=services.TrackingReport(
            status=payload.status,
            at=payload.at,
            tracking=payload.tracking_number.strip(),
            receiver_name=payload.receiver_name.strip(),
            note=payload.note.strip(),
        ),
    )
    return {"dossier": dossier.code, "status": dossier.status, "changed": changed}
