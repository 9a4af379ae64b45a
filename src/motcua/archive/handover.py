"""Hand-over to the records office: a package of an agency's documents for a year, and the
list of documents past their retention.

Which documents: those of the dossiers that the agency decided (the competent agency, or an
agency merged into it by the end of the year, domain.md §2) and that ended in the year (local
time). Archival practice hands over a case's file once the case is closed (Luật Lưu trữ 2024,
Điều 16: a file is handed to the agency's archive within a year of the work's end), so an
open dossier waits for a later package. A citizen's own documents (no dossier) are theirs,
never handed over.

A package is a folder::

    manifest.json   the agency, the year, every document's metadata (domain.md §10) with its
                    file, size and SHA-256, and ``documents_sha256``: the hash of the
                    documents' list as written (canonical JSON, see ``canonical_json``)
    manifest.json.sha256   the manifest's own hash, ``sha256sum -c`` style
    files/<document id><extension>   the bytes, read from the documents storage and checked
                    against the SHA-256 recorded when they were stored

Nothing is ever deleted here: ``documents_expired`` only lists (disposal is the records
office's decision, with its own council and minutes, Luật Lưu trữ 2024 Điều 24).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.agencies.models import Agency
from motcua.agencies.queries import agency_inherited_ids
from motcua.archive.models import Document
from motcua.core.audit import Actor, audit_log

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files"


class HandoverError(Exception):
    """An export that cannot be made; the message names the option, file or document."""


@dataclass(frozen=True)
class ExportReport:
    path: Path
    documents: int
    bytes: int
    documents_sha256: str


def canonical_json(value: Any) -> bytes:
    """The bytes that ``documents_sha256`` is computed over: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def documents_for_handover(agency: Agency, year: int) -> QuerySet[Document]:
    """The documents of ``agency``'s dossiers that ended in ``year``, oldest first."""
    start, end = _year_bounds(year)
    agencies = {agency.pk} | agency_inherited_ids([agency.pk], dt.date(year, 12, 31))
    return (
        Document.objects.filter(
            dossier__agency_id__in=agencies,
            dossier__ended_at__gte=start,
            dossier__ended_at__lt=end,
        )
        .select_related("dossier", "dossier_part")
        .order_by("dossier__ended_at", "dossier_id", "created_at", "id")
    )


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _instant(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _file_name(document: Document) -> str:
    suffix = PurePath(document.file.name or "").suffix.lower()
    return f"{document.pk}{suffix}"


def document_manifest_entry(document: Document) -> dict[str, Any]:
    """One document's metadata as the package states it (domain.md §10)."""
    dossier: Any = document.dossier
    part: Any = document.dossier_part
    return {
        "id": document.pk,
        "file": f"{FILES}/{_file_name(document)}",
        "code": document.code,
        "kind": document.kind,
        "origin": document.origin,
        "name": document.name,
        "summary": document.summary,
        "type_code": document.type_code,
        "holder_id_number": document.holder_id_number,
        "holder_name": document.holder_name,
        "issuer": document.issuer,
        "issued_on": _date(document.issued_on),
        "valid_from": _date(document.valid_from),
        "valid_until": _date(document.valid_until),
        "validity_scope": document.validity_scope,
        "signer": document.signer,
        "signed_at": _instant(document.signed_at),
        "signature_status": document.signature_status,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "dossier_code": dossier.code if dossier is not None else None,
        "dossier_part": part.name if part is not None else None,
        "reused_from": document.source_id,
        "stored_at": _instant(document.created_at),
        "retention_years": document.retention_years,
        "retain_until": _date(document.retain_until),
    }


def _copy_checked(document: Document, target: Path) -> int:
    """Copy the document's bytes to ``target``, checking size and SHA-256 on the way."""
    digest = hashlib.sha256()
    size = 0
    try:
        source = document.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise HandoverError(
            f"document {document.pk}: file {document.file.name} cannot be read ({exc})"
        ) from exc
    with source, target.open("wb") as out:
        for chunk in source.chunks():
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if digest.hexdigest() != document.sha256:
        raise HandoverError(
            f"document {document.pk}: file {document.file.name}: sha256 {digest.hexdigest()} "
            f"differs from the recorded {document.sha256} (changed or damaged in storage)"
        )
    return size


def archive_export(*, agency_code: str, year: int, output: Path, actor: Actor) -> ExportReport:
    """Write the hand-over package of ``agency_code`` for ``year`` into ``output`` (a new or
    empty folder). All or nothing: on any error the files written are removed."""
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        raise HandoverError(f"--agency {agency_code}: no agency has this code")
    if not 1900 <= year <= 9999:
        raise HandoverError(f"--year {year}: not a year")
    output = Path(output)
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise HandoverError(f"{output}: exists and is not an empty folder; nothing overwritten")
    created = not output.exists()
    try:
        (output / FILES).mkdir(parents=True, exist_ok=True)
        entries = []
        total = 0
        for document in documents_for_handover(agency, year).iterator(chunk_size=500):
            entry = document_manifest_entry(document)
            total += _copy_checked(document, output / entry["file"])
            entries.append(entry)
        documents_sha256 = hashlib.sha256(canonical_json(entries)).hexdigest()
        manifest = {
            "format": FORMAT,
            "agency": {"code": agency.code, "name": agency.name},
            "year": year,
            "selection": "documents of the dossiers the agency decided that ended in the year",
            "created_at": timezone.localtime().isoformat(),
            "documents_count": len(entries),
            "bytes": total,
            "documents_sha256": documents_sha256,
            "documents": entries,
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        (output / MANIFEST).write_bytes(data)
        (output / f"{MANIFEST}.sha256").write_text(
            f"{hashlib.sha256(data).hexdigest()}  {MANIFEST}\n", encoding="utf-8"
        )
    except BaseException:
        if created:
            shutil.rmtree(output, ignore_errors=True)
        else:
            for child in output.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise
    audit_log(
        actor=actor,
        action="archive.export",
        object_type="agency",
        object_id=agency.code,
        data={"year": year, "documents": len(entries), "documents_sha256": documents_sha256},
    )
    return ExportReport(
        path=output, documents=len(entries), bytes=total, documents_sha256=documents_sha256
    )


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none: the day after 28 February
        return dt.date(day.year - years, 3, 1)


def documents_expired(on: dt.date) -> QuerySet[Document]:
    """Documents whose retention ended before ``on`` (``Document.retain_until`` < ``on``),
    oldest first; those kept for good (0 years) never are. Only a list: nothing is deleted."""
    tz = timezone.get_current_timezone()
    years = (
        Document.objects.filter(retention_years__gt=0)
        .values_list("retention_years", flat=True)
        .distinct()
    )
    condition = Q(pk__in=[])
    for n in set(years):
        # retain_until = stored day + n years < on  ⇔  stored day < on − n years
        limit = _years_before(on, n)
        condition |= Q(
            retention_years=n,
            created_at__lt=dt.datetime(limit.year, limit.month, limit.day, tzinfo=tz),
        )
    return Document.objects.filter(condition).select_related("dossier").order_by("created_at", "id")
