"""Typed contexts of the official forms 01-07 (TT 03/2025/TT-VPCP; fields: docs/forms.md).

A context holds the values a form prints, already written the Vietnamese way (31/8/2022,
"10 giờ 00 phút, ngày 29/8/2022", 17.946), so that the DOCX and the PDF renderers only place
strings and cannot disagree. ``*_context(dossier, ...)`` builds one from the database; tests
and previews can build one from plain values.

Where a value is not a column of the dossier, it comes from the latest event of the kind
(``DossierEvent.data``, keys below) or from an explicit keyword argument, which wins:

- ``received``: ``sets`` (int), ``register_volume``, ``register_line``, ``collect_at``
- ``supplement_requested`` / ``completion_requested``: ``items`` (list of str), ``reason``,
  ``contact_name``, ``contact_phone``
- ``rejected`` / ``refused``: ``reason``
- ``extension``: ``reason``, ``new_due_at`` (ISO 8601 instant)
- ``stopped`` / ``withdrawn``: ``reason``
- any: ``signer_name`` (who signs the form), ``document_number`` (number and symbol,
  e.g. "15/TB-SXD"; the keyword argument is ``number``)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.agencies.letterheads import IssuingBody, filing_line, letterhead_for, signature_title
from motcua.agencies.models import Agency
from motcua.catalog.models import DurationUnit, PartKind
from motcua.core.documents import (
    DocumentHeader,
    local_date,
    place_date,
    vn_datetime,
    vn_quantity,
    vn_short_date,
)
from motcua.core.formatting import vn_money
from motcua.core.people import person_name
from motcua.dossiers.forms_docs.form_sets import ND118_SET, FormSet, form_set_on
from motcua.dossiers.intake_points import received_elsewhere
from motcua.dossiers.models import (
    ApplicantKind,
    Channel,
    DeliveryChannel,
    Dossier,
    DossierEvent,
    EndKind,
    EventType,
    Guidance,
    StepResult,
)
from motcua.dossiers.queries import dossier_pay_by

SIGN_HINT = "(Ký và ghi rõ họ tên)"
SIGN_SEAL_HINT = "(Ký, ghi rõ họ tên và đóng dấu)"
RECEIPT_COPIES = ("Liên 1: Lưu", "Liên 2: Giao người nộp hồ sơ")


@dataclass(frozen=True)
class Applicant:
    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    citizen: bool = False

    @property
    def addressed(self) -> str:
        """The name as the forms write it where they address the person: "Ông/Bà Nguyễn Văn
        A" for a citizen (the forms' "Ông/Bà"), an organisation's name as it is."""
        return f"Ông/Bà {self.name}" if self.citizen and self.name else self.name


@dataclass(frozen=True)
class Signature:
    title: str
    hint: str = SIGN_HINT
    name: str = ""


@dataclass(frozen=True)
class PartRow:
    index: int
    name: str
    kind: str
    copies: int


def _part_kind(kind: str, *, reused: bool) -> str:
    label = str(PartKind(kind).label) if kind in PartKind.values else kind
    # ND 118/2025 Điều 17.1.b: the applicant is told which parts were not asked for again but
    # taken from their stored documents.
    return "; ".join(t for t in (label, "tái sử dụng dữ liệu đã số hóa" if reused else "") if t)


@dataclass(frozen=True)
class ReceiptContext:
    """Form 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""

    header: DocumentHeader
    code: str
    receiving_unit: str
    applicant: Applicant
    procedure: str
    parts: Sequence[PartRow]
    sets: int
    legal_time: str
    received: str
    due: str
    collect_at: str
    register_volume: str
    register_line: str
    lookup_url: str
    lookup_base: str
    secret: str
    signatures: tuple[Signature, Signature]
    # TT 01/2018 Mẫu 01: one copy is filed with the control slip, one goes to the applicant.
    copies: Sequence[str] = RECEIPT_COPIES
    # The competent agency when the dossier was received regardless of administrative
    # boundaries (``dossiers.intake_points``): received by one unit, decided by another.
    # Empty otherwise: the form then reads as the template has it.
    agency: str = ""
    # The form set of the dossier's date (``form_sets.form_set_on``): the printed number
    # ("Mẫu số 05 (Thông tư số 01/2018/TT-VPCP)") and title.
    mark: str = ""
    title: str = ND118_SET.title("01")
    # The fee and charge assessed at intake (issue 17), "1.200.000 đ (lệ phí: …)"; empty when
    # not assessed: the form then reads as the template has it.
    fee: str = ""


@dataclass(frozen=True)
class SupplementContext:
    """Form 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""

    header: DocumentHeader
    code: str
    applicant: Applicant
    procedure: str
    items: Sequence[str]
    reason: str
    contact_name: str
    contact_phone: str
    signature: Signature
    # The form set of the dossier's date (``form_sets.form_set_on``): the printed number
    # ("Mẫu số 05 (Thông tư số 01/2018/TT-VPCP)") and title.
    mark: str = ""
    title: str = ND118_SET.title("02")


