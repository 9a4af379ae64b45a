"""Fee rules, receipts and payments (issue 17). Money: integers of đồng."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.agencies.models import Agency
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier


class FeeKind(models.TextChoices):
    FEE = "phi", _("Phí")
    CHARGE = "le_phi", _("Lệ phí")


class FeeRule(models.Model):
    """One line of a procedure version's fee table, keyed by the procedure's code and the
    version's ``valid_from`` (the companion interchange ``motcua import fees``; the catalogue's
    own JSON stays the shared spec). ``fees.compute`` says what the columns mean."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    version_from = models.DateField(_("phiên bản có hiệu lực từ"))
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("loại"), max_length=8, choices=FeeKind.choices)
    label = models.CharField(_("khoản thu"), max_length=255, blank=True, default="")
    amount = models.PositiveBigIntegerField(_("mức thu (đồng)"))
    per = models.CharField(_("tính theo"), max_length=8, default="dossier")
    applicant = models.CharField(_("đối tượng"), max_length=16, default="any")
    exemptions = models.JSONField(_("trường hợp miễn"), default=list, blank=True)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=500, blank=True, default="")
    # Issue 17: this line is paid before the dossier is processed ("Chờ thanh toán"); a
    # version with any such line waits after receipt until its whole fee is paid.
    pay_first = models.BooleanField(_("nộp trước khi giải quyết"), default=False)

    class Meta:
        verbose_name = _("mức thu phí, lệ phí")
        verbose_name_plural = _("mức thu phí, lệ phí")
        ordering = ["procedure__code", "version_from", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "version_from", "position"], name="fee_rule_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.version_from} {self.kind} {self.amount}"


class ReceiptSeries(models.Model):
    """The last receipt number of an agency's series in a year: locked while a number is
    drawn, so that the numbers have no gap and no repeat under concurrent clerks."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="receipt_series_agency_year")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last}"


class Method(models.TextChoices):
    CASH = "cash", _("Tiền mặt")
    TRANSFER = "transfer", _("Chuyển khoản")
    ONLINE = "online", _("Thanh toán trực tuyến")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    VOIDED = "voided", _("Đã hủy biên lai")
    REFUND_PENDING = "refund_pending", _("Chờ hoàn tiền")
    REFUNDED = "refunded", _("Đã hoàn tiền")


class Payment(models.Model):
    """One collection of a dossier's fee: at the counter (paid at once, with a receipt) or
    online (pending until the platform's signed callback, then a receipt). A voided receipt
    keeps its row and number."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="payments")
    agency = models.ForeignKey(
        Agency, verbose_name=_("đơn vị thu"), on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("hình thức"), max_length=16, choices=Method.choices)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    lines = models.JSONField(_("các khoản"), default=list, blank=True)
    status = models.CharField(_("trạng thái"), max_length=16, choices=PaymentStatus.choices)
    payer = models.CharField(_("người nộp tiền"), max_length=255, blank=True, default="")
    transfer_ref = models.CharField(_("mã giao dịch"), max_length=100, blank=True, default="")
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt_year = models.PositiveSmallIntegerField(null=True, blank=True)
    receipt_number = models.PositiveIntegerField(_("số biên lai"), null=True, blank=True)
    paid_at = models.DateTimeField(_("thu lúc"), null=True, blank=True, db_index=True)
    voided_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    void_reason = models.TextField(_("lý do hủy"), blank=True, default="")
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Online: our order id sent to the platform, the platform's transaction id.
    order_id = models.CharField(max_length=64, blank=True, default="")
    platform = models.CharField(max_length=32, blank=True, default="")
    platform_ref = models.CharField(max_length=100, blank=True, default="")
    refunded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("khoản thu")
        verbose_name_plural = _("khoản thu")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "receipt_year", "receipt_number"],
                condition=models.Q(receipt_number__isnull=False),
                name="payment_receipt_number",
            ),
            models.UniqueConstraint(
                fields=["order_id"], condition=~models.Q(order_id=""), name="payment_order_id"
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_label or self.order_id or str(self.pk)

    @property
    def receipt_label(self) -> str:
        """``0000123/2026``: the number within the agency's series of the year."""
        if self.receipt_number is None:
            return ""
        return f"{self.receipt_number:07d}/{self.receipt_year}"


class CallbackOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Ghi nhận")
    REPEATED = "repeated", _("Đã ghi nhận trước đó")
    REFUSED = "refused", _("Từ chối")


class PaymentCallback(models.Model):
    """Every callback the platform sent, with what we did and why (refusals included)."""

    received_at = models.DateTimeField(auto_now_add=True)
    order_id = models.CharField(max_length=64, blank=True, default="")
    outcome = models.CharField(max_length=16, choices=CallbackOutcome.choices)
    reason = models.CharField(max_length=255, blank=True, default="")
    body = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.outcome} {self.reason}"
