"""Online submission: accounts, uploads checked by content, the document store, completion."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.http import FileResponse
from pytest_django import Settings

from motcua.archive.models import Document
from motcua.dossiers.models import Dossier, DossierPart, Status
from motcua.dossiers.services import dossier_accept, dossier_request_completion
from motcua.portal.models import CitizenIdentity
from tests.portal.conftest import ELF, EXE, JPEG, PASSWORD, PDF, PNG, Portal, upload
from tests.responses import ClientResponse

pytestmark = pytest.mark.django_db

APPLICANT = {
    "kind": "citizen",
    "name": "Nguyễn Văn An",
    "id_number": "066090001234",
    "phone": "0912345678",
    "email": "an.nguyen@example.vn",
    "address": "Số 5 đường Lê Duẩn, Gia Nghĩa",
}


def parts_of(portal: Portal) -> tuple[int, int]:
    first, second = portal.building.parts.order_by("position")
    return first.pk, second.pk


def files_in(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def stored_in(root: Path) -> list[Path]:
    """The files stored as documents: not those held for the form's next try (under held/,
    see test_held_uploads.py)."""
    return [p for p in files_in(root) if p.relative_to(root).parts[0] != "held"]


def submit(portal: Portal, **files: object) -> ClientResponse:
    return portal.client(portal.citizen).post(
        "/thu-tuc/1.009972/nop/", {**APPLICANT, **files}, follow=False
    )


def test_submission_needs_a_login(portal: Portal) -> None:
    response = portal.client().get("/thu-tuc/1.009972/nop/")
    assert response.status_code == 302
    assert response["Location"].startswith("/ca-nhan/dang-nhap/?next=")


def test_valid_pdf_creates_a_submitted_dossier_owned_by_the_citizen(
    portal: Portal, media: Path
) -> None:
    a, b = parts_of(portal)
    response = submit(
        portal,
        **{f"part-{a}": upload("don.pdf", PDF), f"part-{b}": upload("cccd.png", PNG, "image/png")},
    )
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ca-nhan/ho-so/{dossier.code}/"
    assert dossier.status == Status.SUBMITTED
    assert dossier.owner == portal.citizen
    assert dossier.channel == "online"
    assert dossier.applicant_id_number == "066090001234"
    parts = list(DossierPart.objects.filter(dossier=dossier).order_by("part__position"))
    files = [p.documents.get() for p in parts]
    assert [f.content_type for f in files] == ["application/pdf", "image/png"]
    assert files[0].file.read() == PDF and not parts[0].reused
    assert files[0].origin == "online" and files[0].holder_id_number == "066090001234"
    # Stored outside any served folder, under a name of our choosing (not "don.pdf").
    assert Path(files[0].file.path).is_relative_to(media)
    assert files[0].file.name is not None
    assert "don" not in Path(files[0].file.name).name
    # Every upload also went into the citizen's store.
    assert Document.objects.filter(owner=portal.citizen, in_store=True).count() == 2
    page = portal.client(portal.citizen).get(response["Location"]).content.decode()
    assert dossier.secret in page and "Đã nộp trực tuyến, chờ tiếp nhận" in page


@pytest.mark.parametrize("content", [EXE, ELF], ids=["MZ", "ELF"])
def test_an_executable_renamed_pdf_is_refused_and_nothing_is_stored(
    portal: Portal, media: Path, content: bytes
) -> None:
    a, b = parts_of(portal)
    response = submit(
        portal,
        **{f"part-{a}": upload("don.pdf", content), f"part-{b}": upload("cccd.pdf", PDF)},
    )
    assert response.status_code == 400
    assert "không phải tệp PDF, JPEG hoặc PNG" in response.content.decode()
    assert not Dossier.objects.exists()
    assert not Document.objects.exists()
    assert stored_in(media) == []


def test_oversize_file_is_refused(portal: Portal, media: Path, settings: Settings) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "UPLOAD_MAX_BYTES": 1024}
    a, b = parts_of(portal)
    big = PDF + b"0" * 2048
    response = submit(
        portal, **{f"part-{a}": upload("don.pdf", big), f"part-{b}": upload("c.jpg", JPEG)}
    )
    assert response.status_code == 400
    assert "quá lớn" in response.content.decode()
    assert not Dossier.objects.exists() and stored_in(media) == []


def test_every_part_is_required(portal: Portal) -> None:
    a, _b = parts_of(portal)
    response = submit(portal, **{f"part-{a}": upload("don.pdf", PDF)})
    assert response.status_code == 400
    assert "Phải chọn tệp cho giấy tờ này." in response.content.decode()
    assert not Dossier.objects.exists()


def test_invalid_applicant_is_refused_with_the_field_named(portal: Portal, media: Path) -> None:
    a, b = parts_of(portal)
    response = portal.client(portal.citizen).post(
        "/thu-tuc/1.009972/nop/",
        {
            **APPLICANT,
            "id_number": "123",
            f"part-{a}": upload("a.pdf", PDF),
            f"part-{b}": upload("b.pdf", PDF),
        },
    )
    assert response.status_code == 400
    assert "Số định danh cá nhân phải gồm đúng 12 chữ số." in response.content.decode()
    assert stored_in(media) == []
    # The two files are held for the next try, not stored as documents.
    assert len(files_in(media / "held")) == 2 and not Document.objects.exists()


def test_a_stored_document_can_be_reused_and_the_part_is_marked(portal: Portal) -> None:
    a, b = parts_of(portal)
    submit(portal, **{f"part-{a}": upload("a.pdf", PDF), f"part-{b}": upload("b.png", PNG)})
    stored = Document.objects.get(owner=portal.citizen, in_store=True, content_type="image/png")
    form = portal.client(portal.citizen).get("/thu-tuc/1.009972/nop/").content.decode()
    assert f'name="reuse-{b}"' in form and f'name="reuse-{a}"' not in form  # only reusable
    response = submit(
        portal, **{f"part-{a}": upload("a2.pdf", PDF + b"2"), f"reuse-{b}": stored.pk}
    )
    assert response.status_code == 302
    latest = Dossier.objects.order_by("-id").first()
    assert latest is not None
    reused = DossierPart.objects.get(dossier=latest, part_id=b)
    document = reused.documents.get()
    assert reused.reused and document.origin == "reuse" and document.source == stored
    assert document.sha256 == stored.sha256 and document.file.read() == PNG
    assert not DossierPart.objects.get(dossier=latest, part_id=a).reused


def test_someone_elses_stored_document_cannot_be_reused(portal: Portal) -> None:
    other = User.objects.create_user("khac@example.vn", password=PASSWORD)
    a, b = parts_of(portal)
    submit(portal, **{f"part-{a}": upload("a.pdf", PDF), f"part-{b}": upload("b.png", PNG)})
    theirs = Document.objects.get(in_store=True, content_type="image/png")
    response = portal.client(other).post(
        "/thu-tuc/1.009972/nop/",
        {**APPLICANT, f"part-{a}": upload("a.pdf", PDF), f"reuse-{b}": theirs.pk},
    )
    assert response.status_code == 400
    assert Dossier.objects.filter(owner=other).count() == 0


def test_files_are_served_only_to_their_owner(portal: Portal) -> None:
    a, b = parts_of(portal)
    submit(portal, **{f"part-{a}": upload("a.pdf", PDF), f"part-{b}": upload("b.png", PNG)})
    dossier = Dossier.objects.get()
    part = DossierPart.objects.get(dossier=dossier, part_id=a).documents.get()
    url = f"/ca-nhan/ho-so/{dossier.code}/tep/{part.pk}/"
    mine = portal.client(portal.citizen).get(url)
    assert mine.status_code == 200 and isinstance(mine, FileResponse)
    assert b"".join(mine.streaming_content) == PDF
    assert mine["Content-Type"] == "application/pdf"
    other = User.objects.create_user("khac@example.vn", password=PASSWORD)
    assert portal.client(other).get(url).status_code == 404
    assert portal.client().get(url).status_code == 302  # to the login page
    assert portal.client().get(f"/media/{part.file.name}").status_code == 404
    doc = Document.objects.filter(owner=portal.citizen, in_store=True).first()
    assert doc is not None
    assert portal.client(other).get(f"/ca-nhan/kho/{doc.pk}/").status_code == 404
    assert portal.client(portal.citizen).get(f"/ca-nhan/kho/{doc.pk}/").status_code == 200


def test_citizen_sees_the_completion_request_and_completes(portal: Portal) -> None:
    a, b = parts_of(portal)
    submit(portal, **{f"part-{a}": upload("a.pdf", PDF), f"part-{b}": upload("b.png", PNG)})
    dossier = Dossier.objects.get()
    dossier_request_completion(
        dossier=dossier,
        actor=portal.world.clerk,
        items=["Bản vẽ mặt bằng có chữ ký"],
        reason="Thiếu bản vẽ",
    )
    client = portal.client(portal.citizen)
    page = client.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    assert "Bản vẽ mặt bằng có chữ ký" in page and "Gửi bổ sung" in page
    response = client.post(
        f"/ca-nhan/ho-so/{dossier.code}/",
        {f"part-{a}": upload("ban-ve.pdf", PDF + b"ve"), "note": "Đã bổ sung bản vẽ"},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert DossierPart.objects.filter(dossier=dossier).count() == 3


def test_citizen_sees_acceptance_and_all_their_dossiers(portal: Portal) -> None:
    a, b = parts_of(portal)
    submit(portal, **{f"part-{a}": upload("a.pdf", PDF), f"part-{b}": upload("b.png", PNG)})
    dossier = Dossier.objects.get()
    dossier_accept(dossier=dossier, actor=portal.world.clerk, receiving_unit=portal.world.center)
    client = portal.client(portal.citizen)
    listing = client.get("/ca-nhan/ho-so/").content.decode()
    assert dossier.code in listing and "Đang giải quyết" in listing
    page = client.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    assert "Hồ sơ đã được tiếp nhận" in page and "Hẹn trả kết quả" in page
    other = User.objects.create_user("khac@example.vn", password=PASSWORD)
    assert dossier.code not in portal.client(other).get("/ca-nhan/ho-so/").content.decode()
    assert portal.client(other).get(f"/ca-nhan/ho-so/{dossier.code}/").status_code == 404


def test_register_then_login_with_phone(portal: Portal) -> None:
    client = portal.client()
    response = client.post(
        "/ca-nhan/dang-ky/",
        {
            "full_name": "Trần Thị Bình",
            "identifier": "+84 912 000 111",
            "password": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    identity = CitizenIdentity.objects.get(subject="0912000111")
    assert identity.provider == "local"
    again = portal.client().post(
        "/ca-nhan/dang-ky/",
        {"full_name": "X", "identifier": "0912000111", "password": PASSWORD, "password2": PASSWORD},
    )
    # The same answer as a new registration (the owner is told by SMS, not the page).
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert CitizenIdentity.objects.filter(subject="0912000111").count() == 1
    fresh = portal.client()
    ok = fresh.post("/ca-nhan/dang-nhap/", {"identifier": "0912 000 111", "password": PASSWORD})
    assert ok.status_code == 302
    assert fresh.get("/ca-nhan/ho-so/").status_code == 200


def test_login_is_locked_after_repeated_failures(portal: Portal) -> None:
    client = portal.client()
    for _i in range(4):
        bad = client.post(
            "/ca-nhan/dang-nhap/", {"identifier": "an.nguyen@example.vn", "password": "sai"}
        )
        assert bad.status_code == 200
        assert "không đúng" in bad.content.decode()
    locked = client.post(
        "/ca-nhan/dang-nhap/", {"identifier": "an.nguyen@example.vn", "password": "sai"}
    )
    assert locked.status_code == 429
    # Even the right password is not checked while locked.
    still = client.post(
        "/ca-nhan/dang-nhap/", {"identifier": "AN.NGUYEN@example.vn", "password": PASSWORD}
    )
    assert still.status_code == 429 and "tạm khóa" in still.content.decode()


def test_a_refused_submission_leaves_no_file_in_the_store(
    portal: Portal, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from motcua.dossiers.errors import TransitionError
    from motcua.portal import services

    def refuse(**_kwargs: object) -> None:
        raise TransitionError("Thủ tục không còn hiệu lực.")

    monkeypatch.setattr(services, "dossier_submit", refuse)
    a, b = parts_of(portal)
    response = submit(
        portal, **{f"part-{a}": upload("a.pdf", PDF), f"part-{b}": upload("b.png", PNG)}
    )
    assert response.status_code == 400
    assert "Thủ tục không còn hiệu lực." in response.content.decode()
    assert not Document.objects.exists()
    assert files_in(media / "store") == []
