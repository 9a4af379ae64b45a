"""Dossiers (hồ sơ), their events, the control slip and guidance contacts.

Status and deadline fields are written only by ``dossiers.services`` (house style: one write
path per change). The columns that reports read (received_at, ended_at, end_kind,
dossier_class, channel, agency, level, field, delivery channel, apology) are denormalised
here on purpose: a period report is a handful of grouped counts over indexed columns.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from motcua.agencies import units
from motcua.agencies.models import Agency, Level
from motcua.catalog.models import Field, Part, ProcedureVersion, WorkflowStep
from motcua.core.text import fold


class Channel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    DIRECT = "direct", _("Trực tiếp")
    POSTAL = "postal", _("Bưu chính công ích")


class ApplicantKind(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    ORGANIZATION = "organization", _("Tổ chức, doanh nghiệp")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Đã nộp trực tuyến, chờ tiếp nhận")
    NEEDS_COMPLETION = "needs_completion", _("Yêu cầu bổ sung trước khi tiếp nhận")
    REJECTED = "rejected", _("Từ chối tiếp nhận")
    # Received, its fee to be paid before the work starts (issue 17; the national portal's
    # status 6): the legal clock does not run (``classify.clock_runs``).
    AWAITING_PAYMENT = "awaiting_payment", _("Chờ thanh toán")
    PROCESSING = "processing", _("Đang giải quyết")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Chờ bổ sung hồ sơ")
    RESULT_READY = "result_ready", _("Đã có kết quả")
    REFUSED = "refused", _("Trả lại, không đủ điều kiện giải quyết")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ")
    STOPPED = "stopped", _("Dừng giải quyết")
    DELIVERED = "delivered", _("Đã trả kết quả")


# The statuses some staff worklist still has work in (the office inbox's live tabs); the
# ``dossier_live`` index holds these rows. Same order everywhere: SQLite uses a partial index
# only for a query repeating its condition.
WORKLIST_STATUSES = (
    Status.SUBMITTED,
    Status.PROCESSING,
    Status.SUPPLEMENT_REQUESTED,
    Status.RESULT_READY,
)

# Received and not ended, but the legal clock stopped: waiting for the applicant (a
# supplement, ND 118/2025 Điều 19.5; the fee owed before processing, issue 17). Such a
# dossier is never overdue (domain.md §7: "waiting for a supplement counts as within due").
CLOCK_PAUSED_STATUSES = (Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT)


class EndKind(models.TextChoices):
    """How a dossier ended (domain.md §6): the first of these events."""

    RESULT = "result", _("Có kết quả")
    REFUSED = "refused", _("Trả lại sau thẩm định")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ")
    STOPPED = "stopped", _("Dừng giải quyết")


class DossierClass(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


# What is handed back to the applicant after each end (domain.md §6; the interchange schema's
# ``result_delivered``): the result, and for a refused or withdrawn dossier the notice and the
# papers. A stopped dossier hands nothing back through this event (the schema names refusal
# and withdrawal only). One rule for the live ``dossier_deliver`` and the import; the period
# figures count returns by channel only for dossiers ended by a result (``reports.period``).
DELIVERABLE_ENDS = frozenset({EndKind.RESULT, EndKind.REFUSED, EndKind.WITHDRAWN})


def status_after_delivery(end_kind: str, status: str) -> str:
    """The status a delivery leaves: "delivered" after a result; after a refusal or a
    withdrawal the end stays the dossier's status (papers handed back are not a result
    returned, so ratings and the figures' result returns never see them)."""
    return Status.DELIVERED if end_kind == EndKind.RESULT else status


class DeliveryChannel(models.TextChoices):
    COUNTER = "counter", _("Tại Bộ phận Một cửa")
    POSTAL = "postal", _("Qua bưu chính công ích")
    ONLINE = "online", _("Trực tuyến")


