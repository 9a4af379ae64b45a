"""Digital signatures of PDF documents (issue 13 item 6; ND 118/2025 Điều 22: an electronic
result carries the deciding agency's digital signature).

Two halves:

- pure functions over bytes: ``pdf_sign`` makes a PAdES signature with an agency's key
  (pyHanko), ``pdf_signatures_verify`` reads every signature of a PDF and judges each against
  the trust roots, ``pdf_signature_record`` turns that into what a stored document keeps;
- the configuration: each agency's PKCS#12 and password, never in the repository
  (``agency_signer``), and the trust roots (``trust_roots_load``). See README, "Digital
  signatures", and docs/operations.md.

Every refusal is a ``SignatureError`` whose text is a Vietnamese message for the user.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import io
import os
import re
import stat
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from cryptography.utils import CryptographyDeprecationWarning
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.archive.models import SignatureStatus

if TYPE_CHECKING:
    from pyhanko.pdf_utils.reader import PdfFileReader


def _outside_event_loop(function: Callable[..., Any], *args: Any) -> Any:
    """Call one of pyHanko's synchronous functions, which run their own event loop
    (``asyncio.run``): in a thread of its own when this thread already runs a loop (an ASGI
    server's, a browser-driving test's), directly otherwise."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def _pyhanko() -> None:
    """Import pyHanko on first use: it takes seconds to load, and most processes (the
    command line, a page that stores no PDF) never sign or verify. It imports a DSA class
    that cryptography deprecates; the warning says nothing about what is done here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        import pyhanko.sign.signers  # noqa: F401


class SignatureError(Exception):
    """A PDF or a certificate that cannot be used; ``str()`` is Vietnamese."""


class PdfCorrupt(SignatureError):
    """The file cannot be read as a PDF."""


class SignatureBroken(SignatureError):
    """A signature of the PDF does not match its content: it was changed after signing."""


class CertificateUnusable(SignatureError):
    """The agency's certificate is expired, not yet valid, or cannot be opened."""


# --- signing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencySigner:
    """An agency's signing key and certificate (from its PKCS#12)."""

    agency_code: str
    common_name: str
    not_before: dt.datetime
    not_after: dt.datetime
    signer: Any  # pyhanko.sign.signers.SimpleSigner

    @classmethod
    def from_pkcs12(cls, agency_code: str, data: bytes, password: bytes | None) -> AgencySigner:
        _pyhanko()
        from pyhanko.sign import signers

        try:
            _key, cert, _others = pkcs12.load_key_and_certificates(data, password)
            signer = signers.SimpleSigner.load_pkcs12_data(data, (), passphrase=password)
        except ValueError as exc:
            raise CertificateUnusable(
                _(
                    "Không mở được chứng thư số của cơ quan %(code)s: tệp PKCS#12 hỏng hoặc "
                    "sai mật khẩu."
                )
                % {"code": agency_code}
            ) from exc
        if cert is None:
            raise CertificateUnusable(
                _("Tệp PKCS#12 của cơ quan %(code)s không chứa chứng thư số.")
                % {"code": agency_code}
            )
        return cls(
            agency_code=agency_code,
            common_name=_common_name(cert),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            signer=signer,
        )

    def refusal_at(self, at: dt.datetime) -> str:
        """Why the certificate cannot sign at ``at`` ("" when it can)."""
        if at > self.not_after:
            return _("Chứng thư số của %(name)s đã hết hạn ngày %(date)s.") % {
                "name": self.common_name,
                "date": timezone.localtime(self.not_after).strftime("%d/%m/%Y"),
            }
        if at < self.not_before:
            return _("Chứng thư số của %(name)s chỉ có hiệu lực từ ngày %(date)s.") % {
                "name": self.common_name,
                "date": timezone.localtime(self.not_before).strftime("%d/%m/%Y"),
            }
        return ""


def _common_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def _signer_at(meta: Any, signer: Any, at: dt.datetime) -> Any:
    """pyHanko's PDF signer, with the signing time given rather than read from the clock."""
    from pyhanko.sign.signers import PdfSigner

    class PdfSignerAt(PdfSigner):
        def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
            session = super().init_signing_session(pdf_out, existing_fields_only)
            session.system_time = at
            return session

    return PdfSignerAt(meta, signer=signer)


def _reader(data: bytes) -> PdfFileReader:
    _pyhanko()
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not data.startswith(b"%PDF-"):
        raise PdfCorrupt(_("Tệp PDF bị hỏng hoặc không phải tệp PDF."))
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        reader.root  # noqa: B018 -- reads the catalogue: a file without one is not a PDF
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise PdfCorrupt(
            _("Tệp PDF bị hỏng, không đọc được (%(detail)s). Vui lòng xuất lại tệp PDF.")
            % {"detail": str(exc)[:200]}
        ) from exc
    return reader


