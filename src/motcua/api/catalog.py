"""The catalogue of procedures, read-only and public (what the one-stop unit publishes)."""

# No ``from __future__ import annotations``: ninja reads the views' annotations at import.
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Router
from ninja.pagination import paginate

from motcua.api.limits import BoundedPagination
from motcua.api.schemas import ErrorOut, ProcedureDetailOut, ProcedureOut
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.queries import procedure_search, procedure_versions_in_force

router = Router(auth=None, tags=["Thủ tục hành chính"])


@router.get(
    "",
    response=list[ProcedureOut],
    summary="Tìm thủ tục đang có hiệu lực",
    description=(
        "`q`: các từ của tên (không phân biệt dấu, hoa thường, khoảng trắng: `khaisinh` tìm "
        "thấy «Đăng ký khai sinh») hoặc đầu mã thủ tục. Kết quả khớp đúng tên/mã và bắt đầu "
        "bằng `q` xếp trước."
    ),
)
@paginate(BoundedPagination)
def procedure_list(request: HttpRequest, q: str = "") -> QuerySet[ProcedureVersion]:
    return procedure_search(q)


@router.get(
    "/{code}",
    response={200: ProcedureDetailOut, 404: ErrorOut},
    summary="Một thủ tục (phiên bản đang có hiệu lực) với thành phần hồ sơ",
    description="Cùng nội dung trang thủ tục của cổng: thành phần hồ sơ, điều kiện, trình tự, "
    "mẫu đơn, tờ khai (địa chỉ tải công khai) và nơi nộp hồ sơ với địa chỉ, giờ làm việc.",
)
def procedure_get(request: HttpRequest, code: str) -> ProcedureVersion:
    version = (
        procedure_versions_in_force()
        .filter(procedure__code=code)
        .select_related("procedure", "field", "agency")
        .prefetch_related("parts", "forms")
        .order_by("-number")
        .first()
    )
    if version is None:
        raise Http404
    return version
