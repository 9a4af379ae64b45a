"""Documents take their letterhead, place and signature block from the agency and the date
(agencies.letterheads), read back from the rendered PDF and DOCX: a 2022 Đắk Nông dossier
prints Đắk Nông's, a 2026 commune dossier of Lâm Đồng its commune's; never a fixed name."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from docx import Document
from docx.oxml.ns import qn

from motcua.agencies import demo as letterhead_demo
from motcua.agencies.letterhead_import import LetterheadImportError, letterheads_import_text
from motcua.agencies.letterheads import letterhead_for
from motcua.agencies.models import Agency, Letterhead
from motcua.catalog import demo as catalog_demo
from motcua.catalog.models import DurationUnit, Field, Procedure, ProcedureVersion
from motcua.cli import main as motcua
from motcua.core.models import Role, StaffProfile
from motcua.dossiers.forms_docs import render_form
from motcua.dossiers.models import Channel, Dossier, DossierEvent, EndKind, EventType, Status
from motcua.reports.documents import render as render_report
from motcua.reports.queries import period_figures
from tests.dossiers.test_forms import TZ, flat, pdf_text

pytestmark = pytest.mark.django_db


def docx_text(data: bytes) -> str:
    """The document's text with Word's line breaks as spaces (a signature's title lines)."""
    body = Document(io.BytesIO(data)).element.body
    out = []
    for p in body.iter(qn("w:p")):
        for node in p.iter(qn("w:t"), qn("w:br")):
            out.append(node.text or "" if node.tag == qn("w:t") else " ")
        out.append("\n")
    return flat("".join(out)).strip()


@pytest.fixture
def demo_register() -> None:
    catalog_demo.load(lambda _message: None)
    letterhead_demo.load(lambda _message: None)


def _at(year: int, month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=TZ)


def _dossier(agency: str, receiving: str, received_at: dt.datetime, code: str) -> Dossier:
    competent = Agency.objects.get(code=agency)
    field = Field.objects.get_or_create(name="Hộ tịch")[0]
    version = ProcedureVersion.objects.create(
        procedure=Procedure.objects.get_or_create(code="9.999001")[0],
        name="Đăng ký khai sinh",
        field=field,
        agency=competent,
        level=competent.level,
        duration=Decimal("3"),
        unit=DurationUnit.WORKING_DAYS,
    )
    return Dossier.objects.create(
        code=code,
        secret="k7Qm2xPa",
        procedure_version=version,
        agency=competent,
        level=competent.level,
        field=field,
        receiving_unit=Agency.objects.get(code=receiving),
        channel=Channel.DIRECT,
        applicant_kind="citizen",
        applicant_name="Nguyễn Thị Hồng Nhung",
        status=Status.PROCESSING,
        received_at=received_at,
        due_at=received_at + dt.timedelta(days=3),
    )


def test_a_2022_dak_nong_dossier_prints_dak_nong_and_its_departments_titles(
    demo_register: None,
) -> None:
    dossier = _dossier(
        "000.00.03.H18", "000.01.01.H18", _at(2022, 8, 29), "000.00.03.H18-220829-0001"
    )
    # Imported from an earlier system: no officer is known.
    assert dossier.received_at is not None
    DossierEvent.objects.create(
        dossier=dossier, type=EventType.RECEIVED, at=dossier.received_at, actor_label="import"
    )
    receipt = flat(pdf_text(render_form("01", dossier, fmt="pdf")))
    assert "VĂN PHÒNG UBND TỈNH ĐẮK NÔNG TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" in receipt
    assert "Đắk Nông, ngày 29 tháng 8 năm 2022" in receipt
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) —" in receipt
    assert "import" not in receipt and "Gia Nghĩa" not in receipt and "LÂM ĐỒNG" not in receipt

    # The apology is signed by a deputy director: "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC".
    deputy = get_user_model().objects.create_user("pgd", first_name="Minh", last_name="Hoàng Văn")
    StaffProfile.objects.create(
        user=deputy,
        agency=dossier.agency,
        role=Role.LEADER,
        title="Phó Giám đốc Sở Tư pháp",
    )
    DossierEvent.objects.create(
        dossier=dossier,
        type=EventType.EXTENSION,
        at=_at(2022, 8, 31, 16),
        actor=deputy,
        data={"reason": "Cần xác minh", "new_due_at": _at(2022, 9, 9, 17).isoformat()},
    )
    for text in (
        flat(pdf_text(render_form("04", dossier, fmt="pdf"))),
        docx_text(render_form("04", dossier, fmt="docx")),
    ):
        assert "UBND TỈNH ĐẮK NÔNG SỞ TƯ PHÁP" in text
        assert "Đắk Nông, ngày 31 tháng 8 năm 2022" in text
        assert "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC" in text and "Hoàng Văn Minh" in text
        assert "Lưu: VT, STP." in text
        assert "THỦ TRƯỞNG" not in text and "TM." not in text