@dataclass(frozen=True)
class RefusalContext:
    """Form 03: Phiếu từ chối tiếp nhận, giải quyết hồ sơ."""

    header: DocumentHeader
    code: str
    unit: str
    applicant: Applicant
    procedure: str
    reason: str
    at_intake: bool
    signature: Signature
    # The form set of the dossier's date (``form_sets.form_set_on``): the printed number
    # ("Mẫu số 05 (Thông tư số 01/2018/TT-VPCP)") and title.
    mark: str = ""
    title: str = ND118_SET.title("03")


@dataclass(frozen=True)
class ApologyContext:
    """Form 04: Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết."""

    header: DocumentHeader
    code: str
    unit: str
    applicant: Applicant
    procedure: str
    received_date: str
    missed_due: str
    reason: str
    new_due: str
    signature: Signature
    # ND 30/2020 Phụ lục I, Mục II.9: "Nơi nhận", at the foot, left of the signature.
    recipients: Sequence[str] = ()
    # The form set of the dossier's date (``form_sets.form_set_on``): the printed number
    # ("Mẫu số 05 (Thông tư số 01/2018/TT-VPCP)") and title.
    mark: str = ""
    title: str = ND118_SET.title("04")
    decree: str = ""  # the decree the letter rests on ("Căn cứ …")


@dataclass(frozen=True)
class StopContext:
    """Form 05: Thông báo dừng giải quyết hồ sơ."""

    header: DocumentHeader
    code: str
    unit: str
    applicant: Applicant
    procedure: str
    received: str
    reason: str
    since: str
    signature: Signature
    recipients: Sequence[str] = ()
    # The form set of the dossier's date (``form_sets.form_set_on``): the printed number
    # ("Mẫu số 05 (Thông tư số 01/2018/TT-VPCP)") and title.
    mark: str = ""
    title: str = ND118_SET.title("05")
    decree: str = ""  # the decree the letter rests on ("Căn cứ …")


@dataclass(frozen=True)
class ControlRow:
    index: int
    from_unit: str
    to_unit: str
    at: str
    giver: str
    receiver: str
    result: str
    note: str


@dataclass(frozen=True)
class ControlSlipContext:
    """Form 06: Phiếu kiểm soát quá trình giải quyết hồ sơ."""

    header: DocumentHeader
    code: str
    applicant: Applicant
    procedure: str
    agency: str
    received: str
    due: str
    rows: Sequence[ControlRow]
    # The form set of the dossier's date (``form_sets.form_set_on``): the printed number
    # ("Mẫu số 05 (Thông tư số 01/2018/TT-VPCP)") and title.
    mark: str = ""
    title: str = ND118_SET.title("06")


@dataclass(frozen=True)
class RegisterRow:
    index: int
    code: str
    procedure: str
    sets: int
    applicant: str
    address_phone: str
    agency: str
    received: str
    due: str
    sent: str
    result_back: str
    returned: str
    note: str


@dataclass(frozen=True)
class RegisterContext:
    """Form 07: Sổ theo dõi hồ sơ, one line per dossier, for a period."""

    header: DocumentHeader
    unit: str
    period: str
    rows: Sequence[RegisterRow] = field(default_factory=list)
    # The form set of the dossier's date (``form_sets.form_set_on``): the printed number
    # ("Mẫu số 05 (Thông tư số 01/2018/TT-VPCP)") and title.
    mark: str = ""
    title: str = ND118_SET.title("07")


# --- helpers ------------------------------------------------------------------------------


def dossier_day(dossier: Dossier) -> dt.date:
    """The day whose rules and forms a dossier follows (domain.md §2): its receipt; for one
    never received (refused at the counter, waiting online) the day it was recorded."""
    return local_date(dossier.received_at or dossier.created_at or timezone.now())


