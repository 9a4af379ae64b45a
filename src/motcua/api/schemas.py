"""Typed input and output of the JSON API (ninja schemas over pydantic).

Inputs forbid unknown fields, so that a misspelt ``expected_version`` is a 422 naming it
rather than a change made without the concurrency check.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.urls import reverse
from ninja import Field
from pydantic import ConfigDict

from motcua.api.base import ApiSchema
from motcua.api.limits import MAX_INT, MAX_ITEMS, MAX_PARTS, BoundedDate, BoundedDateTime
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.models import Dossier, Status
from motcua.portal.queries import Place, submission_places_with_contacts


class Input(ApiSchema):
    model_config = ConfigDict(extra="forbid")


# --- errors -----------------------------------------------------------------------------------


class FieldError(ApiSchema):
    loc: list[str | int] = Field(description="Đường dẫn tới trường, ví dụ body.applicant.id_number")
    msg: str


class ErrorOut(ApiSchema):
    detail: str = Field(description="Thông báo lỗi bằng tiếng Việt")
    code: str = Field(
        description=(
            "not_authenticated | token_expired | forbidden | not_found | conflict | refused "
            "| invalid"
        )
    )
    errors: list[FieldError] = []


# --- inputs -------------------------------------------------------------------------------------


class ApplicantIn(Input):
    kind: Literal["citizen", "organization"] = "citizen"
    name: str = Field(max_length=255)
    id_number: str = Field("", description="Số định danh cá nhân (12 số) hoặc mã số thuế")
    phone: str = ""
    email: str = ""
    address: str = Field("", max_length=500)
    representative_name: str = Field("", max_length=255)
    representative_phone: str = ""
    representative_id_number: str = ""


class PartIn(Input):
    part: int | None = Field(
        None,
        ge=1,
        le=MAX_INT,
        description="Thứ tự thành phần hồ sơ trong danh mục của thủ tục (nếu có)",
    )
    name: str = Field("", max_length=500, description="Tên giấy tờ (bắt buộc nếu không có part)")
    kind: Literal["", "original", "certified", "copy"] = ""
    copies: int | None = Field(
        None, ge=1, le=100, description="Số bản; mặc định theo danh mục (hoặc 1)"
    )
    reused: bool = False
    not_digitised_reason: str = Field(
        "",
        max_length=500,
        description=(
            "Khi tiếp nhận hồ sơ giấy (POST /api/dossiers): lý do thành phần chưa được số hóa "
            "(bắt buộc với thành phần không tái sử dụng; bản quét gửi sau bằng "
            "POST /api/dossiers/{code}/parts/{id}/files)"
        ),
    )


class NewDossierIn(Input):
    procedure: str = Field(description="Mã thủ tục hành chính, ví dụ 1.001234")
    agency: str | None = Field(
        None, description="Mã cơ quan thực hiện, khi nhiều cơ quan cùng thực hiện thủ tục"
    )
    applicant: ApplicantIn
    parts: list[PartIn] = Field([], max_length=MAX_PARTS)
    external_source: str = Field(
        "",
        max_length=32,
        description="Hệ thống nguồn của external_ref, ví dụ dvcqg (Cổng Dịch vụ công quốc gia)",
    )
    external_ref: str = Field(
        "",
        max_length=100,
        description=(
            "Mã hồ sơ ở hệ thống nguồn (nếu có): duy nhất theo external_source; trùng → 409 "
            "kèm mã hồ sơ đã có"
        ),
    )


class ReceiveIn(NewDossierIn):
    channel: Literal["direct", "postal"] = "direct"
    postal_item_number: str = Field(
        "",
        max_length=40,
        description="Số hiệu bưu gửi của hồ sơ nhận qua bưu chính (chỉ khi channel = postal)",
    )
    result_channel: Literal["", "counter", "postal"] = Field(
        "",
        description=(
            "Người nộp muốn nhận kết quả: tại Bộ phận Một cửa (counter) hoặc qua bưu chính "
            "(postal: khi có kết quả, hệ thống đặt bưu chính đến lấy, nếu đã cấu hình kết nối)"
        ),
    )


class SubmitIn(NewDossierIn):
    result_channel: Literal["", "counter", "postal", "online"] = Field(
        "",
        description=(
            "Hình thức nhận kết quả, như trên Cổng: `counter` (tại Bộ phận Một cửa), `postal` "
            "(qua bưu chính công ích: cần `applicant.address`, thiếu → 422 tại "
            "`applicant.address`), `online` (trực tuyến); để trống nếu chưa chọn."
        ),
    )


class RejectAtCounterIn(Input):
    procedure: str
    agency: str | None = None
    channel: Literal["direct", "postal"] = "direct"
    applicant: ApplicantIn
    reason: str
    external_source: str = Field(
        "",
        max_length=32,
        description="Hệ thống nguồn của external_ref, ví dụ dvcqg (Cổng Dịch vụ công quốc gia)",
    )
    external_ref: str = Field(
        "",
        max_length=100,
        description=(
            "Mã hồ sơ ở hệ thống nguồn (nếu có): duy nhất theo external_source; trùng → 409 "
            "kèm mã hồ sơ đã có"
        ),
    )


class VersionedIn(Input):
    expected_version: int = Field(
        ge=0, le=MAX_INT, description="Phiên bản hồ sơ đã đọc (trường version); khác hiện tại → 409"
    )


class AcceptIn(VersionedIn):
    pass


class ItemsIn(VersionedIn):
    items: list[str] = Field(
        min_length=1, max_length=MAX_ITEMS, description="Các nội dung cần bổ sung, hoàn thiện"
    )
    reason: str


class PartsIn(VersionedIn):
    parts: list[PartIn] = Field([], max_length=MAX_PARTS)
    note: str = ""


class ReasonIn(VersionedIn):
    reason: str


class OptionalReasonIn(VersionedIn):
    reason: str = ""


class HandoverIn(VersionedIn):
    to_unit: str = Field(
        "",
        description=(
            "Đơn vị nhận: mã hoặc tên cơ quan trong danh mục (khác: ghi như tên đơn vị ngoài "
            "danh mục); mặc định: đơn vị của bước tiếp theo"
        ),
    )
    step: int | None = Field(
        None, ge=1, le=MAX_INT, description="Thứ tự bước trong quy trình nội bộ"
    )
    receiver_name: str = ""
    note: str = ""


class SendBackIn(VersionedIn):
    reason: str = Field(description="Lý do trả lại bước trước để xử lý lại")


class ExtendIn(VersionedIn):
    reason: str = Field(description="Lý do xin lỗi, gia hạn (mẫu 04)")
    new_due_at: BoundedDateTime = Field(description="Ngày giờ hẹn trả mới (ISO 8601)")


class FinishIn(VersionedIn):
    late_reason: str = ""
    note: str = ""


class DeliverIn(VersionedIn):
    channel: Literal["counter", "postal", "online"]
    reference: str = Field("", description="Số hiệu bưu gửi (bắt buộc khi trả qua bưu chính)")


class GuidanceIn(Input):
    kind: Literal["direct", "outgoing_call", "incoming_call"]
    procedure: str = Field("", max_length=32, description="Mã thủ tục được hướng dẫn (nếu có)")
    note: str = ""


class EventFeedIn(Input):
    after: int = Field(0, ge=0, le=2**63 - 1, description="Lấy các sự kiện có id lớn hơn")
    limit: int = Field(100, ge=1, le=500)


class DossierFilter(ApiSchema):
    agency: str | None = Field(None, description="Mã cơ quan có thẩm quyền (gồm cả cấp dưới)")
    status: Status | None = None
    due_before: BoundedDateTime | None = Field(
        None, description="Hạn giải quyết trước thời điểm này"
    )
    dossier_class: Literal["early", "on_time", "late"] | None = Field(
        None, alias="class", description="Kết quả đúng hạn: early | on_time | late"
    )
    received_from: BoundedDate | None = Field(None, description="Tiếp nhận từ ngày (giờ Việt Nam)")
    received_to: BoundedDate | None = Field(None, description="Tiếp nhận đến hết ngày")
    channel: Literal["online", "direct", "postal"] | None = None


# --- outputs ------------------------------------------------------------------------------------


class AgencyOut(ApiSchema):
    code: str
    name: str


class ProcedureRef(ApiSchema):
    code: str
    name: str
    version: int


class ApplicantOut(ApiSchema):
    kind: str
    name: str
    id_number: str
    phone: str
    email: str
    address: str
    representative_name: str
    representative_phone: str
    representative_id_number: str


class DocumentOut(ApiSchema):
    id: int
    name: str
    kind: str = Field(description="part (thành phần hồ sơ), result (kết quả), form, upload")
    content_type: str = Field(description="Kiểu nội dung đã kiểm tra khi lưu (không đoán lại)")
    size: int = Field(description="Dung lượng (byte)")
    sha256: str
    origin: str = Field(description="online, scan, issued, reuse, import")
    reused: bool = Field(description="Tái sử dụng từ kho dữ liệu (không phải bản tải lên mới)")
    created_at: dt.datetime
    url: str = Field(
        description="GET trả về nội dung tệp (cùng xác thực, cùng phạm vi; 404 nếu không có "
        "hoặc ngoài phạm vi)"
    )


class PartOut(ApiSchema):
    id: int = Field(description="Mã thành phần (để tải bản quét: /parts/{id}/files)")
    name: str
    kind: str
    copies: int
    reused: bool
    not_digitised_reason: str = Field("", description="Lý do chưa số hóa (nếu có)")
    files: list[DocumentOut] = Field(
        default_factory=list, description="Các tệp của thành phần (bản điện tử, bản quét)"
    )


class EventOut(ApiSchema):
    type: str
    label: str
    at: dt.datetime
    actor: str
    from_status: str
    to_status: str
    data: dict[str, Any]
    via: str = Field(
        "",
        description="Hệ thống đã gọi API để ghi sự kiện (tên và tiền tố mã truy cập); rỗng "
        "khi thao tác trên giao diện",
    )


class EventFeedItem(EventOut):
    id: int = Field(description="Mã sự kiện: ổn định, tăng dần, không dùng lại")
    dossier: str = Field(description="Mã hồ sơ")


class EventFeedOut(ApiSchema):
    items: list[EventFeedItem]
    next: int = Field(description="Gửi lại bằng after= để lấy trang sau")


class ActionOut(ApiSchema):
    action: str = Field(description="Mã thao tác (đường dẫn POST /api/dossiers/{code}/...)")
    label: str


class HandoverOut(ApiSchema):
    position: int
    from_unit: str
    to_unit: str
    at: dt.datetime
    giver: str
    receiver: str
    step_name: str
    budget_hours: Decimal | None
    finished_at: dt.datetime | None
    used_hours: Decimal | None
    result: str
    note: str
    draft_sha256: str = Field("", description="SHA-256 của dự thảo kèm theo (nếu có)")


class DossierSummary(ApiSchema):
    code: str
    version: int
    status: str
    status_label: str
    procedure_code: str = Field(alias="procedure_version.procedure.code")
    procedure_name: str = Field(alias="procedure_version.name")
    agency_code: str = Field(alias="agency.code")
    channel: str
    applicant_name: str
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    ended_at: dt.datetime | None
    dossier_class: str
    updated_at: dt.datetime = Field(description="Lần thay đổi gần nhất")
    external_source: str
    external_ref: str

    @staticmethod
    def resolve_status_label(obj: Dossier) -> str:
        return str(obj.get_status_display())


class FeeLineOut(ApiSchema):
    kind: str = Field(description="phi (phí), le_phi (lệ phí) hoặc rỗng (mức thu chung)")
    label: str
    amount: int = Field(description="Đồng")
    amount_text: str = Field(description="Số tiền in kiểu Việt Nam (1.200.000 đ)")
    legal_basis: str
    exempt: str = Field(description="Lý do được miễn (khoản này 0 đ), rỗng nếu không miễn")


class PaymentOut(ApiSchema):
    id: int
    method: str = Field(description="cash, transfer hoặc online")
    method_label: str
    amount: int = Field(description="Đồng")
    amount_text: str
    status: str = Field(description="paid, voided, refund_pending hoặc refunded")
    status_label: str
    receipt: str = Field(description="Số biên lai thu phí, lệ phí (số/năm, theo đơn vị thu)")
    paid_at: dt.datetime | None
    voided_at: dt.datetime | None
    void_reason: str


class FeeOut(ApiSchema):
    total: int = Field(description="Phí, lệ phí phải nộp (đồng), tính lúc nộp/tiếp nhận")
    total_text: str
    lines: list[FeeLineOut]
    paid: int = Field(description="Đã nộp (đồng)")
    outstanding: int = Field(description="Còn phải nộp (đồng)")
    settled: bool = Field(description="Đã thanh toán đủ")
    payments: list[PaymentOut]


class DossierOut(ApiSchema):
    actions: list[ActionOut] = Field(
        default_factory=list,
        description=(
            "Thao tác tài khoản gọi API được làm với hồ sơ lúc này (bảng quy tắc "
            "dossiers.rules), thao tác chính trước"
        ),
    )
    code: str
    version: int
    status: str
    status_label: str
    procedure: ProcedureRef
    agency: AgencyOut
    receiving_unit: AgencyOut | None
    channel: str
    applicant: ApplicantOut
    submitted_at: dt.datetime | None
    accept_by: dt.datetime | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    due_explanation: dict[str, Any] = Field(description="Cách tính hạn giải quyết")
    extended_due_at: dt.datetime | None
    printed_due_at: dt.datetime | None
    ended_at: dt.datetime | None
    end_kind: str
    dossier_class: str
    end_reason: str
    late_reason: str
    delivered_at: dt.datetime | None
    delivery_channel: str
    supplement_count: int
    extension_count: int
    has_apology: bool
    flags: list[str]
    result_sha256: str = Field(description="SHA-256 của tệp kết quả (nếu có)")
    result: DocumentOut | None = Field(None, description="Tệp kết quả điện tử (nếu có)")
    current_unit: str
    current_step: str
    parts: list[PartOut]
    events: list[EventOut] = Field(description="Diễn biến hồ sơ, theo thời gian")
    handovers: list[HandoverOut] = Field(description="Phiếu kiểm soát quá trình (mẫu 06)")
    updated_at: dt.datetime = Field(description="Lần thay đổi gần nhất")
    external_source: str = Field(description="Hệ thống nguồn của external_ref")
    external_ref: str = Field(description="Mã hồ sơ ở hệ thống nguồn (nếu có)")
    postal_item_number: str = Field(
        "", description="Số hiệu bưu gửi của hồ sơ nhận qua bưu chính (nếu có)"
    )
    postal_tracking: str = Field(
        "", description="Mã vận đơn của bưu gửi chuyển kết quả cho người nộp (nếu có)"
    )
    fee: FeeOut | None = Field(
        None, description="Phí, lệ phí của hồ sơ và các khoản đã thu (null: chưa tính phí)"
    )


class DossierCreatedOut(DossierOut):
    secret: str = Field(description="Mã tra cứu in trên giấy tiếp nhận (chỉ trả về khi tạo)")


class GuidanceOut(ApiSchema):
    id: int
    at: dt.datetime
    kind: str
    unit: AgencyOut
    procedure: str
    note: str


class ProcedurePartOut(ApiSchema):
    position: int
    name: str
    kind: str
    copies: int


class ProcedureOut(ApiSchema):
    code: str = Field(alias="procedure.code")
    version: int = Field(alias="number")
    name: str
    field: str = Field(alias="field.name")
    agency_code: str = Field(alias="agency.code")
    agency_name: str = Field(alias="agency.name")
    level: str
    duration: Decimal
    unit: str
    fee: int
    online: str


class BlankFormOut(ApiSchema):
    name: str = Field(description="Tên mẫu đơn, tờ khai")
    number: str = Field(description="Số hiệu mẫu, ví dụ Mẫu số 03/2013/TT-LLTP")
    content_type: str = Field(description="application/pdf hoặc DOCX")
    size: int = Field(description="Dung lượng (byte)")
    url: str = Field(description="Địa chỉ tải mẫu (công khai, không cần khóa API)")


class PlaceOut(ApiSchema):
    code: str = Field(description="Mã cơ quan, đơn vị tiếp nhận")
    name: str
    address: str = ""
    opening_hours: list[str] = Field(
        default_factory=list, description="Giờ làm việc, mỗi khoảng ngày một dòng"
    )
    phone: str = ""
    hotline: str = ""
    email: str = ""
    map_url: str = ""


class ProcedureDetailOut(ProcedureOut):
    parts: list[ProcedurePartOut]
    legal_basis: str
    result_type: str
    conditions: str = Field("", description="Yêu cầu, điều kiện thực hiện")
    steps: list[str] = Field(
        default_factory=list, description="Trình tự thực hiện, theo thứ tự (công dân đọc)"
    )
    forms: list[BlankFormOut] = Field(default_factory=list, description="Mẫu đơn, tờ khai")
    places: list[PlaceOut] = Field(
        default_factory=list,
        description="Nơi nộp hồ sơ hôm nay (bộ phận một cửa được tiếp nhận), với địa chỉ, "
        "giờ làm việc, điện thoại",
    )

    # ``steps`` of the model are the internal workflow; these are the applicant's.
    @staticmethod
    def resolve_steps(obj: ProcedureVersion) -> list[str]:
        return obj.applicant_step_lines

    @staticmethod
    def resolve_forms(obj: ProcedureVersion, context: dict[str, Any]) -> list[BlankFormOut]:
        request = context["request"]
        code = obj.procedure.code
        return [
            BlankFormOut(
                name=f.name,
                number=f.number,
                content_type=f.content_type,
                size=f.size,
                url=request.build_absolute_uri(reverse("portal:procedure_form", args=[code, f.pk])),
            )
            for f in obj.forms.all()
        ]

    @staticmethod
    def resolve_places(obj: ProcedureVersion) -> list[PlaceOut]:
        return [_place_out(place) for place in submission_places_with_contacts(obj)]


def _place_out(place: Place) -> PlaceOut:
    contact = place.contact
    if contact is None:
        return PlaceOut(code=place.agency.code, name=place.agency.name)
    return PlaceOut(
        code=place.agency.code,
        name=place.agency.name,
        address=contact.address,
        opening_hours=contact.opening_lines,
        phone=contact.phone,
        hotline=contact.hotline,
        email=contact.email,
        map_url=contact.map_url,
    )


# --- postal service -----------------------------------------------------------------------------


class PostalTrackingIn(Input):
    tracking_number: str = Field(
        "", max_length=40, description="Mã vận đơn (do bưu chính cấp khi nhận đơn)"
    )
    dossier_code: str = Field("", max_length=64, description="Mã hồ sơ (khi không có mã vận đơn)")
    status: Literal["delivered", "returned", "in_transit"] = Field(
        description="delivered: đã phát; returned: chuyển hoàn; in_transit: đang chuyển"
    )
    at: BoundedDateTime = Field(description="Thời điểm bưu chính ghi nhận")
    receiver_name: str = Field("", max_length=255, description="Người nhận (khi đã phát)")
    note: str = Field("", max_length=1000)


class PostalTrackingOut(ApiSchema):
    dossier: str = Field(description="Mã hồ sơ")
    status: str = Field(description="Trạng thái hồ sơ sau thông báo")
    changed: bool = Field(
        description=(
            "false: thông báo không làm thay đổi hồ sơ (đã ghi nhận trước đó, hoặc in_transit)"
        )
    )
