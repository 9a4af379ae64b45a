"""Appending to the audit trail, and what its codes mean to an auditor."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from motcua.core.models import AuditEvent
from motcua.core.prepared import row_insert

Actor = AbstractBaseUser | AnonymousUser | str | None

# The client address of the request being served, set by ``core.middleware
# .AuditContextMiddleware``: services deep below a view (dossier reads and changes) write
# audit rows without a request in hand, and the auditor needs the address on each.
# None outside a request (the worker, commands, imports).
request_ip: ContextVar[str | None] = ContextVar("motcua_request_ip", default=None)

# The calling system of the request being served, when it is one (an API token's name and
# prefix, set by ``api.auth.TokenAuth``; reset with ``request_ip`` by the same middleware):
# dossier events and audit rows record it. Why not on the actor: the actor is the token's
# staff account, which also acts in the browser, and two dozen services pass it on as a user.
request_via: ContextVar[str] = ContextVar("motcua_request_via", default="")

# The known actions, as an auditor reads them (context "audit": "Trả kết quả" is a menu entry
# elsewhere, "Result delivered" here). Dossier changes use their event type's code
# (dossiers.models.EventType); feedback changes are prefixed ``feedback_``.
ACTION_LABELS: dict[str, Promise] = {
    "read": pgettext_lazy("audit", "Xem hồ sơ"),
    "rollup.rebuild": pgettext_lazy("audit", "Tính lại số liệu tổng hợp theo ngày"),
    "ranking.compute": pgettext_lazy("audit", "Tính điểm Bộ chỉ số (QĐ 766) của kỳ"),
    "executive.view": pgettext_lazy("audit", "Xem trang điều hành"),
    "read.denied": pgettext_lazy("audit", "Mở hồ sơ bị từ chối (ngoài phạm vi hoặc không tồn tại)"),
    "dossier.print": pgettext_lazy("audit", "In mẫu, phiếu của hồ sơ"),
    "dossier.result_file.read": pgettext_lazy("audit", "Tải tệp kết quả"),
    "document.open": pgettext_lazy("audit", "Mở giấy tờ, tệp của hồ sơ"),
    "submitted": pgettext_lazy("audit", "Nộp trực tuyến"),
    "completion_requested": pgettext_lazy("audit", "Yêu cầu hoàn thiện trước tiếp nhận"),
    "completed": pgettext_lazy("audit", "Đã hoàn thiện hồ sơ"),
    "rejected": pgettext_lazy("audit", "Từ chối tiếp nhận"),
    "received": pgettext_lazy("audit", "Tiếp nhận hồ sơ"),
    "handover": pgettext_lazy("audit", "Chuyển xử lý"),
    "supplement_requested": pgettext_lazy("audit", "Yêu cầu bổ sung"),
    "supplement_submitted": pgettext_lazy("audit", "Nộp bổ sung trực tuyến"),
    "supplement_received": pgettext_lazy("audit", "Nhận hồ sơ bổ sung"),
    "extension": pgettext_lazy("audit", "Gia hạn, xin lỗi"),
    "result_ready": pgettext_lazy("audit", "Có kết quả"),
    "refused": pgettext_lazy("audit", "Trả lại hồ sơ"),
    "withdrawn": pgettext_lazy("audit", "Rút hồ sơ"),
    "stopped": pgettext_lazy("audit", "Dừng giải quyết"),
    "result_delivered": pgettext_lazy("audit", "Trả kết quả"),
    "digitised": pgettext_lazy("audit", "Số hóa thành phần hồ sơ"),
    "postal_ordered": pgettext_lazy("audit", "Bưu chính nhận chuyển phát kết quả"),
    "delivery_failed": pgettext_lazy("audit", "Bưu chính chuyển hoàn kết quả"),
    "postal.order_queued": pgettext_lazy("audit", "Đặt bưu chính chuyển phát kết quả"),
    "postal.tracking": pgettext_lazy("audit", "Bưu chính báo hành trình bưu gửi"),
    "document.reuse": pgettext_lazy("audit", "Tái sử dụng giấy tờ đã lưu"),
    "document.delete": pgettext_lazy("audit", "Công dân xóa giấy tờ khỏi kho"),
    "document.lookup": pgettext_lazy("audit", "Tra cứu giấy tờ đã lưu theo số định danh"),
    "flag": pgettext_lazy("audit", "Gắn cờ quá hạn"),
    "unflag": pgettext_lazy("audit", "Bỏ cờ quá hạn"),
    "guidance": pgettext_lazy("audit", "Hướng dẫn tại quầy"),
    "register.print": pgettext_lazy("audit", "In sổ theo dõi"),
    "portal.submit": pgettext_lazy("audit", "Nộp hồ sơ trực tuyến"),
    "dvcqg.pull": pgettext_lazy("audit", "Lấy hồ sơ từ Cổng DVCQG"),
    "dvcqg.resend": pgettext_lazy("audit", "Gửi lại trạng thái lên Cổng DVCQG"),
    "dvcqg.repull": pgettext_lazy("audit", "Lấy lại hồ sơ lỗi từ Cổng DVCQG"),
    "dvcqg.mapping": pgettext_lazy("audit", "Sửa ánh xạ trạng thái Cổng DVCQG"),
    "report.submit": pgettext_lazy(
        "audit", "Chốt phiên bản báo cáo gửi Hệ thống báo cáo Chính phủ"
    ),
    "report.resend": pgettext_lazy("audit", "Gửi lại báo cáo lên Hệ thống báo cáo Chính phủ"),
    "login": pgettext_lazy("audit", "Đăng nhập"),
    "logout": pgettext_lazy("audit", "Đăng xuất"),
    "session.expired": pgettext_lazy("audit", "Hết phiên làm việc"),
    "login.failed": pgettext_lazy("audit", "Đăng nhập sai"),
    "login.locked": pgettext_lazy("audit", "Tạm khóa đăng nhập"),
    "login.unlocked": pgettext_lazy("audit", "Mở khóa đăng nhập"),
    "citizen.register": pgettext_lazy("audit", "Công dân đăng ký tài khoản"),
    "citizen.identity_linked": pgettext_lazy("audit", "Liên kết tài khoản với định danh điện tử"),
    "login.oidc_refused": pgettext_lazy("audit", "Đăng nhập qua định danh điện tử bị từ chối"),
    "login.oidc_linked": pgettext_lazy(
        "audit", "Liên kết tài khoản cán bộ với tài khoản đăng nhập một lần"
    ),
    "audit.search": pgettext_lazy("audit", "Tra cứu nhật ký"),
    "audit.export": pgettext_lazy("audit", "Xuất nhật ký (CSV)"),
    "catalog.import": pgettext_lazy("audit", "Nhập danh mục thủ tục"),
    "catalog.version_copy": pgettext_lazy("audit", "Sao chép phiên bản thủ tục"),
    "catalog.guide_save": pgettext_lazy(
        "audit", "Cập nhật điều kiện, trình tự, mẫu đơn của thủ tục"
    ),
    "agency.contact_save": pgettext_lazy("audit", "Cập nhật địa chỉ, giờ làm việc của cơ quan"),
    "dossiers.import": pgettext_lazy("audit", "Nhập hồ sơ từ hệ thống cũ"),
    "guidance.import": pgettext_lazy("audit", "Nhập sổ hướng dẫn"),
    "api_token.create": pgettext_lazy("audit", "Cấp khóa API"),
    "api_token.revoke": pgettext_lazy("audit", "Thu hồi khóa API"),
    "webhook.create": pgettext_lazy("audit", "Đăng ký webhook"),
    "webhook.update": pgettext_lazy("audit", "Sửa đăng ký webhook"),
    "webhook.replay": pgettext_lazy("audit", "Gửi lại webhook"),
    "api_token.limit": pgettext_lazy("audit", "Đổi phạm vi, cơ quan của khóa API"),
    "rating_submit": pgettext_lazy("audit", "Đánh giá sự hài lòng"),
    "kiosk_device_create": pgettext_lazy("audit", "Đăng ký thiết bị đánh giá tại quầy"),
    "feedback_view": pgettext_lazy("audit", "Xem phản ánh, kiến nghị"),
    "feedback_submitted": pgettext_lazy("audit", "Gửi phản ánh, kiến nghị"),
    "feedback_classified": pgettext_lazy("audit", "Phân loại phản ánh, kiến nghị"),
    "feedback_forwarded": pgettext_lazy("audit", "Chuyển phản ánh, kiến nghị"),
    "feedback_refused": pgettext_lazy("audit", "Không tiếp nhận phản ánh, kiến nghị"),
    "feedback_info_requested": pgettext_lazy("audit", "Đề nghị bổ sung thông tin phản ánh"),
    "feedback_answered": pgettext_lazy("audit", "Trả lời phản ánh, kiến nghị"),
    "feedback_published": pgettext_lazy("audit", "Công khai trả lời phản ánh, kiến nghị"),
    "feedback_unsatisfied": pgettext_lazy("audit", "Người dân chưa hài lòng với trả lời"),
    "feedback_overdue": pgettext_lazy("audit", "Phản ánh, kiến nghị quá hạn"),
    "archive.export": pgettext_lazy("audit", "Xuất gói tài liệu nộp lưu trữ"),
    "document.form_issued": pgettext_lazy("audit", "Lưu mẫu, phiếu đã ban hành"),
    "fee.assessed": pgettext_lazy("audit", "Tính phí, lệ phí của hồ sơ"),
    "fee.answered": pgettext_lazy("audit", "Người nộp khai các thông tin tính phí, lệ phí"),
    "report.fees_download": pgettext_lazy("audit", "Tải báo cáo phí, lệ phí đã thu"),
    "fee.rules_imported": pgettext_lazy("audit", "Nhập mức thu phí, lệ phí"),
    "payment.collected": pgettext_lazy("audit", "Thu phí, lệ phí, cấp biên lai"),
    "payment.voided": pgettext_lazy("audit", "Hủy biên lai thu phí, lệ phí"),
    "payment.requested": pgettext_lazy("audit", "Tạo yêu cầu thanh toán trực tuyến"),
    "payment.paid_online": pgettext_lazy("audit", "Nhận kết quả thanh toán trực tuyến"),
    "payment.callback_refused": pgettext_lazy("audit", "Từ chối thông báo thanh toán"),
    "payment.refund_requested": pgettext_lazy("audit", "Yêu cầu hoàn tiền"),
    "payment.refunded": pgettext_lazy("audit", "Đã hoàn tiền"),
    "payment.receipt_print": pgettext_lazy("audit", "In biên lai thu phí, lệ phí"),
    "payment.cash_book_read": pgettext_lazy("audit", "Xem sổ thu phí của cán bộ khác"),
    "payment.reconcile": pgettext_lazy("audit", "Đối soát thanh toán trực tuyến"),
}

# Names that are not accounts (``actor_label`` without a user).
SYSTEM_ACTORS: dict[str, Promise] = {
    "system": pgettext_lazy("audit", "Hệ thống"),
    "import": pgettext_lazy("audit", "Nhập dữ liệu từ hệ thống cũ"),
    "worker": pgettext_lazy("audit", "Tiến trình nền"),
    "anonymous": pgettext_lazy("audit", "Người chưa đăng nhập"),
    "citizen": pgettext_lazy("audit", "Người dân"),
}

OBJECT_LABELS: dict[str, Promise] = {
    "dossier": pgettext_lazy("audit", "Hồ sơ"),
    "user": pgettext_lazy("audit", "Tài khoản"),
    "feedback": pgettext_lazy("audit", "Phản ánh, kiến nghị"),
    "audit": pgettext_lazy("audit", "Nhật ký"),
    "document": pgettext_lazy("audit", "Giấy tờ trong kho"),
    "webhook": pgettext_lazy("audit", "Đăng ký webhook"),
    "webhook_delivery": pgettext_lazy("audit", "Lần gửi webhook"),
    "payment": pgettext_lazy("audit", "Khoản thu phí, lệ phí"),
}


def action_label(action: str) -> str:
    """The auditor's words for an action code; an unknown code as it is."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def actor_label(actor: Actor) -> str:
    """A readable name for whoever acted: a user, a system name such as ``import``, or none."""
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    if isinstance(actor, AnonymousUser) or not actor.is_authenticated:
        return "anonymous"
    return actor.get_username()


def audit_log(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one row to the audit trail and return it."""
    user = actor if isinstance(actor, User) and actor.is_authenticated else None
    via = request_via.get()
    if via:
        # "system", not "via": some actions already say by "via" which interface acted.
        data = {**(data or {}), "system": via}
    return row_insert(
        AuditEvent(
            actor=user,
            actor_label=actor_label(actor),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            data=data or {},
            ip=ip if ip is not None else request_ip.get(),
        )
    )