class Flag(models.TextChoices):
    """Rule breaks recorded on a dossier (``Dossier.flags`` holds these codes): kept and shown,
    never refused for an import; live services refuse what they can and flag what they cannot
    (a clerk cannot undo the fact that acceptance came late)."""

    ACCEPTANCE_LATE = "acceptance_late", _("Tiếp nhận trực tuyến muộn hơn 8 giờ làm việc")
    ACCEPTANCE_OVERDUE = "acceptance_overdue", _("Quá hạn tiếp nhận hồ sơ trực tuyến")
    SUPPLEMENT_LATE = "supplement_late", _("Yêu cầu bổ sung sau 3 ngày làm việc")
    SUPPLEMENT_REPEATED = "supplement_repeated", _("Yêu cầu bổ sung nhiều hơn một lần")
    EXTENSION_LATE = "extension_late", _("Gia hạn muộn (ít hơn 1 ngày làm việc trước hạn)")
    EXTENSION_REPEATED = "extension_repeated", _("Gia hạn nhiều hơn một lần")
    DUE_DIFFERS = "due_differs", _("Hẹn trả ghi trên phiếu khác hạn tính theo quy định")
    OVERDUE = "overdue", _("Quá hạn giải quyết")


def search_words(text: str) -> str:
    """``text`` as the search column keeps it: folded (no diacritics, lower case), words
    separated by single spaces, with a space in front so that every word, the first too, is
    found as `` word``: "Trịnh Thị Hoa" -> " trinh thi hoa"."""
    return " " + " ".join(_NOT_WORD.sub(" ", fold(text)).split())


_NOT_WORD = re.compile(r"[\W_]+")