def pdf_sign(
    data: bytes,
    signer: AgencySigner,
    *,
    reason: str,
    location: str,
    at: dt.datetime,
) -> bytes:
    """``data`` with a PAdES signature of ``signer`` added (an incremental update: signatures
    already in the file stay valid). Refuses a certificate that is not valid at ``at``."""
    refusal = signer.refusal_at(at)
    if refusal:
        raise CertificateUnusable(refusal)
    reader = _reader(data)
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError

    field_name = f"Signature{len(list(_embedded(reader))) + 1}"
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            reason=reason,
            location=location,
            name=signer.common_name,
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        pdf_signer = _signer_at(meta, signer.signer, at)
        output = _outside_event_loop(pdf_signer.sign_pdf, writer)
    except (PdfError, SigningError, ValueError, KeyError) as exc:
        raise PdfCorrupt(
            _("Không ký số được tệp PDF (%(detail)s). Vui lòng xuất lại tệp PDF.")
            % {"detail": str(exc)[:200]}
        ) from exc
    return bytes(output.getvalue())


# --- verifying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    """What one signature of a PDF says, and how it was judged."""

    field: str
    signer: str
    signed_at: dt.datetime | None
    intact: bool  # the signed bytes are those of the file: not changed since
    trusted: bool  # the certificate chains to a configured trust root
    valid_at_signing: bool  # the certificate was within its validity when signed
    status: str  # archive.models.SignatureStatus
    message: str  # Vietnamese

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["signed_at"] = self.signed_at.isoformat() if self.signed_at else None
        return data


def _embedded(reader: PdfFileReader) -> Any:
    from pyhanko.pdf_utils.misc import PdfError

    try:
        return reader.embedded_regular_signatures
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise PdfCorrupt(
            _("Tệp PDF bị hỏng: không đọc được chữ ký số trong tệp (%(detail)s).")
            % {"detail": str(exc)[:200]}
        ) from exc


def pdf_signatures_verify(
    data: bytes, trust_roots: Sequence[asn1_x509.Certificate]
) -> list[SignatureCheck]:
    """Every signature of the PDF ``data``, judged against ``trust_roots`` (an empty list
    trusts nothing; the system's store is never used). A PDF without signatures gives [];
    a file that is not a readable PDF raises ``PdfCorrupt``."""
    reader = _reader(data)
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    checks = []
    for embedded in _embedded(reader):
        signed_at = embedded.self_reported_timestamp
        # A signature is judged at the time it says it was made (no timestamp authority
        # here): a certificate that expired since does not make an old signature invalid.
        context = ValidationContext(
            trust_roots=list(trust_roots),
            moment=signed_at or timezone.now(),
            allow_fetching=False,
        )
        try:
            status = _outside_event_loop(validate_pdf_signature, embedded, context)
        except (PdfError, ValueError, KeyError, TypeError) as exc:
            checks.append(
                SignatureCheck(
                    field=str(embedded.field_name),
                    signer="",
                    signed_at=signed_at,
                    intact=False,
                    trusted=False,
                    valid_at_signing=False,
                    status=SignatureStatus.INVALID,
                    message=_("Không kiểm tra được chữ ký số: %(detail)s")
                    % {"detail": str(exc)[:200]},
                )
            )
            continue
        cert = status.signing_cert
        signer = str(cert.subject.native.get("common_name") or cert.subject.human_friendly)
        valid_at_signing = signed_at is None or (
            cert.not_valid_before <= signed_at <= cert.not_valid_after
        )
        modified = status.modification_level not in (
            None,
            ModificationLevel.NONE,
            ModificationLevel.LTA_UPDATES,
            ModificationLevel.FORM_FILLING,
        )
        intact = bool(status.intact and status.valid) and not modified
        trusted = bool(status.trusted)
        if not intact:
            verdict = SignatureStatus.INVALID
            message = _(
                "Chữ ký số của %(signer)s không còn đúng: nội dung tệp đã bị thay đổi sau khi ký."
            ) % {"signer": signer}
        elif not valid_at_signing:
            verdict = SignatureStatus.EXPIRED
            message = _(
                "Chứng thư số của %(signer)s không còn hiệu lực vào thời điểm ký "
                "(hiệu lực từ %(start)s đến %(end)s)."
            ) % {
                "signer": signer,
                "start": cert.not_valid_before.strftime("%d/%m/%Y"),
                "end": cert.not_valid_after.strftime("%d/%m/%Y"),
            }
        elif not trusted:
            verdict = SignatureStatus.UNTRUSTED
            message = _(
                "Chữ ký số của %(signer)s đúng với nội dung tệp, nhưng chứng thư số không do "
                "tổ chức cung cấp dịch vụ chứng thực được tin cậy cấp."
            ) % {"signer": signer}
        else:
            verdict = SignatureStatus.VALID
            message = _("Chữ ký số hợp lệ của %(signer)s.") % {"signer": signer}
        checks.append(
            SignatureCheck(
                field=str(embedded.field_name),
                signer=signer,
                signed_at=signed_at,
                intact=intact,
                trusted=trusted,
                valid_at_signing=valid_at_signing,
                status=verdict,
                message=str(message),
            )
        )
    return checks