def form_set_of(dossier: Dossier) -> FormSet:
    """The official forms a dossier prints (``form_sets.form_set_on`` its day)."""
    return form_set_on(dossier_day(dossier))


def _marked(forms: FormSet, form: str) -> dict[str, str]:
    return {"mark": forms.mark(form), "title": forms.title(form)}


def lookup_url(code: str, secret: str) -> str:
    """The public lookup address encoded in the receipt's QR code (portal: /tra-cuu/).

    ``kenh=qr`` marks the visit as coming from the paper receipt: a rating reached from it
    counts under the QR channel (feedback.RatingChannel.QR)."""
    from urllib.parse import urlencode

    base = str(settings.MOTCUA["PUBLIC_URL"]).rstrip("/")
    return f"{base}/tra-cuu/?{urlencode({'ma': code, 'bi-mat': secret, 'kenh': 'qr'})}"


def header_of(body: IssuingBody, *, day: dt.date, number: str = "") -> DocumentHeader:
    """The ND 30/2020 header of a document that ``body`` issues on ``day``."""
    return DocumentHeader(
        superior=body.superior,
        unit=body.unit,
        number=number,
        place_date=place_date(day, body.place),
    )


def header_for(unit: Agency, *, day: dt.date, number: str = "") -> DocumentHeader:
    """The header of a document that ``unit`` issues on ``day``, as the unit stood then
    (``agencies.letterheads.letterhead_for``)."""
    return header_of(letterhead_for(unit, day), day=day, number=number)


def applicant_of(dossier: Dossier) -> Applicant:
    return Applicant(
        name=dossier.applicant_name,
        address=dossier.applicant_address,
        phone=dossier.applicant_phone,
        email=dossier.applicant_email,
        citizen=dossier.applicant_kind == ApplicantKind.CITIZEN,
    )


def recipients_for(dossier: Dossier, unit: Agency, body: IssuingBody) -> list[str]:
    """The "Nơi nhận" of a letter to the applicant: the applicant, the one-stop unit that
    returns the result, and the issuing body's file (ND 30/2020 Phụ lục I, Mục II.9)."""
    lines = [f"{dossier.applicant_name};"]
    receiving = dossier.receiving_unit
    if receiving is not None and receiving.pk != unit.pk:
        lines.append(f"{receiving.name};")
    lines.append(filing_line(body))
    return lines


def legal_time(duration: Any, unit: str) -> str:
    """'3 ngày làm việc', '4,5 giờ làm việc', '15 ngày'."""
    return f"{vn_quantity(duration)} {DurationUnit(unit).label}"


def latest_event(dossier: Dossier, *types: str) -> DossierEvent | None:
    return dossier.events.filter(type__in=types).order_by("-at", "-id").first()


# Who made an event recorded without a person: an imported history ("import"), a job.
UNKNOWN_PERSON = "—"


def actor_name(event: DossierEvent | None) -> str:
    """The officer who made ``event``: the signer it names, else its account's full name;
    "—" when no person is known (an imported history, a job), never a system name such
    as "import"; '' when there is no event yet (the name is written by hand)."""
    if event is None:
        return ""
    if event.data.get("signer_name"):
        return str(event.data["signer_name"])
    if event.actor is not None:
        return person_name(event.actor) or event.actor.get_username()
    return UNKNOWN_PERSON


def head_signer(event: DossierEvent | None) -> tuple[str, str]:
    """Who signs for the head of the agency (forms 03 after appraisal, 04, 05) and their
    position: the signer the event names, or its actor when a leader made it; else nobody
    yet — a specialist proposes, the head signs by hand, so the block is printed with its
    name left empty and the head's title."""
    if event is None:
        return "", ""
    if event.data.get("signer_name"):
        return str(event.data["signer_name"]), str(event.data.get("signer_title") or "")
    from motcua.core.models import Role, StaffProfile

    leading = (Role.LEADER, Role.CENTER_MANAGER)
    if event.actor_id is not None:
        profile = StaffProfile.objects.filter(user_id=event.actor_id, role__in=leading).first()
        if profile is not None:
            return actor_name(event), profile.title
    return "", ""


def head_name(event: DossierEvent | None) -> str:
    return head_signer(event)[0]


