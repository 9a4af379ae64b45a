"""What the citizen reads about a procedure version before applying (issue 16): its
conditions, its steps as the citizen takes them (not the internal workflow) and its blank
forms (``BlankForm``). The one write path, ``procedure_guide_save``, and the companion
interchange of the catalogue: ``motcua import procedure-guides DIR`` and ``motcua export
procedure-guides DIR``.

The catalogue interchange (``catalog.schema.json``) is a shared spec that admits no other
field, so these travel in a folder of their own:

- ``DIR/guides.jsonl``: one JSON object per line (so that an error names its line), with
  ``code`` (national procedure code), optionally ``version`` (its number; left out: every
  version of the procedure in force on the day of the import), ``conditions`` (text),
  ``steps`` (list of text lines, in order) and ``forms`` (list of ``{"name", "number",
  "file"}``, ``file`` a PDF or DOCX path relative to ``DIR``). A line states the whole guide
  of its versions: what it leaves out is cleared.
- the form files, anywhere under ``DIR`` (the export writes ``forms/``).

The whole folder is checked first; any error imports nothing and is reported as
``FILE:LINE: column: problem``. Re-importing the same folder changes nothing, and the export
reads back unchanged.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.archive.files import atomic_with_files, file_store
from motcua.catalog.models import BlankForm, BlankFormType, ProcedureVersion
from motcua.core.audit import Actor, audit_log

GUIDES_FILE = "guides.jsonl"
FORM_MAX_BYTES = 20 * 1024 * 1024
_NAME_LENGTH = int(BlankForm._meta.get_field("name").max_length or 0)
_NUMBER_LENGTH = int(BlankForm._meta.get_field("number").max_length or 0)


@dataclass(frozen=True)
class FormInput:
    """A blank form to publish: its name, number ("Mẫu 01/TK") and bytes."""

    name: str
    number: str
    content: bytes
    content_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


class GuideError(ValueError):
    """A guide that cannot be recorded (a form that is not a PDF or DOCX, too long a name)."""


def form_content_type(content: bytes, filename: str) -> str | None:
    """``BlankFormType`` of ``content`` by its signature and its name's extension agreeing,
    None when it is neither a PDF nor a Word (DOCX) document."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".pdf" and content.startswith(b"%PDF-"):
        return BlankFormType.PDF
    if suffix == ".docx" and content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                if "word/document.xml" in archive.namelist():
                    return BlankFormType.DOCX
        except zipfile.BadZipFile:
            return None
    return None


def _guide_key(
    conditions: str, steps: list[str], forms: list[tuple[str, str, str, str]]
) -> tuple[Any, ...]:
    return (conditions, tuple(steps), tuple(forms))


def procedure_guide_save(
    *,
    version: ProcedureVersion,
    conditions: str,
    steps: list[str],
    forms: list[FormInput],
    actor: Actor = "system",
) -> bool:
    """Make ``version``'s conditions, applicant steps (one text per step) and blank forms
    these. Returns whether anything changed. The files of forms replaced are removed once
    the change commits, unless another version's form still names them (the catalogue import
    passes forms on to a procedure's next version without copying the bytes)."""
    conditions = conditions.strip()
    steps = [s.strip() for s in steps if s.strip()]
    for form in forms:
        if form.content_type not in BlankFormType.values:
            raise GuideError(f"{form.name}: not a PDF or DOCX form")
        if not form.name.strip() or len(form.name) > _NAME_LENGTH:
            raise GuideError(f"{form.name!r}: the name is blank or too long")
        if len(form.number) > _NUMBER_LENGTH:
            raise GuideError(f"{form.number!r}: the number is too long")
    with atomic_with_files():
        version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
        old = list(version.forms.order_by("position"))
        before = _guide_key(
            version.conditions,
            version.applicant_step_lines,
            [(f.name, f.number, f.sha256, f.content_type) for f in old],
        )
        after = _guide_key(
            conditions,
            steps,
            [(f.name.strip(), f.number.strip(), f.sha256, f.content_type) for f in forms],
        )
        if before == after:
            return False
        version.conditions = conditions
        version.applicant_steps = "\n".join(steps)
        version.save(update_fields=["conditions", "applicant_steps"])
        stored = {f.sha256: f.file.name for f in old if f.file.name}
        old_names = {f.file.name for f in old if f.file.name}
        version.forms.all().delete()
        for position, form in enumerate(forms, start=1):
            row = BlankForm(
                version=version,
                position=position,
                name=form.name.strip(),
                number=form.number.strip(),
                content_type=form.content_type,
                size=len(form.content),
                sha256=form.sha256,
            )
            if form.sha256 in stored:  # the same bytes as before: keep the stored file
                row.file.name = stored[form.sha256]
            else:
                file_store(row.file, row.download_name, ContentFile(form.content))
            row.save()
        transaction.on_commit(lambda: _remove_unnamed(old_names))
        audit_log(
            actor=actor,
            action="catalog.guide_save",
            object_type="procedure_version",
            object_id=version.pk,
            data={
                "procedure": version.procedure.code,
                "version": version.number,
                "steps": len(steps),
                "forms": [f"{f.number} {f.name}".strip() for f in forms],
            },
        )
    return True


