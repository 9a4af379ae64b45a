"""Appending to the audit trail, and what its codes mean to an auditor."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.core.models import AuditEvent

Actor = AbstractBaseUser | AnonymousUser | str | None

# The client address of the request being served, set by ``core.middleware
# .AuditContextMiddleware``: services deep below a view (dossier reads and changes) write
# audit rows without a request in hand, and the auditor needs the address on each.
# None outside a request (the worker, commands, imports).
request_ip: ContextVar[str | None] = ContextVar("motcua_request_ip", default=None)

# The known actions, as an auditor reads them. Dossier changes use their event type's code
# (dossiers.models.EventType); feedback changes are prefixed ``feedback_``.
ACTION_LABELS: dict[str, Promise] = {
    "read": _("Xem hồ sơ"),
    "read.denied": _("Mở hồ sơ bị từ chối (ngoài phạm vi hoặc không tồn tại)"),
    "dossier.print": _("In mẫu, phiếu của hồ sơ"),
    "dossier.result_file.read": _("Tải tệp kết quả"),
    "submitted": _("Nộp trực tuyến"),
    "completion_requested": _("Yêu cầu hoàn thiện trước tiếp nhận"),
    "completed": _("Đã hoàn thiện hồ sơ"),
    "rejected": _("Từ chối tiếp nhận"),
    "received": _("Tiếp nhận hồ sơ"),
    "handover": _("Chuyển xử lý"),
    "supplement_requested": _("Yêu cầu bổ sung"),
    "supplement_received": _("Nhận hồ sơ bổ sung"),
    "extension": _("Gia hạn, xin lỗi"),
    "result_ready": _("Có kết quả"),
    "refused": _("Trả lại hồ sơ"),
    "withdrawn": _("Rút hồ sơ"),
    "stopped": _("Dừng giải quyết"),
    "result_delivered": _("Trả kết quả"),
    "flag": _("Gắn cờ quá hạn"),
    "unflag": _("Bỏ cờ quá hạn"),
    "guidance": _("Hướng dẫn tại quầy"),
    "register.print": _("In sổ theo dõi"),
    "portal.submit": _("Nộp hồ sơ trực tuyến"),
    "login": _("Đăng nhập"),
    "logout": _("Đăng xuất"),
    "login.failed": _("Đăng nhập sai"),
    "login.locked": _("Tạm khóa đăng nhập"),
    "login.unlocked": _("Mở khóa đăng nhập"),
    "citizen.register": _("Công dân đăng ký tài khoản"),
    "audit.search": _("Tra cứu nhật ký"),
    "audit.export": _("Xuất nhật ký (CSV)"),
    "catalog.import": _("Nhập danh mục thủ tục"),
    "catalog.version_copy": _("Sao chép phiên bản thủ tục"),
    "dossiers.import": _("Nhập hồ sơ từ hệ thống cũ"),
    "guidance.import": _("Nhập sổ hướng dẫn"),
    "api_token.create": _("Cấp khóa API"),
    "api_token.revoke": _("Thu hồi khóa API"),
    "rating_submit": _("Đánh giá sự hài lòng"),
    "kiosk_device_create": _("Đăng ký thiết bị đánh giá tại quầy"),
    "feedback_view": _("Xem phản ánh, kiến nghị"),
    "feedback_submitted": _("Gửi phản ánh, kiến nghị"),
    "feedback_classified": _("Phân loại phản ánh, kiến nghị"),
    "feedback_forwarded": _("Chuyển phản ánh, kiến nghị"),
    "feedback_answered": _("Trả lời phản ánh, kiến nghị"),
    "feedback_published": _("Công khai trả lời phản ánh, kiến nghị"),
    "feedback_unsatisfied": _("Người dân chưa hài lòng với trả lời"),
    "feedback_overdue": _("Phản ánh, kiến nghị quá hạn"),
}

# Names that are not accounts (``actor_label`` without a user).
SYSTEM_ACTORS: dict[str, Promise] = {
    "system": _("Hệ thống"),
    "import": _("Nhập dữ liệu từ hệ thống cũ"),
    "worker": _("Tiến trình nền"),
    "anonymous": _("Người chưa đăng nhập"),
    "citizen": _("Người dân"),
}

OBJECT_LABELS: dict[str, Promise] = {
    "dossier": _("Hồ sơ"),
    "user": _("Tài khoản"),
    "feedback": _("Phản ánh, kiến nghị"),
    "audit": _("Nhật ký"),
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
    return AuditEvent.objects.create(
        actor=user,
        actor_label=actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=data or {},
        ip=ip if ip is not None else request_ip.get(),
    )