def head_signature(
    body: IssuingBody,
    event: DossierEvent | None,
    *,
    signer_name: str | None = None,
    signer_title: str | None = None,
) -> Signature:
    """The signature block of the head of ``body`` (ND 30/2020 Phụ lục I, Mục II.8), with
    the seal: "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH", "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC", "GIÁM ĐỐC"."""
    name, position = head_signer(event)
    if signer_name is not None:
        name, position = signer_name, signer_title or ""
    elif signer_title is not None:
        position = signer_title
    return Signature(signature_title(body, signer_title=position), SIGN_SEAL_HINT, name=name)


def _data(event: DossierEvent | None) -> dict[str, Any]:
    return dict(event.data) if event is not None else {}


def _pick(explicit: Any, data: dict[str, Any], key: str, default: Any = "") -> Any:
    if explicit is not None:
        return explicit
    value = data.get(key)
    return default if value in (None, "") else value


def _issue_day(
    issued_on: dt.date | None, event: DossierEvent | None, fallback: dt.datetime | None = None
) -> dt.date:
    """The document's date: as given, else the day of the event it records, else the
    fallback instant's day (e.g. the end of the dossier), else today."""
    if issued_on is not None:
        return issued_on
    if event is not None:
        return local_date(event.at)
    return local_date(fallback or timezone.now())