def _remove_unnamed(names: set[str]) -> None:
    named = set(BlankForm.objects.filter(file__in=names).values_list("file", flat=True))
    storage = BlankForm._meta.get_field("file").storage
    for name in names - named:
        storage.delete(name)


def blank_forms_carry(source: ProcedureVersion, target: ProcedureVersion) -> None:
    """Give ``target`` (a new version of the same procedure) the guide of ``source``: its
    conditions and steps are copied by the caller with the other fields; the forms' rows are
    copied here, naming the same stored files."""
    BlankForm.objects.bulk_create(
        BlankForm(
            version=target,
            position=f.position,
            name=f.name,
            number=f.number,
            file=f.file.name,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
        )
        for f in source.forms.all()
    )


# --- the companion interchange ------------------------------------------------------------


@dataclass
class GuideImportError(Exception):
    """Every problem of the folder, each 'FILE:LINE: column: problem'."""

    issues: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Entry:
    line: int
    versions: list[ProcedureVersion]
    conditions: str
    steps: list[str]
    forms: list[FormInput]


def _text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _entry_forms(
    raw: Any, folder: Path, where: str, issues: list[str], cache: dict[Path, bytes]
) -> list[FormInput]:
    if not isinstance(raw, list):
        issues.append(f"{where}: forms: " + _("phải là một danh sách"))
        return []
    forms: list[FormInput] = []
    root = folder.resolve()
    for i, item in enumerate(raw):
        column = f"forms[{i}]"
        if not isinstance(item, dict) or set(item) - {"name", "number", "file"}:
            issues.append(f"{where}: {column}: " + _('phải có dạng {"name", "number", "file"}'))
            continue
        name, number, file = item.get("name"), item.get("number", ""), item.get("file")
        if not isinstance(name, str) or not name.strip():
            issues.append(f"{where}: {column}.name: " + _("thiếu tên mẫu"))
        elif len(name.strip()) > _NAME_LENGTH:
            issues.append(
                f"{where}: {column}.name: "
                + _("dài %(n)s ký tự, tối đa %(max)s") % {"n": len(name), "max": _NAME_LENGTH}
            )
        if not isinstance(number, str) or len(number.strip()) > _NUMBER_LENGTH:
            issues.append(
                f"{where}: {column}.number: "
                + _("phải là văn bản, tối đa %(max)s ký tự") % {"max": _NUMBER_LENGTH}
            )
        if not isinstance(file, str) or not file:
            issues.append(f"{where}: {column}.file: " + _("thiếu đường dẫn tệp"))
            continue
        path = (folder / file).resolve()
        if not path.is_relative_to(root):
            issues.append(f"{where}: {column}.file: " + _("tệp phải nằm trong thư mục nhập"))
            continue
        if path not in cache:
            try:
                if path.stat().st_size > FORM_MAX_BYTES:
                    issues.append(
                        f"{where}: {column}.file: "
                        + _("lớn hơn %(max)s MB") % {"max": FORM_MAX_BYTES // (1024 * 1024)}
                    )
                    continue
                cache[path] = path.read_bytes()
            except OSError as exc:
                issues.append(f"{where}: {column}.file: {file}: {exc.strerror or exc}")
                continue
        content = cache[path]
        content_type = form_content_type(content, file)
        if content_type is None:
            issues.append(
                f"{where}: {column}.file: "
                + _("%(file)s không phải tệp PDF hoặc Word (DOCX)") % {"file": file}
            )
            continue
        if isinstance(name, str) and isinstance(number, str):
            forms.append(FormInput(name.strip(), number.strip(), content, content_type))
    return forms


def _entries(folder: Path) -> list[_Entry]:
    path = folder / GUIDES_FILE
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise GuideImportError([f"{path}: {exc}"]) from exc
    today = timezone.localdate()
    issues: list[str] = []
    entries: list[_Entry] = []
    seen: dict[tuple[str, int | None], int] = {}
    cache: dict[Path, bytes] = {}
    for line, raw_line in enumerate(text.splitlines(), start=1):
        if not raw_line.strip():
            continue
        where = f"{path}:{line}"
        try:
            entry = json.loads(raw_line)
        except json.JSONDecodeError as exc:
            issues.append(f"{where}: json: " + _("không đọc được (%(msg)s)") % {"msg": exc.msg})
            continue
        if not isinstance(entry, dict):
            issues.append(f"{where}: json: " + _("mỗi dòng phải là một đối tượng JSON"))
            continue
        unknown = sorted(set(entry) - {"code", "version", "conditions", "steps", "forms"})
        for column in unknown:
            issues.append(f"{where}: {column}: " + _("trường không biết"))
        code = entry.get("code")
        number = entry.get("version")
        versions: list[ProcedureVersion] = []
        if not isinstance(code, str) or not code:
            issues.append(f"{where}: code: " + _("thiếu mã thủ tục"))
        elif number is not None and (not isinstance(number, int) or isinstance(number, bool)):
            issues.append(f"{where}: version: " + _("phải là số phiên bản"))
        else:
            found = ProcedureVersion.objects.live().filter(procedure__code=code)
            found = found.valid_on(today) if number is None else found.filter(number=number)
            versions = list(found.select_related("procedure").order_by("number"))
            if not versions:
                column = "code" if number is None else "version"
                issues.append(
                    f"{where}: {column}: "
                    + (
                        _("không có thủ tục mã %(code)r đang có hiệu lực") % {"code": code}
                        if number is None
                        else _("thủ tục %(code)r không có phiên bản %(n)s")
                        % {"code": code, "n": number}
                    )
                )
            key = (code, number)
            if key in seen:
                issues.append(
                    f"{where}: code: " + _("trùng với dòng %(line)s") % {"line": seen[key]}
                )
            seen.setdefault(key, line)
        conditions = entry.get("conditions", "")
        if not isinstance(conditions, str):
            issues.append(f"{where}: conditions: " + _("phải là văn bản"))
            conditions = ""
        steps = entry.get("steps", [])
        if not _text_list(steps):
            issues.append(f"{where}: steps: " + _("phải là danh sách các dòng văn bản"))
            steps = []
        elif any("\n" in s for s in steps):
            issues.append(f"{where}: steps: " + _("mỗi bước là một dòng, không xuống dòng"))
        forms = _entry_forms(entry.get("forms", []), folder, where, issues, cache)
        entries.append(_Entry(line, versions, conditions, steps, forms))
    if issues:
        raise GuideImportError(issues)
    return entries


def procedure_guides_import(
    folder: Path | str, *, actor: Actor = "motcua import procedure-guides"
) -> tuple[int, int]:
    """Import the guides of ``folder`` (all or nothing). Returns (versions changed, versions
    unchanged)."""
    entries = _entries(Path(folder))
    changed = unchanged = 0
    with atomic_with_files():
        for entry in entries:
            for version in entry.versions:
                if procedure_guide_save(
                    version=version,
                    conditions=entry.conditions,
                    steps=entry.steps,
                    forms=entry.forms,
                    actor=actor,
                ):
                    changed += 1
                else:
                    unchanged += 1
    return changed, unchanged


def procedure_guides_export(folder: Path | str) -> int:
    """Write every live version that has a guide to ``folder`` (``guides.jsonl`` and
    ``forms/``), as ``procedure_guides_import`` reads it. Returns the number of versions."""
    folder = Path(folder)
    (folder / "forms").mkdir(parents=True, exist_ok=True)
    versions = (
        ProcedureVersion.objects.live()
        .select_related("procedure")
        .prefetch_related("forms")
        .order_by("procedure__code", "number")
    )
    lines: list[str] = []
    for version in versions:
        forms = list(version.forms.all())
        if not (version.conditions or version.applicant_steps or forms):
            continue
        listed = []
        for form in forms:
            name = (
                f"{version.procedure.code}-v{version.number}-{form.position}-{form.download_name}"
            )
            with form.file.open("rb") as handle:
                (folder / "forms" / name).write_bytes(handle.read())
            listed.append({"name": form.name, "number": form.number, "file": f"forms/{name}"})
        entry = {
            "code": version.procedure.code,
            "version": version.number,
            "conditions": version.conditions,
            "steps": version.applicant_step_lines,
            "forms": listed,
        }
        lines.append(json.dumps(entry, ensure_ascii=False))
    (folder / GUIDES_FILE).write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return len(lines)
