"""The result is signed by the deciding agency when it has a certificate; signed uploads are
verified, broken ones refused with nothing stored (issue 13 item 6)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pytest_django import Settings

from motcua.archive.models import Document, SignatureStatus
from motcua.archive.queries import result_document
from motcua.archive.signing import AgencySigner, pdf_sign
from motcua.dossiers.models import Dossier, DossierEvent, EventType, Status
from motcua.dossiers.services import PartInput, dossier_finish, dossier_receive
from motcua.dossiers.uploads import UploadRefused
from tests.archive.pki import EXPIRED, ThrowawayCA, minimal_pdf
from tests.dossiers.conftest import citizen_applicant, to_signing
from tests.world import World

if TYPE_CHECKING:
    from asn1crypto import x509 as asn1_x509

CA = ThrowawayCA.make()
_AT = dt.datetime(2026, 9, 1, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@pytest.fixture
def signing(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A signing folder and the test CA as the only trust root; no certificate yet."""
    folder = tmp_path / "signing"
    folder.mkdir()
    roots = tmp_path / "roots.pem"
    roots.write_bytes(CA.pem())
    settings.MOTCUA = {
        **settings.MOTCUA,
        "SIGNING_DIR": str(folder),
        "TRUST_ROOTS": str(roots),
    }
    return folder


class P12Options(TypedDict, total=False):
    """What a test changes of the certificate ``ThrowawayCA.write_p12`` issues."""

    window: tuple[dt.datetime, dt.datetime]


def certificate(
    folder: Path, dossier: Dossier, monkeypatch: pytest.MonkeyPatch, **kw: Unpack[P12Options]
) -> None:
    code = dossier.agency.code
    CA.write_p12(folder, code, "UBND thành phố Gia Nghĩa", "mật khẩu", **kw)
    monkeypatch.setenv("MOTCUA_SIGNING_PASSWORD_" + code.upper().replace(".", "_"), "mật khẩu")