def test_a_2026_lam_dong_commune_dossier_prints_its_commune(demo_register: None) -> None:
    dossier = _dossier(
        "000.01.60.H38", "000.11.60.H38", _at(2026, 10, 5), "000.01.60.H38-261005-0001"
    )
    assert dossier.received_at is not None
    DossierEvent.objects.create(
        dossier=dossier, type=EventType.RECEIVED, at=dossier.received_at, actor_label="import"
    )
    receipt = flat(pdf_text(render_form("01", dossier, fmt="pdf")))
    assert "UBND PHƯỜNG BẮC GIA NGHĨA TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" in receipt
    assert "Bắc Gia Nghĩa, ngày 05 tháng 10 năm 2026" in receipt
    assert "ĐẮK NÔNG" not in receipt.upper()

    Dossier.objects.filter(pk=dossier.pk).update(
        status=Status.STOPPED,
        ended_at=_at(2026, 10, 26, 8),
        end_kind=EndKind.STOPPED,
        end_reason="Quá 15 ngày không bổ sung hồ sơ",
    )
    dossier.refresh_from_db()
    for text in (
        flat(pdf_text(render_form("05", dossier, fmt="pdf"))),
        docx_text(render_form("05", dossier, fmt="docx")),
    ):
        # A people's committee has no superior line: under the form's number, the header
        # opens with its own name.
        assert text.strip().startswith(
            "Mẫu số 05 (Thông tư số 03/2025/TT-VPCP) ỦY BAN NHÂN DÂN PHƯỜNG BẮC GIA NGHĨA Số:"
        )
        assert "Bắc Gia Nghĩa, ngày 26 tháng 10 năm 2026" in text
        assert "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" in text
        assert "LÂM ĐỒNG" not in text and "THỦ TRƯỞNG" not in text


def test_letterheads_follow_the_hierarchy_and_the_date(demo_register: None) -> None:
    social = letterhead_for(Agency.objects.get(code="000.00.40.H38"), dt.date(2026, 1, 5))
    assert (social.superior, social.place) == ("Bảo hiểm xã hội Việt Nam", "Lâm Đồng")
    justice = letterhead_for(Agency.objects.get(code="000.00.03.H38"), dt.date(2026, 1, 5))
    assert (justice.superior, justice.unit, justice.place) == (
        "UBND tỉnh Lâm Đồng",
        "Sở Tư pháp",
        "Lâm Đồng",
    )
    # A change recorded from a date leaves the documents dated before it as they were.
    Letterhead.objects.create(
        agency=Agency.objects.get(code="000.00.40.H38"),
        valid_from=dt.date(2026, 3, 1),
        superior="Bộ Tài chính",
    )
    before = letterhead_for(Agency.objects.get(code="000.00.40.H38"), dt.date(2026, 2, 28))
    after = letterhead_for(Agency.objects.get(code="000.00.40.H38"), dt.date(2026, 3, 1))
    assert (before.superior, after.superior) == ("Bảo hiểm xã hội Việt Nam", "Bộ Tài chính")


def test_province_reports_are_headed_by_the_province_of_their_date(demo_register: None) -> None:
    old = period_figures(date_from=dt.date(2022, 6, 5), date_to=dt.date(2022, 8, 31))
    new = period_figures(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 3, 31))
    text = flat(pdf_text(render_report(old, "pdf")))
    assert "UBND TỈNH ĐẮK NÔNG VĂN PHÒNG" in text and "Đắk Nông, ngày" in text
    assert "LÂM ĐỒNG" not in text and "Gia Nghĩa" not in text
    text = flat(pdf_text(render_report(new, "pdf")))
    assert "UBND TỈNH LÂM ĐỒNG VĂN PHÒNG" in text and "Lâm Đồng, ngày" in text
    assert "ĐẮK NÔNG" not in text


def test_the_letterhead_import_names_file_line_and_column(
    demo_register: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "thethuc.csv"
    path.write_text(
        "agency,valid_from,place_name,head_title\n"
        "000.00.00.H38,2026-01-01,Lâm Đồng,Chủ tịch\n"
        "000.99.99.H38,,X,\n"
        "000.00.03.H38,1/3/2026,,Giám đốc\n",
        encoding="utf-8",
    )
    assert motcua(["import", "letterheads", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:3: agency:" in err and "000.99.99.H38" in err
    assert f"{path}:4: valid_from:" in err and "1/3/2026" in err
    # All or nothing: the valid line was not written either.
    assert not Letterhead.objects.filter(valid_from=dt.date(2026, 1, 1)).exists()
    with pytest.raises(LetterheadImportError):
        letterheads_import_text("code,place_name\nx,y\n")
    path.write_text(
        "agency,valid_from,place_name\n000.00.00.H38,2026-01-01,Lâm Đồng\n", encoding="utf-8"
    )
    assert motcua(["import", "letterheads", str(path)]) == 0
    assert motcua(["import", "letterheads", str(path)]) == 0  # again: nothing changes
    assert "0 dòng thể thức văn bản được ghi, 1 không đổi" in capsys.readouterr().out
