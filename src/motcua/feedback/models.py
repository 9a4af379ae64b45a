"""Ratings of dossiers (ND 118/2025 Điều 33) and complaints and petitions (PAKN).

A PAKN keeps its deadlines as columns written by ``feedback.services`` (forward by, answer
due) so that the staff list and the indicators are plain ordered queries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Score(models.IntegerChoices):
    """The three-level scale; the value is also the ND 61/2018 point (0–2 per indicator)."""

    SATISFIED = 2, _("Hài lòng")
    NEUTRAL = 1, _("Bình thường")
    UNSATISFIED = 0, _("Không hài lòng")


class Content(models.TextChoices):
    """The nine contents rated (ND 118/2025 Điều 33); the rubrics, with ND 61/2018's, are in
    ``feedback.rubric``."""

    TIME = "time", _("Thời gian trả kết quả so với quy định")
    AGENCIES = "agencies", _("Số lượng cơ quan, đơn vị phải liên hệ")
    CONTACTS = "contacts", _("Số lần phải liên hệ để hoàn thiện hồ sơ")
    INFORMATION = "information", _("Tính chính xác của thông tin thủ tục được công khai")
    ATTITUDE = "attitude", _("Thái độ của cán bộ, công chức")
    LAWFULNESS = "lawfulness", _("Kết quả và chi phí giải quyết đúng quy định")
    COMPLAINTS = "complaints", _("Việc tiếp nhận, xử lý phản ánh, kiến nghị")
    ONLINE = "online", _("Dịch vụ công trực tuyến")
    OTHER = "other", _("Nội dung khác")


class RatingChannel(models.TextChoices):
    WEB = "web", _("Trang web")
    QR = "qr", _("Mã QR trên phiếu hẹn")
    KIOSK = "kiosk", _("Thiết bị tại quầy")


class RatingRubric(models.TextChoices):
    """Which rubric a rating was given under (``feedback.rubric.rubric_on``)."""

    ND61_2018 = "nd61_2018", _("Nghị định 61/2018/NĐ-CP")
    ND118_2025 = "nd118_2025", _("Nghị định 118/2025/NĐ-CP")


class Rating(models.Model):
    """The applicant's rating of a dossier: one per dossier, final once given."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="rating"
    )
    rubric = models.CharField(
        _("bộ tiêu chí"),
        max_length=16,
        choices=RatingRubric.choices,
        default=RatingRubric.ND118_2025,
        db_index=True,
    )
    # {content code: option code or "na"} as answered, for every content of the rubric.
    answers = models.JSONField(_("câu trả lời"), default=dict)
    # {content code: 0|1|2, or null for "Không áp dụng"}.
    scores = models.JSONField(_("điểm từng nội dung"), default=dict)
    # Denormalised for the indicators: points over the contents that apply (0–2 each), their
    # maximum (2 × contents not answered "Không áp dụng": 18 when all nine apply), and whether
    # a content got 0 points (the negative rating of QĐ 766).
    points = models.PositiveSmallIntegerField(_("điểm"), default=0)
    max_points = models.PositiveSmallIntegerField(_("điểm tối đa"), default=18)
    negative = models.BooleanField(_("có nội dung không hài lòng"), default=False)
    comment = models.TextField(_("ý kiến"), blank=True, default="")
    channel = models.CharField(_("kênh"), max_length=8, choices=RatingChannel.choices)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ trả kết quả"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("đánh giá lúc"), db_index=True)

    class Meta:
        verbose_name = _("đánh giá hồ sơ")
        verbose_name_plural = _("đánh giá hồ sơ")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.points}/{self.max_points}"


class KioskDevice(models.Model):
    """A counter tablet showing the three faces for one clerk; the token in its address is
    the only credential, so it is long, random and revocable (``active``)."""

    token = models.CharField(_("mã thiết bị"), max_length=64, unique=True)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    label = models.CharField(_("quầy"), max_length=100, blank=True, default="")
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thiết bị đánh giá tại quầy")
        verbose_name_plural = _("thiết bị đánh giá tại quầy")

    def __str__(self) -> str:
        return f"{self.label or self.token[:6]} — {self.clerk}"


class KioskRating(models.Model):
    """One tap on a counter tablet: the citizen's mood about the clerk who served them."""

    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    device = models.ForeignKey(KioskDevice, null=True, on_delete=models.SET_NULL, related_name="+")
    score = models.PositiveSmallIntegerField(_("mức độ"), choices=Score.choices)
    at = models.DateTimeField(_("thời điểm"), db_index=True)

    class Meta:
        verbose_name = _("đánh giá tại quầy")
        verbose_name_plural = _("đánh giá tại quầy")
        indexes = [models.Index(fields=["clerk", "at"], name="kiosk_clerk_at")]

    def __str__(self) -> str:
        return f"{self.clerk_id} {self.score} {self.at:%Y-%m-%d %H:%M}"