class SearchWordsField(models.CharField):
    """A column kept equal to ``search_words`` of another field when a row is saved or bulk
    created (``pre_save``, as ``auto_now`` does): the staff search reads it instead of folding
    names in SQL, which neither database can do with Vietnamese diacritics."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = search_words(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


class Dossier(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=64, unique=True)
    secret = models.CharField(_("mã tra cứu"), max_length=32)
    procedure_version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="+"
    )
    # Denormalised from the pinned version at receipt, for scope checks and reports.
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan có thẩm quyền"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("cấp"), max_length=16, choices=Level.choices)
    field = models.ForeignKey(
        Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="+"
    )
    receiving_unit = models.ForeignKey(
        Agency,
        verbose_name=_("nơi tiếp nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("hình thức nộp"), max_length=16, choices=Channel.choices)

    applicant_kind = models.CharField(
        _("loại chủ hồ sơ"), max_length=16, choices=ApplicantKind.choices
    )
    applicant_name = models.CharField(_("chủ hồ sơ"), max_length=255)
    # The applicant's name folded for the staff search (word prefixes, diacritics ignored).
    applicant_search = SearchWordsField(max_length=300, source="applicant_name")
    applicant_id_number = models.CharField(
        _("số định danh / mã số thuế"), max_length=13, blank=True, default=""
    )
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True, default="")
    applicant_email = models.EmailField(_("thư điện tử"), blank=True, default="")
    applicant_address = models.CharField(_("địa chỉ"), max_length=500, blank=True, default="")
    representative_name = models.CharField(
        _("người nộp thay"), max_length=255, blank=True, default=""
    )
    representative_phone = models.CharField(
        _("điện thoại người nộp thay"), max_length=20, blank=True, default=""
    )
    representative_id_number = models.CharField(
        _("số định danh người nộp thay"), max_length=12, blank=True, default=""
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản công dân"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dossiers",
    )

    status = models.CharField(_("trạng thái"), max_length=32, choices=Status.choices, db_index=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    accept_by = models.DateTimeField(_("hạn tiếp nhận"), null=True, blank=True)
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    # The legal due date used for classification (recomputed when a supplement restarts the
    # clock); the extension's new appointment is kept apart (ND 118 Điều 19.6).
    due_at = models.DateTimeField(_("hạn giải quyết"), null=True, blank=True)
    due_explanation = models.JSONField(_("cách tính hạn"), default=dict, blank=True)
    extended_due_at = models.DateTimeField(_("hẹn trả mới (gia hạn)"), null=True, blank=True)
    printed_due_at = models.DateTimeField(_("hẹn trả ghi trên phiếu"), null=True, blank=True)

    ended_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    end_kind = models.CharField(
        _("kết thúc"), max_length=16, choices=EndKind.choices, blank=True, default=""
    )
    dossier_class = models.CharField(
        _("kết quả đúng hạn"), max_length=16, choices=DossierClass.choices, blank=True, default=""
    )
    end_reason = models.TextField(_("lý do"), blank=True, default="")
    # The result document when it is electronic or scanned (ND 118/2025 Điều 22: results are
    # digitised) is a document of the archive (kind "result"); its hash is kept here too, as
    # written by ``dossier_finish``.
    result_sha256 = models.CharField(max_length=64, blank=True, default="")
    delivered_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    delivery_channel = models.CharField(
        _("hình thức trả"), max_length=16, choices=DeliveryChannel.choices, blank=True, default=""
    )

    # By post (dossiers.postal_adapter): the postal item number (số hiệu bưu gửi) a dossier
    # received by post came with, and the tracking number (mã vận đơn) of the pickup order
    # that takes its result to the applicant (written when the postal service accepts it;
    # its tracking callbacks find the dossier by it).
    postal_item_number = models.CharField(
        _("số hiệu bưu gửi (hồ sơ đến)"), max_length=40, blank=True, default=""
    )
    postal_tracking = models.CharField(
        _("mã vận đơn trả kết quả"), max_length=40, blank=True, default="", db_index=True
    )

    supplement_count = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    supplement_requested_at = models.DateTimeField(_("yêu cầu bổ sung lúc"), null=True, blank=True)
    extension_count = models.PositiveSmallIntegerField(_("số lần gia hạn"), default=0)
    has_apology = models.BooleanField(_("có thư xin lỗi"), default=False)
    late_reason = models.TextField(_("lý do trễ hạn"), blank=True, default="")
    late_steps = models.CharField(_("bước trễ hạn"), max_length=500, blank=True, default="")
    # Rule breaks recorded, not refused (domain.md §6 for imports; §5 for live late actions).
    flags = models.JSONField(_("cảnh báo"), default=list, blank=True)

    current_step = models.ForeignKey(
        WorkflowStep,
        verbose_name=_("bước hiện tại"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The unit holding the dossier: an agency of the register, else (only then) a label.
    current_unit = models.ForeignKey(
        Agency,
        verbose_name=_("đơn vị đang xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    current_unit_label = models.CharField(
        _("đơn vị đang xử lý (ngoài danh mục)"), max_length=255, blank=True, default=""
    )
    current_step_since = models.DateTimeField(null=True, blank=True)
    # After this instant the current step has been held longer than its budget
    # (``classify.step_over_at``); kept with the step by the write path, none without one.
    step_over_at = models.DateTimeField(null=True, blank=True)
    # The person the dossier was handed to (their desk); none: the whole current unit's.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người được giao"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    imported = models.BooleanField(_("nhập từ hệ thống cũ"), default=False)
    # The dossier's code in the system it came from (the national portal's dossier code),
    # given at intake so that a retried or re-pulled submission is not filed twice: unique
    # per source when set (``dossier_external_ref``).
    external_source = models.CharField(_("hệ thống nguồn"), max_length=32, blank=True, default="")
    external_ref = models.CharField(
        _("mã hồ sơ ở hệ thống nguồn"), max_length=100, blank=True, default=""
    )
    # The fee and charge assessed at intake (issue 17; written by ``fees``, from the pinned
    # version's fee rules and the applicant's answers): integers of đồng. ``fee_lines`` is
    # [{"kind", "label", "amount", "legal_basis", "exempt"}]; None: not assessed (a dossier
    # received before fees were computed, or a refusal at the counter).
    fee_total = models.PositiveBigIntegerField(
        _("phí, lệ phí phải nộp (đồng)"), null=True, blank=True
    )
    fee_lines = models.JSONField(_("các khoản phí, lệ phí"), default=list, blank=True)
    # Optimistic concurrency: every service bumps it; a stale form gets a clear conflict.
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "received_at"], name="dossier_agency_received"),
            models.Index(fields=["agency", "ended_at"], name="dossier_agency_ended"),
            models.Index(fields=["received_at"], name="dossier_received"),
            models.Index(fields=["ended_at"], name="dossier_ended"),
            models.Index(fields=["agency", "status", "due_at"], name="dossier_inbox"),
            # What a one-stop unit received (counter staff see it beside their own agency's):
            # its inbox by status and due date, its dashboard by end (open or ended lately).
            models.Index(
                fields=["receiving_unit", "status", "due_at"], name="dossier_counter_inbox"
            ),
            # With the columns the inbox's "ended this quarter" counts read, for the dossiers a
            # one-stop unit received for other agencies (``dossiers.scope.dossier_scope_parts``).
            models.Index(
                fields=[
                    "receiving_unit",
                    "ended_at",
                    "agency",
                    "dossier_class",
                    "has_apology",
                    "status",
                ],
                name="dossier_counter_ended",
            ),
            models.Index(fields=["applicant_id_number"], name="dossier_applicant_id"),
            # Incremental sync (GET /api/dossiers?updated_since=…) pages in this order.
            models.Index(fields=["updated_at", "id"], name="dossier_sync"),
            # A person's desk: what was handed to them, by status and due date.
            models.Index(fields=["assignee", "status", "due_at"], name="dossier_desk"),
            # The live dossiers (a few percent of a province's history) with every column the
            # inbox's tab counts and scope test read: the counts are read from this index alone
            # (no table rows; ``id`` is listed for PostgreSQL, which counts and orders by it),
            # and a tab's page is chosen in due-date order from it. At 1M
            # dossiers the centre's counts went from 53 to 21 ms (PostgreSQL) and its page of
            # ids from 27 to 6 ms (bench/office_pages.py).
            models.Index(
                fields=[
                    "status",
                    "due_at",
                    "id",
                    "agency",
                    "receiving_unit",
                    "received_at",
                    "level",
                    "has_apology",
                    "step_over_at",
                    "assignee",
                    "current_unit",
                ],
                condition=models.Q(status__in=WORKLIST_STATUSES),
                name="dossier_live",
            ),
            # The leadership dashboard (office.dashboard) counts a period agency by agency in
            # three index ranges, each covered by its index so that no row is read: received
            # in the period, ended in (or after) it, still open. Key columns rather than
            # INCLUDE so that SQLite is covered too; the agency first so that the rows come
            # grouped by agency (SQLite groups by sorting otherwise).
            models.Index(
                fields=["agency", "received_at", "channel", "receiving_unit"],
                name="dossier_dash_received",
            ),
            models.Index(
                fields=[
                    "agency",
                    "ended_at",
                    "receiving_unit",
                    "end_kind",
                    "dossier_class",
                    "delivery_channel",
                    "has_apology",
                    "received_at",
                    "due_at",
                    "status",
                ],
                name="dossier_dash_ended",
            ),
            models.Index(
                fields=[
                    "agency",
                    "receiving_unit",
                    "status",
                    "received_at",
                    "due_at",
                    "has_apology",
                    "step_over_at",
                    # Always null here, but SQLite counts an index as covering only if it
                    # holds the columns of the condition too.
                    "ended_at",
                ],
                condition=Q(ended_at__isnull=True),
                name="dossier_dash_open",
            ),
            # In progress at a period's end (open, or ended after the end) with every column
            # "overdue at the end" and its history candidates read (reports.period), so that
            # the rollup's figures count them from the index alone, open and ended apart.
            models.Index(
                fields=[
                    "ended_at",
                    "due_at",
                    "received_at",
                    "status",
                    "supplement_requested_at",
                    "agency",
                    "field",
                    "level",
                ],
                name="dossier_at_end",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_source", "external_ref"],
                condition=~Q(external_ref=""),
                name="dossier_external_ref",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, end_kind="")
                | Q(ended_at__isnull=False) & ~Q(end_kind=""),
                name="dossier_end_consistent",
            ),
            models.CheckConstraint(
                condition=Q(current_unit__isnull=True) | Q(current_unit_label=""),
                name="dossier_current_unit_or_label",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def current_unit_name(self) -> str:
        return units.unit_name(self.current_unit, self.current_unit_label)

    @property
    def is_open(self) -> bool:
        return self.received_at is not None and self.ended_at is None


class EventType(models.TextChoices):
    # Context "dossier event": the same words are buttons and menu entries in the staff
    # application ("Trả kết quả": "Return results" there, "Result delivered" here).
    SUBMITTED = "submitted", pgettext_lazy("dossier event", "Nộp trực tuyến")
    COMPLETION_REQUESTED = (
        "completion_requested",
        pgettext_lazy("dossier event", "Yêu cầu hoàn thiện trước tiếp nhận"),
    )
    COMPLETED = "completed", pgettext_lazy("dossier event", "Đã hoàn thiện hồ sơ")
    REJECTED = "rejected", pgettext_lazy("dossier event", "Từ chối tiếp nhận")
    RECEIVED = "received", pgettext_lazy("dossier event", "Tiếp nhận")
    HANDOVER = "handover", pgettext_lazy("dossier event", "Chuyển xử lý")
    SUPPLEMENT_REQUESTED = "supplement_requested", pgettext_lazy("dossier event", "Yêu cầu bổ sung")
    SUPPLEMENT_SUBMITTED = (
        "supplement_submitted",
        pgettext_lazy("dossier event", "Nộp bổ sung trực tuyến"),
    )
    SUPPLEMENT_RECEIVED = (
        "supplement_received",
        pgettext_lazy("dossier event", "Nhận hồ sơ bổ sung"),
    )
    EXTENSION = "extension", pgettext_lazy("dossier event", "Gia hạn, xin lỗi")
    RESULT_READY = "result_ready", pgettext_lazy("dossier event", "Có kết quả")
    REFUSED = "refused", pgettext_lazy("dossier event", "Trả lại hồ sơ")
    WITHDRAWN = "withdrawn", pgettext_lazy("dossier event", "Rút hồ sơ")
    STOPPED = "stopped", pgettext_lazy("dossier event", "Dừng giải quyết")
    RESULT_DELIVERED = "result_delivered", pgettext_lazy("dossier event", "Trả kết quả")
    DIGITISED = "digitised", pgettext_lazy("dossier event", "Số hóa thành phần hồ sơ")
    PAYMENT_REQUESTED = (
        "payment_requested",
        pgettext_lazy("dossier event", "Chờ nộp phí, lệ phí trước khi giải quyết"),
    )
    PAYMENT_SETTLED = (
        "payment_settled",
        pgettext_lazy("dossier event", "Đã nộp phí, lệ phí; bắt đầu giải quyết"),
    )
    POSTAL_ORDERED = (
        "postal_ordered",
        pgettext_lazy("dossier event", "Bưu chính nhận chuyển phát kết quả"),
    )
    DELIVERY_FAILED = (
        "delivery_failed",
        pgettext_lazy("dossier event", "Bưu chính chuyển hoàn kết quả (không phát được)"),
    )


class DossierEvent(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("sự kiện"), max_length=32, choices=EventType.choices)
    at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True, default="")
    from_status = models.CharField(max_length=32, blank=True, default="")
    to_status = models.CharField(max_length=32, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    # The system that called the API to make this change (its token's name and prefix,
    # ``core.audit.request_via``); empty for a change made in the staff or citizen pages.
    via = models.CharField(_("qua hệ thống"), max_length=140, blank=True, default="")
    # When the row was written (``at`` is the business time, which an import dates in the
    # past): the events feed's settle lag counts from this (``api.sync``). Empty on the
    # events written before it existed.
    recorded_at = models.DateTimeField(_("ghi lúc"), null=True, blank=True, default=timezone.now)

    class Meta:
        verbose_name = _("sự kiện hồ sơ")
        verbose_name_plural = _("diễn biến hồ sơ")
        ordering = ["dossier", "at", "id"]
        indexes = [models.Index(fields=["dossier", "at"], name="event_dossier_at")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.type} {self.at:%Y-%m-%d %H:%M}"


class StepResult(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class Handover(models.Model):
    """One row of the control slip (form 06): the dossier moving from one unit to the next."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="handovers")
    position = models.PositiveSmallIntegerField()
    # Each unit an agency of the register, else (only then) a label (``agencies.units``).
    from_unit = models.ForeignKey(
        Agency,
        verbose_name=_("đơn vị giao"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_unit_label = models.CharField(
        _("đơn vị giao (ngoài danh mục)"), max_length=255, blank=True, default=""
    )
    to_unit = models.ForeignKey(
        Agency,
        verbose_name=_("đơn vị nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_unit_label = models.CharField(
        _("đơn vị nhận (ngoài danh mục)"), max_length=255, blank=True, default=""
    )
    at = models.DateTimeField(_("thời điểm giao nhận"))
    giver = models.CharField(_("người giao"), max_length=200, blank=True, default="")
    receiver = models.CharField(_("người nhận"), max_length=200, blank=True, default="")
    # The step the receiving unit performs, with its budget; closed by the next hand-over.
    step = models.ForeignKey(
        WorkflowStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step_name = models.CharField(_("bước"), max_length=255, blank=True, default="")
    budget_hours = models.DecimalField(
        _("thời gian quy định (giờ)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    finished_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    used_hours = models.DecimalField(
        _("thời gian thực hiện (giờ)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    result = models.CharField(
        _("kết quả bước"), max_length=16, choices=StepResult.choices, blank=True, default=""
    )
    note = models.CharField(_("ghi chú"), max_length=500, blank=True, default="")
    # The proposal travels with the dossier: what the giver attaches for the next holder (a
    # draft result, a report), stored with its SHA-256 like a result file.
    draft_file = models.FileField(
        _("dự thảo kèm theo"), upload_to="drafts/%Y/%m/", blank=True, default=""
    )
    draft_sha256 = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("phiếu kiểm soát quá trình")
        verbose_name_plural = _("phiếu kiểm soát quá trình")
        ordering = ["dossier", "position"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "position"], name="handover_unique"),
            models.CheckConstraint(
                condition=Q(from_unit__isnull=True) | Q(from_unit_label=""),
                name="handover_from_unit_or_label",
            ),
            models.CheckConstraint(
                condition=Q(to_unit__isnull=True) | Q(to_unit_label=""),
                name="handover_to_unit_or_label",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_unit_name} → {self.to_unit_name}"

    @property
    def from_unit_name(self) -> str:
        return units.unit_name(self.from_unit, self.from_unit_label)

    @property
    def to_unit_name(self) -> str:
        return units.unit_name(self.to_unit, self.to_unit_label)


class DossierPart(models.Model):
    """A document received with the dossier (a part of the procedure, or an extra one)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="parts")
    part = models.ForeignKey(
        Part, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    kind = models.CharField(_("loại bản"), max_length=16, blank=True, default="")
    copies = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    reused = models.BooleanField(_("tái sử dụng từ kho dữ liệu"), default=False)
    # Its electronic form is its documents (``archive.Document.dossier_part``): files
    # uploaded online or scanned at the counter, or a stored document reused. A paper part
    # the counter could not digitise says why here.
    not_digitised_reason = models.CharField(
        _("lý do chưa số hóa"), max_length=500, blank=True, default=""
    )

    class Meta:
        verbose_name = _("thành phần hồ sơ đã nộp")
        verbose_name_plural = _("thành phần hồ sơ đã nộp")
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return self.name


class DossierSequence(models.Model):
    """The last sequence number handed out per agency and receipt day (code's NNNN)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="dossier_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day:%Y-%m-%d} {self.last}"


class GuidanceKind(models.TextChoices):
    DIRECT = "direct", _("Hướng dẫn trực tiếp")
    OUTGOING_CALL = "outgoing_call", _("Gọi điện đi")
    INCOMING_CALL = "incoming_call", _("Trả lời cuộc gọi đến")


class Guidance(models.Model):
    """A guidance contact (hướng dẫn) given by a service center."""

    at = models.DateTimeField(_("thời điểm"), db_index=True)
    kind = models.CharField(_("hình thức"), max_length=16, choices=GuidanceKind.choices)
    unit = models.ForeignKey(
        Agency, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    procedure_code = models.CharField(_("thủ tục"), max_length=32, blank=True, default="")
    note = models.TextField(_("ghi chú"), blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Idempotent imports: a hash of the imported line (empty for live entries).
    import_key = models.CharField(max_length=64, blank=True, default="", db_index=True)
    # The sheet handed over when an incomplete dossier is not received (form 02 at the
    # counter): numbered per unit and year, with what it printed, so that it can be reprinted
    # as it was. Empty for a guidance contact without a sheet (a call, a quick answer).
    sheet_year = models.PositiveSmallIntegerField(null=True, blank=True)
    sheet_number = models.PositiveIntegerField(_("số phiếu"), null=True, blank=True)
    procedure_version = models.ForeignKey(
        ProcedureVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applicant_kind = models.CharField(
        _("loại chủ hồ sơ"), max_length=16, choices=ApplicantKind.choices, blank=True, default=""
    )
    applicant_name = models.CharField(
        _("người được hướng dẫn"), max_length=255, blank=True, default=""
    )
    applicant_phone = models.CharField(max_length=32, blank=True, default="")
    applicant_email = models.CharField(max_length=254, blank=True, default="")
    applicant_address = models.CharField(max_length=500, blank=True, default="")
    items = models.JSONField(_("nội dung cần bổ sung"), default=list, blank=True)
    reason = models.TextField(_("lý do"), blank=True, default="")
    contact_phone = models.CharField(_("điện thoại liên hệ"), max_length=32, blank=True, default="")

    class Meta:
        verbose_name = _("lượt hướng dẫn")
        verbose_name_plural = _("sổ hướng dẫn")
        ordering = ["-at"]
        indexes = [models.Index(fields=["unit", "at"], name="guidance_unit_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "sheet_year", "sheet_number"],
                condition=Q(sheet_number__isnull=False),
                name="guidance_sheet_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.get_kind_display()}"
