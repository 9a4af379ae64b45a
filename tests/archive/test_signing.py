"""archive.signing: PAdES signing and verification with a throwaway CA made here."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django import Settings

from motcua.archive.models import SignatureStatus
from motcua.archive.signing import (
    AgencySigner,
    CertificateUnusable,
    PdfCorrupt,
    SignatureBroken,
    agency_signer,
    password_variable,
    pdf_sign,
    pdf_signature_record,
    pdf_signatures_verify,
    trust_roots_load,
)
from motcua.dossiers.uploads import UploadRefused, upload_check
from tests.archive.pki import EXPIRED, ThrowawayCA, minimal_pdf

AT = dt.datetime(2026, 10, 5, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hà Nội


@pytest.fixture(scope="module")
def ca() -> ThrowawayCA:
    return ThrowawayCA.make()


@pytest.fixture(scope="module")
def signer(ca: ThrowawayCA) -> AgencySigner:
    return AgencySigner.from_pkcs12(
        "000.00.19.H18", ca.issue_p12("UBND TP Gia Nghĩa", b"pw"), b"pw"
    )


def roots(ca: ThrowawayCA) -> list[asn1_x509.Certificate]:
    return [asn1_x509.Certificate.load(ca.cert.public_bytes(Encoding.DER))]


def sign(signer: AgencySigner, data: bytes | None = None) -> bytes:
    return pdf_sign(data or minimal_pdf(), signer, reason="Ký kết quả", location="Gia Nghĩa", at=AT)


def test_a_signed_pdf_verifies_as_valid_with_its_signer_and_time(
    ca: ThrowawayCA, signer: AgencySigner
) -> None:
    [check] = pdf_signatures_verify(sign(signer), roots(ca))
    assert check.status == SignatureStatus.VALID
    assert check.signer == "UBND TP Gia Nghĩa"
    assert check.signed_at == AT
    assert check.intact and check.trusted and check.valid_at_signing
    assert "hợp lệ" in check.message


def test_without_the_root_the_signature_is_intact_but_untrusted(signer: AgencySigner) -> None:
    [check] = pdf_signatures_verify(sign(signer), [])
    assert check.intact and not check.trusted
    assert check.status == SignatureStatus.UNTRUSTED


def test_another_ca_is_not_trusted(signer: AgencySigner) -> None:
    [check] = pdf_signatures_verify(sign(signer), roots(ThrowawayCA.make("Other CA")))
    assert check.status == SignatureStatus.UNTRUSTED


def test_content_changed_after_signing_breaks_the_signature(
    ca: ThrowawayCA, signer: AgencySigner
) -> None:
    signed = sign(signer)
    tampered = signed.replace(b"QUYET DINH SO 123", b"QUYET DINH SO 999")
    assert tampered != signed and len(tampered) == len(signed)
    [check] = pdf_signatures_verify(tampered, roots(ca))
    assert not check.intact and check.status == SignatureStatus.INVALID
    with pytest.raises(SignatureBroken, match="đã bị thay đổi sau khi ký"):
        pdf_signature_record(tampered, roots(ca))


def test_a_second_signature_keeps_the_first_valid(ca: ThrowawayCA, signer: AgencySigner) -> None:
    other = AgencySigner.from_pkcs12("X", ca.issue_p12("Sở Tư pháp", b"pw"), b"pw")
    twice = sign(other, sign(signer))
    checks = pdf_signatures_verify(twice, roots(ca))
    assert [c.signer for c in checks] == ["UBND TP Gia Nghĩa", "Sở Tư pháp"]
    assert all(c.status == SignatureStatus.VALID for c in checks)
    record = pdf_signature_record(twice, roots(ca))
    assert record.signer == "Sở Tư pháp" and record.status == SignatureStatus.VALID
    assert record.detail is not None and len(record.detail["signatures"]) == 2


def test_an_expired_certificate_refuses_to_sign(ca: ThrowawayCA) -> None:
    expired = AgencySigner.from_pkcs12(
        "X", ca.issue_p12("UBND xã Cũ", b"pw", window=EXPIRED), b"pw"
    )
    with pytest.raises(
        CertificateUnusable, match="Chứng thư số của UBND xã Cũ đã hết hạn ngày 01/01/2021"
    ):
        sign(expired)


@pytest.mark.parametrize(
    "data", [b"%PDF-1.4 not really a pdf", b"<html>", minimal_pdf()[:150]], ids=str
)
def test_a_corrupt_pdf_is_a_clear_message(signer: AgencySigner, data: bytes) -> None:
    with pytest.raises(PdfCorrupt, match="Tệp PDF bị hỏng"):
        pdf_signatures_verify(data, [])
    with pytest.raises(PdfCorrupt, match="Tệp PDF bị hỏng"):
        sign(signer, data)


def test_an_unsigned_pdf_records_no_signature() -> None:
    assert pdf_signatures_verify(minimal_pdf(), []) == []
    record = pdf_signature_record(minimal_pdf(), [])
    assert record.status == SignatureStatus.NONE and record.signer == ""


def test_a_wrong_password_is_a_clear_message(ca: ThrowawayCA) -> None:
    with pytest.raises(CertificateUnusable, match="sai mật khẩu"):
        AgencySigner.from_pkcs12("H18", ca.issue_p12("UBND", b"right"), b"wrong")


def test_upload_check_refuses_a_part_whose_signature_is_broken(
    ca: ThrowawayCA, signer: AgencySigner
) -> None:
    tampered = sign(signer).replace(b"QUYET DINH SO 123", b"QUYET DINH SO 999")
    with pytest.raises(UploadRefused, match=r"“giay-phep.pdf”.*thay đổi sau khi ký"):
        upload_check(SimpleUploadedFile("giay-phep.pdf", tampered))
    assert upload_check(SimpleUploadedFile("giay-phep.pdf", sign(signer))).sha256


# --- configuration ---------------------------------------------------------------------------


def test_the_agency_certificate_is_read_from_the_folder_with_its_password(
    ca: ThrowawayCA,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "SIGNING_DIR": str(tmp_path)}
    ca.write_p12(tmp_path, "000.00.19.H18", "UBND TP Gia Nghĩa", "bí mật")
    assert agency_signer("000.00.99.H18") is None  # no certificate: results go unsigned
    monkeypatch.setenv(password_variable("000.00.19.H18"), "bí mật")
    assert password_variable("000.00.19.H18") == "MOTCUA_SIGNING_PASSWORD_000_00_19_H18"
    found = agency_signer("000.00.19.H18")
    assert found is not None and found.common_name == "UBND TP Gia Nghĩa"

    # Or a password file beside it, readable by its owner only.
    monkeypatch.delenv(password_variable("000.00.19.H18"))
    pass_file = tmp_path / "000.00.19.H18.pass"
    pass_file.write_text("bí mật\n")
    os.chmod(pass_file, 0o644)
    with pytest.raises(CertificateUnusable, match="chmod 600"):
        agency_signer("000.00.19.H18")
    os.chmod(pass_file, 0o600)
    assert agency_signer("000.00.19.H18") is not None


def test_trust_roots_come_from_a_pem_bundle(
    ca: ThrowawayCA, settings: Settings, tmp_path: Path
) -> None:
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(ca.pem() + ThrowawayCA.make("Second").pem())
    settings.MOTCUA = {**settings.MOTCUA, "TRUST_ROOTS": str(bundle)}
    loaded = trust_roots_load()
    assert [r.subject.native["common_name"] for r in loaded] == ["motcua Test Root CA", "Second"]


@pytest.mark.django_db
def test_signing_check_command_reports_each_certificate(
    ca: ThrowawayCA,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from motcua.archive.signing_cli import signing_check

    settings.MOTCUA = {**settings.MOTCUA, "SIGNING_DIR": str(tmp_path)}
    ca.write_p12(tmp_path, "H18", "UBND Hợp lệ", "a")
    ca.write_p12(tmp_path, "H19", "UBND Hết hạn", "b", window=EXPIRED)
    ca.write_p12(tmp_path, "H20", "UBND Sai mật khẩu", "c")
    monkeypatch.setenv("MOTCUA_SIGNING_PASSWORD_H18", "a")
    monkeypatch.setenv("MOTCUA_SIGNING_PASSWORD_H19", "b")
    monkeypatch.setenv("MOTCUA_SIGNING_PASSWORD_H20", "wrong")
    assert signing_check(io.StringIO()) == 1
    out = io.StringIO()
    signing_check(out)
    lines = out.getvalue().splitlines()
    assert any(
        line.startswith("H18") and "UBND Hợp lệ" in line and "2045" in line for line in lines
    )
    assert any(line.startswith("H19") and "đã hết hạn ngày 01/01/2021" in line for line in lines)
    assert any(line.startswith("H20") and "sai mật khẩu" in line for line in lines)