def files_in(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_finish_signs_the_result_pdf_with_the_agency_certificate(
    world: World, appraised: Dossier, media: Path, signing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    certificate(signing, appraised, monkeypatch)
    uploaded = minimal_pdf()
    dossier_finish(
        dossier=to_signing(world, appraised),
        actor=world.leader,
        result_file=SimpleUploadedFile("quyet-dinh.pdf", uploaded, "application/pdf"),
    )
    document = result_document(appraised)
    assert document is not None
    with document.file.open("rb") as stored:
        data = stored.read()
    assert data != uploaded and data.startswith(uploaded)  # an incremental signature
    # pyHanko itself, with the test CA as trust root, finds the signature whole and trusted.
    [embedded] = PdfFileReader(io.BytesIO(data)).embedded_signatures
    status = validate_pdf_signature(
        embedded, ValidationContext(trust_roots=[CA_ASN1()], allow_fetching=False)
    )
    assert status.bottom_line and status.coverage is not None
    assert document.signer == "UBND thành phố Gia Nghĩa"
    assert document.signature_status == SignatureStatus.VALID
    assert document.signed_at is not None and document.signed_at == appraised_finished(appraised)
    appraised.refresh_from_db()
    assert appraised.result_sha256 == document.sha256
    event = DossierEvent.objects.get(dossier=appraised, type=EventType.RESULT_READY)
    assert event.data["result_signer"] == "UBND thành phố Gia Nghĩa"
    assert event.data["result_signature_status"] == "valid"


def CA_ASN1() -> asn1_x509.Certificate:
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return asn1_x509.Certificate.load(CA.cert.public_bytes(Encoding.DER))


def appraised_finished(dossier: Dossier) -> object:
    dossier.refresh_from_db()
    return dossier.ended_at


def test_without_a_certificate_the_result_is_stored_as_uploaded(
    world: World, appraised: Dossier, media: Path, signing: Path
) -> None:
    uploaded = minimal_pdf()
    dossier_finish(
        dossier=to_signing(world, appraised),
        actor=world.leader,
        result_file=SimpleUploadedFile("quyet-dinh.pdf", uploaded, "application/pdf"),
    )
    document = result_document(appraised)
    assert document is not None and document.signature_status == SignatureStatus.NONE
    with document.file.open("rb") as stored:
        assert stored.read() == uploaded


@pytest.mark.parametrize(
    ("content", "expired", "message"),
    [
        (minimal_pdf(), True, "đã hết hạn ngày 01/01/2021"),
        (b"%PDF-1.4 hong", False, "Tệp PDF bị hỏng"),
    ],
    ids=["expired certificate", "corrupt pdf"],
)
def test_a_result_that_cannot_be_signed_is_refused_and_nothing_stored(
    world: World,
    appraised: Dossier,
    media: Path,
    signing: Path,
    monkeypatch: pytest.MonkeyPatch,
    content: bytes,
    expired: bool,
    message: str,
) -> None:
    if expired:
        certificate(signing, appraised, monkeypatch, window=EXPIRED)
    else:
        certificate(signing, appraised, monkeypatch)
    dossier = to_signing(world, appraised)
    with pytest.raises(UploadRefused, match=message):
        dossier_finish(
            dossier=dossier,
            actor=world.leader,
            result_file=SimpleUploadedFile("quyet-dinh.pdf", content, "application/pdf"),
        )
    dossier.refresh_from_db()
    assert dossier.status != Status.RESULT_READY and dossier.ended_at is None
    assert not Document.objects.filter(dossier=dossier).exists()
    assert files_in(media) == []


def signed_elsewhere() -> bytes:
    other = AgencySigner.from_pkcs12("X", CA.issue_p12("Sở Xây dựng", b"x"), b"x")
    return pdf_sign(minimal_pdf("GIAY PHEP XAY DUNG"), other, reason="", location="", at=_AT)


def receive_with(world: World, content: bytes) -> Dossier:
    return dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
        parts=[
            PartInput(
                name="Giấy phép",
                file=SimpleUploadedFile("gp.pdf", content),
                content_type="application/pdf",
            )
        ],
    )


def test_a_signed_part_is_verified_and_recorded(
    world: World, traveller: time_machine.Traveller, media: Path, signing: Path
) -> None:
    dossier = receive_with(world, signed_elsewhere())
    [document] = Document.objects.filter(dossier=dossier)
    assert document.signature_status == SignatureStatus.VALID
    assert document.signer == "Sở Xây dựng" and document.signed_at == _AT
    assert document.signature_detail["signatures"][0]["trusted"] is True


def test_an_unsigned_part_records_no_signature(
    world: World, traveller: time_machine.Traveller, media: Path, signing: Path
) -> None:
    dossier = receive_with(world, minimal_pdf())
    [document] = Document.objects.filter(dossier=dossier)
    assert document.signature_status == SignatureStatus.NONE and document.signer == ""


def test_a_part_with_a_broken_signature_is_refused_and_nothing_stored(
    world: World, traveller: time_machine.Traveller, media: Path, signing: Path
) -> None:
    tampered = signed_elsewhere().replace(b"GIAY PHEP XAY DUNG", b"GIAY PHEP XAY NHA ")
    before = Dossier.objects.count()
    with pytest.raises(UploadRefused, match="đã bị thay đổi sau khi ký"):
        receive_with(world, tampered)
    assert Dossier.objects.count() == before
    assert files_in(media) == []


def test_both_pages_show_who_signed_the_result_when_and_that_it_holds(
    world: World,
    traveller: time_machine.Traveller,
    media: Path,
    signing: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.test import Client
    from django.urls import reverse

    dossier = dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
        owner=world.citizen,
        parts=[
            PartInput(
                name="Giấy phép cũ",
                file=SimpleUploadedFile("gp.pdf", signed_elsewhere()),
                content_type="application/pdf",
            )
        ],
    )
    certificate(signing, dossier, monkeypatch)
    dossier_finish(
        dossier=to_signing(world, dossier),
        actor=world.leader,
        result_file=SimpleUploadedFile("kq.pdf", minimal_pdf(), "application/pdf"),
    )
    staff, citizen = Client(), Client()
    staff.force_login(world.leader)
    citizen.force_login(world.citizen)
    pages = [
        staff.get(f"/can-bo/ho-so/{dossier.code}/"),
        citizen.get(reverse("portal:my_dossier", args=[dossier.code])),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert 'data-signature="valid"' in html
        assert "ký bởi UBND thành phố Gia Nghĩa" in html  # the result
        assert "ký bởi Sở Xây dựng" in html  # the signed part
        assert "lúc 09:00 5/10/2026" in html  # the result's signing time, local
    store = citizen.get(reverse("portal:my_documents")).content.decode()
    assert "ký bởi UBND thành phố Gia Nghĩa" in store
