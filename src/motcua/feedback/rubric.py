"""The rating rubric in force at a dossier's date: what the applicant is asked, and the points.

Pure: no database. ``rubric_on(day)`` picks the rubric by the dossier's (local) receipt date,
the one place that knows the date; ``rating_score`` turns answers into points.

- Received before 1/7/2025: ND 61/2018/NĐ-CP Điều 33 (as amended by ND 107/2021): nine
  indicators answered with facts (e.g. "Trước hạn"), each worth 0–2 points, 18 per dossier
  (the points per answer as indicators.md gives them: time early 2 / on time 1 / late 0;
  contacts needed none 2 / once 1 / more 0).
- From 1/7/2025: ND 118/2025/NĐ-CP Điều 33: nine contents, each "Hài lòng" (2), "Bình
  thường" (1) or "Không hài lòng" (0).

Every content may be answered "Không áp dụng", which is left out of the denominators (its 2
points are not in ``max_points``, its answer in no content's count). A content that cannot
apply to the dossier (``Applies``: the online service for a dossier filed at the counter or by
post, the handling of complaints when no PAKN was filed about it) is not asked and is stored
as "Không áp dụng"; the others must be answered, except "other" contents (``optional``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

NOT_APPLICABLE = "na"
NOT_APPLICABLE_LABEL = _("Không áp dụng")
ND118_FROM = dt.date(2025, 7, 1)  # ND 118/2025 in force from 1/7/2025 (domain.md §2)
MAX_POINTS_PER_CONTENT = 2


class Applies(Enum):
    """When a content can apply to a dossier, from facts the system knows."""

    ALWAYS = "always"
    ONLINE = "online"  # the dossier was filed online
    COMPLAINT = "complaint"  # a PAKN was filed about the dossier


@dataclass(frozen=True)
class Option:
    code: str
    label: str | Promise
    points: int


@dataclass(frozen=True)
class Item:
    code: str
    label: str | Promise
    options: tuple[Option, ...]
    applies: Applies = Applies.ALWAYS
    optional: bool = False  # may be left blank even when it applies ("other")


@dataclass(frozen=True)
class Rubric:
    code: str
    label: str | Promise
    legal_basis: str
    items: tuple[Item, ...]

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)


@dataclass(frozen=True)
class DossierFacts:
    """What decides which contents apply: how it was filed, whether a PAKN names it."""

    online: bool
    complained: bool


def applies(item: Item, facts: DossierFacts) -> bool:
    if item.applies is Applies.ONLINE:
        return facts.online
    if item.applies is Applies.COMPLAINT:
        return facts.complained
    return True


LEVELS = (
    Option("2", _("Hài lòng"), 2),
    Option("1", _("Bình thường"), 1),
    Option("0", _("Không hài lòng"), 0),
)


def _levels(code: str, label: str | Promise, **kw: object) -> Item:
    return Item(code, label, LEVELS, **kw)  # type: ignore[arg-type]


# ND 118/2025 Điều 33: the nine contents; the codes are those stored since the first rating.
ND118 = Rubric(
    code="nd118_2025",
    label=_("Nghị định 118/2025/NĐ-CP, Điều 33"),
    legal_basis="ND 118/2025/NĐ-CP Điều 33",
    items=(
        _levels("time", _("Thời gian trả kết quả so với quy định")),
        _levels("agencies", _("Số lượng cơ quan, đơn vị phải liên hệ")),
        _levels("contacts", _("Số lần phải liên hệ để hoàn thiện hồ sơ")),
        _levels("information", _("Tính chính xác của thông tin thủ tục được công khai")),
        _levels("attitude", _("Thái độ của cán bộ, công chức")),
        _levels("lawfulness", _("Kết quả và chi phí giải quyết đúng quy định")),
        _levels(
            "complaints",
            _("Việc tiếp nhận, xử lý phản ánh, kiến nghị"),
            applies=Applies.COMPLAINT,
        ),
        _levels("online", _("Dịch vụ công trực tuyến"), applies=Applies.ONLINE),
        _levels("other", _("Nội dung khác"), optional=True),
    ),
)

# ND 61/2018 Điều 33.1 (a)–(i), answered with facts; points 2 / 1 / 0 per answer (TT 01/2018).
ND61 = Rubric(
    code="nd61_2018",
    label=_("Nghị định 61/2018/NĐ-CP, Điều 33"),
    legal_basis="ND 61/2018/NĐ-CP Điều 33",
    items=(
        Item(
            "time",
            _("Tổng thời gian giải quyết thủ tục hành chính so với thời gian quy định"),
            (
                Option("early", _("Trước hạn"), 2),
                Option("on_time", _("Đúng hạn"), 1),
                Option("late", _("Quá hạn"), 0),
            ),
        ),
        Item(
            "step_time",
            _("Thời gian thực hiện của từng cơ quan, đơn vị tham gia giải quyết"),
            (
                Option("early", _("Trước hạn"), 2),
                Option("on_time", _("Đúng hạn"), 1),
                Option("late", _("Quá hạn"), 0),
            ),
        ),
        Item(
            "contacts",
            _("Số lần phải liên hệ với nơi tiếp nhận hồ sơ để hoàn thiện hồ sơ"),
            (
                Option("none", _("Không phải liên hệ lần nào"), 2),
                Option("once", _("Một lần"), 1),
                Option("more", _("Nhiều hơn một lần"), 0),
            ),
        ),
        Item(
            "agencies",
            _("Số cơ quan, đơn vị, tổ chức phải liên hệ để hoàn thiện hồ sơ"),
            (
                Option("one", _("Chỉ Bộ phận Một cửa"), 2),
                Option("two", _("Hai cơ quan, đơn vị"), 1),
                Option("more", _("Nhiều hơn hai cơ quan, đơn vị"), 0),
            ),
        ),
        Item(
            "information",
            _("Công khai thủ tục hành chính"),
            (
                Option("full", _("Đầy đủ, chính xác"), 2),
                Option("partial", _("Chưa đầy đủ"), 1),
                Option("none", _("Không công khai hoặc sai lệch"), 0),
            ),
        ),
        Item(
            "attitude",
            _("Thái độ của cán bộ, công chức, viên chức khi hướng dẫn, tiếp nhận, trả kết quả"),
            (
                Option("helpful", _("Tận tình, chu đáo"), 2),
                Option("plain", _("Không nhiệt tình"), 1),
                Option("harassing", _("Gây phiền hà, sách nhiễu"), 0),
            ),
        ),
        Item(
            "lawfulness",
            _("Kết quả và chi phí giải quyết so với quy định"),
            (
                Option("lawful", _("Đúng quy định"), 2),
                Option("corrected", _("Phải sửa, cấp lại kết quả"), 1),
                Option("unlawful", _("Sai quy định hoặc phải nộp chi phí ngoài quy định"), 0),
            ),
        ),
        Item(
            "complaints",
            _("Tiếp thu, giải trình phản ánh, kiến nghị"),
            (
                Option("on_time", _("Được trả lời đúng hạn"), 2),
                Option("late", _("Được trả lời quá hạn"), 1),
                Option("none", _("Không được trả lời"), 0),
            ),
            applies=Applies.COMPLAINT,
        ),
        Item(
            "online",
            _("Thực hiện dịch vụ công trực tuyến"),
            (
                Option("full", _("Nộp hồ sơ và nhận kết quả trực tuyến"), 2),
                Option("partial", _("Nộp hồ sơ trực tuyến, nhận kết quả trực tiếp"), 1),
                Option("failed", _("Không thực hiện được trực tuyến"), 0),
            ),
            applies=Applies.ONLINE,
        ),
    ),
)

RUBRICS: dict[str, Rubric] = {r.code: r for r in (ND61, ND118)}


def rubric_on(day: dt.date) -> Rubric:
    """The rubric in force for a dossier received on ``day`` (local date)."""
    return ND118 if day >= ND118_FROM else ND61


class AnswerError(ValueError):
    """An answer the rubric does not allow; ``item`` names the content (None: the form)."""

    def __init__(self, message: str, item: str | None = None) -> None:
        super().__init__(message)
        self.item = item


@dataclass(frozen=True)
class RatingScore:
    answers: dict[str, str]  # every item: an option code or NOT_APPLICABLE
    scores: dict[str, int | None]  # every item: its points, None when not applicable
    points: int
    max_points: int  # 2 × contents answered with something else than "Không áp dụng"
    negative: bool  # a content answered with 0 points


def rating_score(rubric: Rubric, answers: Mapping[str, str], facts: DossierFacts) -> RatingScore:
    """Check ``answers`` against the rubric and the dossier's facts, and count the points.

    A content that does not apply must be absent or "Không áp dụng"; a content that applies
    must be answered unless it is optional (blank is then "Không áp dụng")."""
    clean: dict[str, str] = {}
    scores: dict[str, int | None] = {}
    for item in rubric.items:
        given = str(answers.get(item.code, "") or "").strip()
        if not applies(item, facts):
            if given not in ("", NOT_APPLICABLE):
                raise AnswerError(
                    str(_("Nội dung này không áp dụng cho hồ sơ: %(label)s."))
                    % {"label": item.label},
                    item.code,
                )
            given = NOT_APPLICABLE
        elif not given:
            if not item.optional:
                raise AnswerError(str(_("Vui lòng chọn một mức.")), item.code)
            given = NOT_APPLICABLE
        if given == NOT_APPLICABLE:
            clean[item.code], scores[item.code] = NOT_APPLICABLE, None
            continue
        option = next((o for o in item.options if o.code == given), None)
        if option is None:
            raise AnswerError(str(_("Mức đánh giá không hợp lệ.")), item.code)
        clean[item.code], scores[item.code] = option.code, option.points
    rated = [s for s in scores.values() if s is not None]
    return RatingScore(
        answers=clean,
        scores=scores,
        points=sum(rated),
        max_points=MAX_POINTS_PER_CONTENT * len(rated),
        negative=0 in rated,
    )
