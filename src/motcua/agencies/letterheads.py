"""The issuing body as a document prints it on a date: ``letterhead_for(agency, on_date)``.

Every official document (forms 01-07, the apology letter, the period reports) takes its
header, the place of its date line and its signature block from here, so that a 2022 Đắk
Nông dossier still prints "UBND tỉnh Đắk Nông … Đắk Nông, ngày …" and a 2026 commune dossier
of Lâm Đồng prints its own commune. What is recorded (``Letterhead`` rows, effective-dated)
wins; what is not is derived from the register:

- the governing body's line (ND 30/2020/NĐ-CP Phụ lục I, Mục II.3): a people's committee has
  none; otherwise the recorded one (a vertical branch's national body: "Bảo hiểm xã hội Việt
  Nam"), else the parent agency;
- the place (Phụ lục I, Mục II.4): the official name of the province for provincial bodies,
  of the district or commune for theirs — the recorded place of the agency or of its nearest
  ancestor that has one, else the name of the nearest people's committee without its prefix
  ("Ủy ban nhân dân phường Bắc Gia Nghĩa" → "Bắc Gia Nghĩa");
- the head's title by kind (a committee's "Chủ tịch", a department's "Giám đốc").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import F, Q

from motcua.agencies.models import Agency, AgencyKind, Letterhead

# ND 30/2020 Phụ lục I, Mục II.8.a: a body run collectively signs "TM." (thay mặt) the
# collective; among our kinds only the people's committee is one.
COLLECTIVE = {AgencyKind.PEOPLE_COMMITTEE: "Ủy ban nhân dân"}

HEAD_TITLES = {
    AgencyKind.PEOPLE_COMMITTEE: "Chủ tịch",
    AgencyKind.DEPARTMENT: "Giám đốc",
    AgencyKind.SERVICE_CENTER: "Giám đốc",
    AgencyKind.VERTICAL: "Giám đốc",
    AgencyKind.UNIT: "Trưởng phòng",
}

# "Ủy ban nhân dân" + the kind of administrative unit, before the unit's own name.
_COMMITTEE_PREFIX = re.compile(
    r"^((ủy|uỷ) ban nhân dân|ubnd)\s+"
    r"(tỉnh|thành phố|tp\.?|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)\s+",
    re.IGNORECASE,
)
_COMMITTEE_WORDS = re.compile(r"(ủy|uỷ) ban nhân dân", re.IGNORECASE)


@dataclass(frozen=True)
class IssuingBody:
    """What a document prints about the body that issues it, on one date."""

    superior: str  # the governing body's line; '' for none
    unit: str  # the issuing body's name as printed
    place: str  # the place of the date line; '' when nothing is known
    head_title: str  # 'Giám đốc', 'Chủ tịch', …
    collective: str = ""  # 'Ủy ban nhân dân' for a body that signs "TM."
    abbreviation: str = ""  # for "Lưu: VT, <abbreviation>."


def committee_place(name: str) -> str:
    """'Ủy ban nhân dân tỉnh Đắk Nông' (or 'UBND tỉnh Đắk Nông') -> 'Đắk Nông'; a name of
    another shape -> ''."""
    match = _COMMITTEE_PREFIX.match(name.strip())
    return name.strip()[match.end() :] if match else ""


def _chain(agency: Agency) -> list[Agency]:
    """The agency and its ancestors, nearest first (one query when the path is kept)."""
    ids = [int(x) for x in agency.path.strip("/").split("/") if x.isdigit()]
    if ids and ids[-1] == agency.pk:
        by_id = Agency.objects.in_bulk(ids[:-1])
        return [agency, *(by_id[i] for i in reversed(ids[:-1]) if i in by_id)]
    chain = [agency]
    seen = {agency.pk}
    current = agency
    while current.parent_id is not None and current.parent_id not in seen:
        assert current.parent is not None
        current = current.parent
        seen.add(current.pk)
        chain.append(current)
    return chain


def _records_on(agency_ids: list[int], on_date: dt.date) -> dict[int, Letterhead]:
    """The row in force on ``on_date`` for each agency that has one: the latest begun."""
    rows = (
        Letterhead.objects.filter(agency_id__in=agency_ids)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on_date))
        .order_by("agency_id", F("valid_from").asc(nulls_first=True))
    )
    return {row.agency_id: row for row in rows}  # later rows overwrite earlier ones


def letterhead_for(agency: Agency, on_date: dt.date) -> IssuingBody:
    """The issuing body ``agency`` as its documents dated ``on_date`` print it."""
    chain = _chain(agency)
    records = _records_on([a.pk for a in chain], on_date)
    own = records.get(agency.pk)
    kind = AgencyKind(agency.kind) if agency.kind in AgencyKind.values else AgencyKind.DEPARTMENT
    if own is not None and own.superior:
        superior = own.superior
    elif kind == AgencyKind.PEOPLE_COMMITTEE or len(chain) == 1:
        superior = ""
    else:
        # Phụ lục I, Mục II.3.a: the governing body's name may abbreviate "Ủy ban nhân dân".
        superior = _COMMITTEE_WORDS.sub("UBND", chain[1].name)
    place = ""
    for member in chain:
        record = records.get(member.pk)
        if record is not None and record.place_name:
            place = record.place_name
            break
        if member.kind == AgencyKind.PEOPLE_COMMITTEE:
            place = committee_place(member.name)
            break
    return IssuingBody(
        superior=superior,
        unit=(own.unit_name if own is not None and own.unit_name else agency.name),
        place=place,
        head_title=(own.head_title if own is not None and own.head_title else HEAD_TITLES[kind]),
        collective=COLLECTIVE.get(kind, ""),
        abbreviation=(
            own.abbreviation if own is not None and own.abbreviation else agency.short_name
        ),
    )


def signature_title(body: IssuingBody, *, signer_title: str = "") -> str:
    """The authority and title lines above a signature, one per line (ND 30/2020 Phụ lục I,
    Mục II.8): "TM." the collective for a people's committee, then the head's title; a
    deputy signs "KT." (ký thay) the head with their own title ("PHÓ GIÁM ĐỐC"), an acting
    head "Q.". ``signer_title`` is the signer's position ("Phó Giám đốc Sở Tư pháp"); without
    it the head is taken to sign."""
    head = body.head_title.upper()
    position = signer_title.strip().casefold()
    lines = [f"TM. {body.collective.upper()}"] if body.collective else []
    if position.startswith("phó"):
        lines += [f"KT. {head}", f"PHÓ {head}"]
    elif position.startswith("quyền"):
        lines.append(f"Q. {head}")
    else:
        lines.append(head)
    return "\n".join(lines)


def filing_line(body: IssuingBody) -> str:
    """The last line of "Nơi nhận" (ND 30/2020 Phụ lục I, Mục II.9): 'Lưu: VT, SXD.'."""
    return f"Lưu: VT, {body.abbreviation}." if body.abbreviation else "Lưu: VT."