@dataclass(frozen=True)
class SignatureRecord:
    """What a stored document keeps of its signatures (``Document.signer`` …)."""

    signer: str = ""
    signed_at: dt.datetime | None = None
    status: str = SignatureStatus.NONE
    detail: dict[str, Any] | None = None


# Worst first: the document's status is its worst signature's.
_SEVERITY = [
    SignatureStatus.INVALID,
    SignatureStatus.EXPIRED,
    SignatureStatus.UNTRUSTED,
    SignatureStatus.VALID,
]


def pdf_may_be_signed(data: bytes) -> bool:
    """Whether ``data`` may hold a signature: every PDF signature dictionary has a
    ``/ByteRange``, written in clear (it is patched in place after signing). A file without
    one is not parsed at all, so that an unsigned upload costs nothing more than before."""
    return data.startswith(b"%PDF-") and b"/ByteRange" in data


def pdf_signature_record(
    data: bytes, trust_roots: Sequence[asn1_x509.Certificate]
) -> SignatureRecord:
    """The signatures of an uploaded PDF as a document records them: the last signer and
    time, the worst status, and each check. Raises ``SignatureBroken`` when a signature no
    longer matches the content (such a file is refused, not stored), ``PdfCorrupt`` when the
    file cannot be read."""
    if not pdf_may_be_signed(data):
        return SignatureRecord()
    checks = pdf_signatures_verify(data, trust_roots)
    if not checks:
        return SignatureRecord()
    broken = [check for check in checks if check.status == SignatureStatus.INVALID]
    if broken:
        raise SignatureBroken(
            _(
                "Tệp PDF có chữ ký số không hợp lệ: %(message)s Không thể nhận tệp này; vui "
                "lòng lấy lại bản gốc đã ký."
            )
            % {"message": broken[0].message}
        )
    last = checks[-1]
    worst = min(checks, key=lambda check: _SEVERITY.index(SignatureStatus(check.status)))
    return SignatureRecord(
        signer=last.signer,
        signed_at=last.signed_at,
        status=worst.status,
        detail={"signatures": [check.as_json() for check in checks]},
    )


# --- configuration ---------------------------------------------------------------------------


def signing_dir() -> Path | None:
    """The folder of the agencies' PKCS#12 files (``MOTCUA_SIGNING_DIR``), if configured."""
    value = str(getattr(settings, "MOTCUA", {}).get("SIGNING_DIR", "") or "")
    return Path(value) if value else None


def password_variable(agency_code: str) -> str:
    """The environment variable holding an agency's PKCS#12 password:
    ``MOTCUA_SIGNING_PASSWORD_`` and the code, upper case, other characters as ``_``."""
    return "MOTCUA_SIGNING_PASSWORD_" + re.sub(r"[^A-Z0-9]", "_", agency_code.upper())


def _password(folder: Path, agency_code: str) -> bytes | None:
    variable = password_variable(agency_code)
    if variable in os.environ:
        return os.environ[variable].encode()
    path = folder / f"{agency_code}.pass"
    if not path.exists():
        return None
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CertificateUnusable(
            _("Tệp mật khẩu %(path)s phải chỉ chủ sở hữu đọc được (chmod 600).") % {"path": path}
        )
    return path.read_bytes().rstrip(b"\r\n")


def agency_certificate_codes() -> list[str]:
    """The agency codes that have a PKCS#12 in the signing folder."""
    folder = signing_dir()
    if folder is None or not folder.is_dir():
        return []
    return sorted(path.stem for path in folder.glob("*.p12"))


def agency_signer(agency_code: str) -> AgencySigner | None:
    """The agency's signer from ``<MOTCUA_SIGNING_DIR>/<code>.p12``; None when the agency
    has no certificate configured. A certificate that cannot be opened raises
    ``CertificateUnusable`` (a configured agency must not silently issue unsigned results)."""
    folder = signing_dir()
    if folder is None:
        return None
    path = folder / f"{agency_code}.p12"
    if not path.is_file():
        return None
    return AgencySigner.from_pkcs12(agency_code, path.read_bytes(), _password(folder, agency_code))


def trust_roots_load() -> list[asn1_x509.Certificate]:
    """The trusted root certificates: the PEM bundle at ``MOTCUA_TRUST_ROOTS`` (none when
    unset: every signature is then "untrusted", never "valid")."""
    value = str(getattr(settings, "MOTCUA", {}).get("TRUST_ROOTS", "") or "")
    if not value:
        return []
    try:
        pem = Path(value).read_bytes()
        certs = x509.load_pem_x509_certificates(pem)
    except (OSError, ValueError) as exc:
        raise SignatureError(
            _("Không đọc được danh sách chứng thư gốc tin cậy %(path)s: %(detail)s")
            % {"path": value, "detail": str(exc)[:200]}
        ) from exc
    return [asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER)) for cert in certs]
