"""The audit trail: every change, and every staff read of a dossier, leaves a row here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One audited action. Rows are only ever appended (see ``core.audit.audit_log``)."""

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text as well, so that the trail survives the deletion of an account and can
    # name systems (API tokens, imports, the worker) that are not users.
    actor_label = models.CharField(_("tên người thực hiện"), max_length=200, blank=True)
    action = models.CharField(_("hành động"), max_length=64, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=64)
    object_id = models.CharField(_("mã đối tượng"), max_length=100, db_index=True)
    data = models.JSONField(_("chi tiết"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("nhật ký kiểm tra")
        verbose_name_plural = _("nhật ký kiểm tra")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_id}"


class Role(models.TextChoices):
    """What a staff member does; the scope of what they see comes from their agency."""

    COUNTER_CLERK = "counter_clerk", _("Cán bộ tiếp nhận, trả kết quả")
    SPECIALIST = "specialist", _("Chuyên viên xử lý")
    LEADER = "leader", _("Lãnh đạo đơn vị")
    CENTER_MANAGER = "center_manager", _("Lãnh đạo Trung tâm / Bộ phận Một cửa")
    PROVINCIAL_OFFICE = "provincial_office", _("Văn phòng UBND tỉnh")
    AUDITOR = "auditor", _("Thanh tra, kiểm tra")
    # Issue 17: fees collected, every clerk's cash book and the reconciliation of its agency.
    ACCOUNTANT = "accountant", _("Kế toán")
    ADMINISTRATOR = "administrator", _("Quản trị hệ thống")


class StaffProfile(models.Model):
    """Makes a user a staff member: the agency or unit they belong to and their role.

    A user without a profile is not staff (a citizen, or a bare technical account) and sees
    no dossier through the staff application (domain.md §12)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="staff_profile",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("cơ quan, đơn vị"),
        on_delete=models.PROTECT,
        related_name="staff",
    )
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    title = models.CharField(_("chức vụ"), max_length=200, blank=True, default="")
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True, default="")

    class Meta:
        verbose_name = _("hồ sơ cán bộ")
        verbose_name_plural = _("cán bộ")
        ordering = ["agency", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class StaffIdentity(models.Model):
    """The staff single sign-on account (the provider's ``iss`` and ``sub``) bound to a staff
    account, at its first SSO sign-in (``core.oidc.staff_sso_account``). Later sign-ins must
    come from the same subject: a username or e-mail claim alone, which the provider's users
    may be able to choose, never reaches an account again once it is bound."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="staff_identity",
    )
    issuer = models.CharField(_("hệ thống đăng nhập"), max_length=255)
    subject = models.CharField(_("mã định danh"), max_length=255)
    linked_at = models.DateTimeField(_("liên kết lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("liên kết đăng nhập một lần")
        verbose_name_plural = _("liên kết đăng nhập một lần")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="staff_identity_subject")
        ]

    def __str__(self) -> str:
        return f"{self.user} ← {self.subject}"


class LoginScope(models.TextChoices):
    FAILURE = "failure", _("Đăng nhập sai")
    PAIR = "pair", _("Khóa tên đăng nhập trên một địa chỉ")
    ADDRESS = "address", _("Khóa địa chỉ mạng")
    ACCOUNT = "account", _("Khóa tài khoản")
    KNOWN = "known", _("Địa chỉ đã đăng nhập thành công")


class LoginRealm(models.TextChoices):
    """Which login a row belongs to. Citizens and staff are counted apart, so that failures
    on the public portal (anyone behind the same NAT, or every client when the proxy count
    is left at 0) never lock the office out."""

    STAFF = "staff", _("Cán bộ, quản trị")
    CITIZEN = "citizen", _("Công dân")


class LoginFailure(models.Model):
    """The login throttle's rows (see ``core.accounts``): failed logins, the locks they led
    to (per username and address, per address, per account) and the addresses each account
    logged in from. A database table rather than the cache so that the counts are shared by
    every server process."""

    scope = models.CharField(
        _("loại"), max_length=10, choices=LoginScope.choices, default=LoginScope.FAILURE
    )
    realm = models.CharField(
        _("trang đăng nhập"), max_length=8, choices=LoginRealm.choices, default=LoginRealm.STAFF
    )
    username = models.CharField(_("tên đăng nhập"), max_length=150, blank=True)
    ip = models.CharField(_("địa chỉ IP"), max_length=45, blank=True)
    at = models.DateTimeField(_("thời điểm"), db_index=True)
    # Set on a lock: no login of its scope until then.
    locked_until = models.DateTimeField(_("khóa đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("đăng nhập không thành công")
        verbose_name_plural = _("đăng nhập không thành công")
        indexes = [
            models.Index(fields=["username", "ip", "at"], name="login_failure_key"),
            models.Index(fields=["ip", "at"], name="login_failure_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.username}@{self.ip} {self.at:%Y-%m-%d %H:%M}"


class ConfigStamp(models.Model):
    """One row: a value that the database replaces with a new random one whenever a row of the
    configuration changes (the catalogue, the agency register, the calendar overrides, the
    webhook subscriptions; ``core.config_cache``). Written by triggers only."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "config stamp"

    def __str__(self) -> str:
        return str(self.value)