def _parse_instant(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and value:
        return dt.datetime.fromisoformat(value)
    return None


def _sequence_of(code: str) -> str:
    """The NNNN of '<agency>-<YYMMDD>-<NNNN>' (domain.md §4), as printed: '0007' -> '7'."""
    tail = code.rsplit("-", 1)[-1]
    return str(int(tail)) if tail.isdigit() else ""


def _collect_at(dossier: Dossier, receiving: Agency | None) -> str:
    """Where the result will be collected: the return channel when known, else by post for
    a dossier that came by post, else at the counter that received it."""
    postal = dossier.delivery_channel == DeliveryChannel.POSTAL or (
        not dossier.delivery_channel and dossier.channel == Channel.POSTAL
    )
    if postal:
        where = f", địa chỉ: {dossier.applicant_address}" if dossier.applicant_address else ""
        return f"Qua dịch vụ bưu chính công ích{where}"
    if dossier.delivery_channel == DeliveryChannel.ONLINE:
        return "Trực tuyến, qua Cổng Dịch vụ công quốc gia"
    return f"Tại {receiving.name}" if receiving is not None else "Tại Bộ phận Một cửa"


# --- builders -----------------------------------------------------------------------------


def _receipt_due(dossier: Dossier) -> str:
    """Form 01's appointment: as printed at receipt (an imported receipt's own), else the due
    date. A dossier that waits for a fee owed before processing (issue 17) has only a
    provisional one, computed as if the fee were paid the day it was received: the form says
    so and gives the last day to pay. Once paid, the form printed again gives the due date
    computed from the payment (``classify.clock_start``), not the provisional one."""
    assert dossier.received_at is not None
    if latest_event(dossier, EventType.PAYMENT_SETTLED) is not None:
        return vn_datetime(dossier.due_at)
    text = vn_datetime(dossier.printed_due_at or dossier.due_at)
    if latest_event(dossier, EventType.PAYMENT_REQUESTED) is None:
        return text
    return _(
        "%(due)s (tạm tính, nếu nộp phí, lệ phí trong ngày %(day)s; hạn nộp phí, lệ phí: hết "
        "ngày %(last)s)"
    ) % {
        "due": text,
        "day": vn_short_date(local_date(dossier.received_at)),
        "last": vn_short_date(dossier_pay_by(dossier) or local_date(dossier.received_at)),
    }


def receipt_context(
    dossier: Dossier,
    *,
    sets: int | None = None,
    collect_at: str | None = None,
    register_volume: str | None = None,
    register_line: str | None = None,
    officer_name: str | None = None,
    number: str | None = None,
    issued_on: dt.date | None = None,
    copy: int | None = None,
) -> ReceiptContext:
    """Form 01 for a received dossier: both copies (Liên 1 and 2, one page each), or only
    ``copy`` (1 or 2) for a reprint. The register volume defaults to the year of receipt
    and the line to the dossier's daily sequence number, unless the receipt event says
    otherwise."""
    if copy is not None and copy not in (1, 2):
        raise ValueError(
            _("Giấy tiếp nhận chỉ có liên 1 và liên 2, không có liên %(copy)s.") % {"copy": copy}
        )
    if dossier.received_at is None:
        raise ValueError(
            _("Hồ sơ %(code)s chưa được tiếp nhận: chưa có giấy tiếp nhận.")
            % {"code": dossier.code}
        )
    event = latest_event(dossier, EventType.RECEIVED)
    data = _data(event)
    receiving = dossier.receiving_unit or dossier.agency
    version = dossier.procedure_version
    parts = [
        PartRow(
            index=i,
            name=p.name,
            kind=_part_kind(p.kind, reused=p.reused),
            copies=p.copies,
        )
        for i, p in enumerate(dossier.parts.order_by("id"), start=1)
    ]
    url = lookup_url(dossier.code, dossier.secret)
    forms = form_set_of(dossier)
    return ReceiptContext(
        **_marked(forms, "01"),
        header=header_for(
            receiving,
            day=issued_on or local_date(dossier.received_at),
            number=_pick(number, data, "document_number"),
        ),
        code=dossier.code,
        receiving_unit=receiving.name,
        agency=(
            dossier.agency.name
            if dossier.receiving_unit is not None
            and received_elsewhere(dossier.receiving_unit, version)
            else ""
        ),
        applicant=applicant_of(dossier),
        procedure=version.name,
        parts=parts,
        sets=int(_pick(sets, data, "sets", 1)),
        legal_time=legal_time(version.duration, version.unit),
        received=vn_datetime(dossier.received_at),
        due=_receipt_due(dossier),
        collect_at=str(_pick(collect_at, data, "collect_at", _collect_at(dossier, receiving))),
        register_volume=str(
            _pick(register_volume, data, "register_volume", local_date(dossier.received_at).year)
        ),
        register_line=str(_pick(register_line, data, "register_line", _sequence_of(dossier.code))),
        lookup_url=url,
        lookup_base=url.split("?", 1)[0],
        secret=dossier.secret,
        signatures=(
            Signature(
                "NGƯỜI NỘP HỒ SƠ", name=dossier.representative_name or dossier.applicant_name
            ),
            Signature("NGƯỜI TIẾP NHẬN HỒ SƠ", name=officer_name or actor_name(event)),
        ),
        copies=RECEIPT_COPIES if copy is None else (RECEIPT_COPIES[copy - 1],),
        fee=fee_text(dossier),
    )


def fee_text(dossier: Dossier) -> str:
    """What form 01 prints of the assessed fee: the total and its lines."""
    if dossier.fee_total is None:
        return ""
    lines = [
        f"{line.get('label') or 'Phí, lệ phí'}: {vn_money(int(line['amount']))}"
        + (f" ({_('miễn')}: {line['exempt']})" if line.get("exempt") else "")
        for line in dossier.fee_lines or []
    ]
    total = vn_money(dossier.fee_total)
    return f"{total} ({'; '.join(lines)})" if lines else total


def supplement_context(
    dossier: Dossier,
    *,
    items: Sequence[str] | None = None,
    reason: str | None = None,
    contact_name: str | None = None,
    contact_phone: str | None = None,
    officer_name: str | None = None,
    number: str | None = None,
    issued_on: dt.date | None = None,
) -> SupplementContext:
    """Form 02 from the latest supplement (or pre-intake completion) request."""
    event = latest_event(dossier, EventType.SUPPLEMENT_REQUESTED, EventType.COMPLETION_REQUESTED)
    data = _data(event)
    # Before the receipt the counter asks; during processing the competent agency does.
    at_intake = dossier.received_at is None or (
        event is not None and event.type == EventType.COMPLETION_REQUESTED
    )
    issuer = (dossier.receiving_unit or dossier.agency) if at_intake else dossier.agency
    officer = officer_name or actor_name(event)
    item_list = [str(i) for i in _pick(items, data, "items", [])]
    if not item_list:
        raise ValueError(
            _("Hồ sơ %(code)s: phiếu yêu cầu bổ sung cần danh mục nội dung cần bổ sung.")
            % {"code": dossier.code}
        )
    forms = form_set_of(dossier)
    return SupplementContext(
        **_marked(forms, "02"),
        header=header_for(
            issuer, day=_issue_day(issued_on, event), number=_pick(number, data, "document_number")
        ),
        code=dossier.code,
        applicant=applicant_of(dossier),
        procedure=dossier.procedure_version.name,
        items=item_list,
        reason=str(_pick(reason, data, "reason")),
        contact_name=str(_pick(contact_name, data, "contact_name", officer)),
        contact_phone=str(_pick(contact_phone, data, "contact_phone")),
        signature=Signature("NGƯỜI HƯỚNG DẪN", name=officer),
    )


def guidance_sheet_context(guidance: Guidance) -> SupplementContext:
    """Form 02 given at the counter to a visitor whose dossier is incomplete and was not
    received (``services.guidance_sheet_issue``): no dossier code, the sheet's own number,
    the forms of the day it was given."""
    if guidance.sheet_number is None:
        raise ValueError(_("Lượt hướng dẫn này không có phiếu hướng dẫn (mẫu 02)."))
    day = local_date(guidance.at)
    body = letterhead_for(guidance.unit, day)
    symbol = f"HD-{body.abbreviation}" if body.abbreviation else "HD"
    officer = person_name(guidance.actor) if guidance.actor is not None else UNKNOWN_PERSON
    version = guidance.procedure_version
    forms = form_set_on(day)
    return SupplementContext(
        **_marked(forms, "02"),
        header=header_of(body, day=day, number=f"{guidance.sheet_number}/{symbol}"),
        code="",
        applicant=Applicant(
            name=guidance.applicant_name,
            address=guidance.applicant_address,
            phone=guidance.applicant_phone,
            email=guidance.applicant_email,
            citizen=guidance.applicant_kind == ApplicantKind.CITIZEN,
        ),
        procedure=version.name if version is not None else guidance.procedure_code,
        items=[str(i) for i in guidance.items],
        reason=guidance.reason,
        contact_name=f"{officer}, {body.unit}" if officer != UNKNOWN_PERSON else body.unit,
        contact_phone=guidance.contact_phone,
        signature=Signature("NGƯỜI HƯỚNG DẪN", name=officer),
    )


def refusal_context(
    dossier: Dossier,
    *,
    reason: str | None = None,
    at_intake: bool | None = None,
    signer_name: str | None = None,
    number: str | None = None,
    issued_on: dt.date | None = None,
) -> RefusalContext:
    """Form 03: refused at intake (the counter's officer signs) or after appraisal (the
    competent agency signs, with its seal)."""
    event = latest_event(dossier, EventType.REJECTED, EventType.REFUSED)
    data = _data(event)
    if at_intake is None:
        at_intake = (event.type == EventType.REJECTED) if event else dossier.received_at is None
    issuer = (dossier.receiving_unit or dossier.agency) if at_intake else dossier.agency
    text = str(_pick(reason, data, "reason", dossier.end_reason))
    if not text:
        raise ValueError(
            _("Hồ sơ %(code)s: phiếu từ chối phải nêu rõ lý do.") % {"code": dossier.code}
        )
    day = _issue_day(issued_on, event)
    body = letterhead_for(issuer, day)
    signature = (
        Signature("NGƯỜI TIẾP NHẬN HỒ SƠ", name=signer_name or actor_name(event))
        if at_intake
        else head_signature(body, event, signer_name=signer_name)
    )
    forms = form_set_of(dossier)
    return RefusalContext(
        **_marked(forms, "03"),
        header=header_of(body, day=day, number=_pick(number, data, "document_number")),
        code=dossier.code,
        unit=issuer.name,
        applicant=applicant_of(dossier),
        procedure=dossier.procedure_version.name,
        reason=text,
        at_intake=at_intake,
        signature=signature,
    )


def apology_context(
    dossier: Dossier,
    *,
    reason: str | None = None,
    new_due_at: dt.datetime | None = None,
    signer_name: str | None = None,
    signer_title: str | None = None,
    number: str | None = None,
    issued_on: dt.date | None = None,
) -> ApologyContext:
    """Form 04: the apology and the one new appointment (ND 118/2025 Điều 19.6), signed by
    the head of the agency responsible for the delay."""
    if dossier.received_at is None:
        raise ValueError(_("Hồ sơ %(code)s chưa được tiếp nhận.") % {"code": dossier.code})
    event = latest_event(dossier, EventType.EXTENSION)
    data = _data(event)
    new_due = new_due_at or _parse_instant(data.get("new_due_at")) or dossier.extended_due_at
    if new_due is None:
        raise ValueError(
            _("Hồ sơ %(code)s: văn bản xin lỗi phải có ngày hẹn trả mới.") % {"code": dossier.code}
        )
    # The appointment being missed: the one current when the extension was issued (the
    # event keeps it; a supplement may have moved it since the receipt was printed).
    missed = _parse_instant(data.get("due_at")) or dossier.due_at or dossier.printed_due_at
    unit = dossier.agency
    day = _issue_day(issued_on, event)
    body = letterhead_for(unit, day)
    forms = form_set_of(dossier)
    return ApologyContext(
        **_marked(forms, "04"),
        decree=forms.decree,
        header=header_of(body, day=day, number=_pick(number, data, "document_number")),
        code=dossier.code,
        unit=unit.name,
        applicant=applicant_of(dossier),
        procedure=dossier.procedure_version.name,
        received_date=vn_short_date(dossier.received_at),
        missed_due=vn_datetime(missed),
        reason=str(_pick(reason, data, "reason", dossier.late_reason)),
        new_due=vn_datetime(new_due),
        recipients=recipients_for(dossier, unit, body),
        signature=head_signature(body, event, signer_name=signer_name, signer_title=signer_title),
    )


def stop_context(
    dossier: Dossier,
    *,
    reason: str | None = None,
    since: dt.datetime | None = None,
    signer_name: str | None = None,
    number: str | None = None,
    issued_on: dt.date | None = None,
) -> StopContext:
    """Form 05: the applicant asked to stop, or no supplement came within the time allowed."""
    event = latest_event(dossier, EventType.STOPPED, EventType.WITHDRAWN)
    data = _data(event)
    stopped_at = since or dossier.ended_at or (event.at if event else None)
    text = str(_pick(reason, data, "reason", dossier.end_reason))
    if not text:
        raise ValueError(
            _("Hồ sơ %(code)s: thông báo dừng phải nêu lý do.") % {"code": dossier.code}
        )
    unit = dossier.agency
    day = _issue_day(issued_on, event, stopped_at)
    body = letterhead_for(unit, day)
    forms = form_set_of(dossier)
    return StopContext(
        **_marked(forms, "05"),
        decree=forms.decree,
        header=header_of(body, day=day, number=_pick(number, data, "document_number")),
        code=dossier.code,
        unit=unit.name,
        applicant=applicant_of(dossier),
        procedure=dossier.procedure_version.name,
        received=vn_datetime(dossier.received_at),
        reason=text,
        since=vn_datetime(stopped_at),
        recipients=recipients_for(dossier, unit, body),
        signature=head_signature(body, event, signer_name=signer_name),
    )


def control_slip_context(
    dossier: Dossier, *, issued_on: dt.date | None = None
) -> ControlSlipContext:
    """Form 06: one row per hand-over, in order, each with the names of who gave and who
    received and room for their signatures; while the dossier is open, the hand-overs its
    workflow still foresees follow as blank rows, to be filled in and signed by hand (the
    slip printed at intake travels with the papers)."""
    receiving = dossier.receiving_unit or dossier.agency
    day = issued_on or local_date(dossier.received_at or timezone.now())
    recorded = list(
        dossier.handovers.select_related("from_unit", "to_unit", "step").order_by("position")
    )
    rows = [
        ControlRow(
            index=h.position,
            from_unit=h.from_unit_name,
            to_unit=h.to_unit_name,
            at=vn_datetime(h.at),
            giver=h.giver,
            receiver=h.receiver,
            result=str(StepResult(h.result).label) if h.result else "",
            # The proposal travels with the dossier: its draft is named on the slip too.
            note="; ".join(n for n in (h.note, _("Kèm dự thảo") if h.draft_file else "") if n),
        )
        for h in recorded
    ]
    if dossier.ended_at is None:
        start = max((r.index for r in rows), default=0) + 1
        planned = _planned_handovers(dossier, recorded, receiving.name)
        rows += [
            ControlRow(i, giver, taker, "", "", "", "", "")
            for i, (giver, taker) in enumerate(planned, start=start)
        ]
    forms = form_set_of(dossier)
    return ControlSlipContext(
        **_marked(forms, "06"),
        header=header_for(receiving, day=day),
        code=dossier.code,
        applicant=applicant_of(dossier),
        procedure=dossier.procedure_version.name,
        agency=dossier.agency.name,
        received=vn_datetime(dossier.received_at),
        # The current legal due date (a supplement restarts it), not the receipt's print.
        due=vn_datetime(dossier.due_at or dossier.printed_due_at),
        rows=rows,
    )


def _planned_handovers(
    dossier: Dossier, recorded: Sequence[Any], one_stop: str
) -> list[tuple[str, str]]:
    """The hand-overs (giving unit, receiving unit) still to come: along the remaining steps
    of the pinned workflow, each change of unit, then the result back to the one-stop unit
    (the slip's last row). Without a workflow: to the competent agency and back."""
    steps = list(dossier.procedure_version.steps.select_related("unit").order_by("position"))
    if not steps:
        done = bool(recorded)
        return [] if done else [(one_stop, dossier.agency.name), (dossier.agency.name, one_stop)]
    reached = [h.step.position for h in recorded if h.step is not None]
    if reached:
        after = max(reached)
    elif recorded:
        return []  # hand-overs recorded outside the workflow: nothing to foresee
    elif dossier.current_step is not None:
        after = dossier.current_step.position
    else:
        after = steps[0].position
    holder = recorded[-1].to_unit_name if recorded else one_stop
    planned: list[tuple[str, str]] = []
    for step in steps:
        if step.position <= after or step.unit_name == holder:
            continue
        planned.append((holder, step.unit_name))
        holder = step.unit_name
    if holder != one_stop:
        planned.append((holder, one_stop))
    return planned


def _register_row(index: int, dossier: Dossier) -> RegisterRow:
    handovers = list(dossier.handovers.all())  # prefetched, ordered by position
    received_event = next((e for e in dossier.events.all() if e.type == EventType.RECEIVED), None)
    # The rows bringing the dossier back to the unit that sent it first (the one-stop unit).
    origin = (handovers[0].from_unit_id, handovers[0].from_unit_label) if handovers else None
    back = [h for h in handovers[1:] if (h.to_unit_id, h.to_unit_label) == origin]
    returned = vn_datetime(dossier.delivered_at)
    if returned and dossier.delivery_channel:
        returned = f"{returned} ({DeliveryChannel(dossier.delivery_channel).label!s})"
        # The postal tracking number recorded at delivery: the register answers "where is
        # my result" without opening the dossier.
        delivered = [e for e in dossier.events.all() if e.type == EventType.RESULT_DELIVERED]
        reference = str(_data(delivered[-1]).get("reference") or "") if delivered else ""
        if reference:
            returned = f"{returned}, số hiệu bưu gửi {reference}"
    note_parts: list[str] = []
    if dossier.end_kind and dossier.end_kind != EndKind.RESULT:
        note_parts.append(str(EndKind(dossier.end_kind).label))
    if dossier.extended_due_at is not None:
        note_parts.append(f"Gia hạn đến {vn_datetime(dossier.extended_due_at)}")
    contact = ", ".join(x for x in (dossier.applicant_address, dossier.applicant_phone) if x)
    return RegisterRow(
        index=index,
        code=dossier.code,
        procedure=dossier.procedure_version.name,
        sets=int(_data(received_event).get("sets", 1)),
        applicant=dossier.applicant_name,
        address_phone=contact,
        agency=dossier.agency.name,
        received=vn_datetime(dossier.received_at),
        due=vn_datetime(dossier.printed_due_at or dossier.due_at),
        sent=vn_short_date(handovers[0].at) if handovers else "",
        result_back=vn_short_date(back[-1].at) if back else "",
        returned=returned,
        note="; ".join(note_parts),
    )


def register_context(
    *,
    unit: Agency,
    dossiers: Iterable[Dossier],
    date_from: dt.date,
    date_to: dt.date,
    issued_on: dt.date | None = None,
) -> RegisterContext:
    """Form 07 for the dossiers given (the caller chooses them: a unit's dossiers received
    in the period), in order of receipt."""
    from django.db.models import prefetch_related_objects

    ordered = sorted(dossiers, key=lambda d: (d.received_at or d.created_at, d.code))
    # A handful of queries for the whole register, whether given a queryset or a list.
    prefetch_related_objects(ordered, "procedure_version", "agency", "handovers", "events")
    # A register is a book opened on ``date_from``: it keeps the form of that day.
    forms = form_set_on(date_from)
    return RegisterContext(
        **_marked(forms, "07"),
        header=header_for(unit, day=issued_on or date_to),
        unit=unit.name,
        period=f"Từ ngày {vn_short_date(date_from)} đến ngày {vn_short_date(date_to)}",
        rows=[_register_row(i, d) for i, d in enumerate(ordered, start=1)],
    )