class FeedbackSubject(models.TextChoices):
    DOSSIER = "dossier", _("Về một hồ sơ")
    PROCEDURE = "procedure", _("Về một thủ tục hành chính")
    GENERAL = "general", _("Chung")


class FeedbackKind(models.TextChoices):
    """Phản ánh (about behaviour, obstacles) or kiến nghị (a proposal), ND 20/2008."""

    REPORT = "report", _("Phản ánh")
    PETITION = "petition", _("Kiến nghị")


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")
    CLASSIFIED = "classified", _("Đã phân loại, đang xử lý")
    FORWARDED = "forwarded", _("Đã chuyển cơ quan có thẩm quyền")
    ANSWERED = "answered", _("Đã trả lời")
    REFUSED = "refused", _("Không tiếp nhận")
    REOPENED = "reopened", _("Chưa hài lòng, xử lý lại")


# A PAKN answered, or not received (refused), waits for nothing more from the agency.
CLOSED_STATUSES = (FeedbackStatus.ANSWERED, FeedbackStatus.REFUSED)


class Feedback(models.Model):
    """A complaint or petition (phản ánh, kiến nghị) about an administrative procedure."""

    code = models.CharField(_("mã phản ánh"), max_length=32, unique=True)
    secret = models.CharField(_("mã bí mật"), max_length=32)
    subject = models.CharField(_("đối tượng"), max_length=16, choices=FeedbackSubject.choices)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    # The citizen's account when they were signed in: listed under "Hồ sơ của tôi".
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản công dân"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    # The dossier or procedure code as the person typed it; linked below when it exists.
    reference = models.CharField(_("mã hồ sơ / thủ tục"), max_length=64, blank=True, default="")
    procedure = models.ForeignKey(
        "catalog.Procedure",
        verbose_name=_("thủ tục"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("tiêu đề"), max_length=255)
    text = models.TextField(_("nội dung"))
    # What the public page shows: the question as staff redacted it at publication.
    public_text = models.TextField(_("nội dung công khai"), blank=True, default="")

    # Personal data (never on a public page).
    name = models.CharField(_("họ và tên"), max_length=255)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True, default="")
    email = models.EmailField(_("thư điện tử"), blank=True, default="")
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True, default="")

    status = models.CharField(
        _("trạng thái"), max_length=16, choices=FeedbackStatus.choices, db_index=True
    )
    kind = models.CharField(
        _("phân loại"), max_length=16, choices=FeedbackKind.choices, blank=True, default=""
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("cơ quan xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    received_at = models.DateTimeField(_("tiếp nhận lúc"), db_index=True)
    # Deadlines of the regulation in force at receipt (``feedback.deadlines``).
    refuse_by = models.DateTimeField(_("hạn từ chối tiếp nhận"), null=True, blank=True)
    refused_at = models.DateTimeField(_("từ chối lúc"), null=True, blank=True)
    refuse_reason = models.TextField(_("lý do không tiếp nhận"), blank=True, default="")
    info_by = models.DateTimeField(_("hạn yêu cầu bổ sung thông tin"), null=True, blank=True)
    info_requested_at = models.DateTimeField(
        _("yêu cầu bổ sung thông tin lúc"), null=True, blank=True
    )
    forward_by = models.DateTimeField(_("hạn chuyển"), null=True, blank=True)
    forwarded_at = models.DateTimeField(_("chuyển lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn trả lời"), db_index=True)
    first_due_at = models.DateTimeField(_("hạn trả lời ban đầu"))
    answer = models.TextField(_("nội dung trả lời"), blank=True, default="")
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Sticky facts for the indicators: an answer once late stays late after a reopening.
    answered_late = models.BooleanField(_("trả lời quá hạn"), default=False)
    forward_late = models.BooleanField(_("chuyển quá hạn"), default=False)
    refused_late = models.BooleanField(_("từ chối quá hạn"), default=False)
    info_late = models.BooleanField(_("yêu cầu bổ sung quá hạn"), default=False)
    overdue_flagged_at = models.DateTimeField(_("cảnh báo quá hạn lúc"), null=True, blank=True)
    published_at = models.DateTimeField(_("công khai lúc"), null=True, blank=True)
    unsatisfied_at = models.DateTimeField(_("không hài lòng lúc"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("số lần xử lý lại"), default=0)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["agency", "due_at"], name="feedback_agency_due")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="answered") | Q(answered_at__isnull=False),
                name="feedback_answered_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES


class FeedbackEvent(models.Model):
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("sự kiện"), max_length=32)
    at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("diễn biến phản ánh")
        verbose_name_plural = _("diễn biến phản ánh")
        ordering = ["feedback", "at", "id"]

    def __str__(self) -> str:
        return f"{self.feedback_id} {self.type} {self.at:%Y-%m-%d %H:%M}"


class FeedbackSequence(models.Model):
    """The last number used per day, for PAKN-YYMMDD-NNNN codes."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"
