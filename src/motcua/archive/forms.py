"""Uploads that survive a form's errors (issue 13 item 7), for every form that takes files.

A citizen who typed a wrong ID number must not pick three files again. So, on a form that
failed, each upload that passed its own field's content check is held
(``archive.services.upload_hold``) and the page shows it as "Đã tải: don.pdf (PDF, 1,2 MB) —
giữ / đổi", with a hidden ``held-<field>`` input carrying its token (the file input hidden
until "đổi" is chosen: two radio buttons and CSS, no script). On the next submit a field
with no new file, or whose "giữ" is still chosen, uses the held file, as if it had been sent
again. A file refused by its field's check is not held: its error stays beside the field.

Use in a view (a field may carry several files, e.g. the counter's scans ``part-<id>``)::

    keeper = HeldUploads(request)
    form = SomeForm(request.POST, keeper.files)          # or keeper.files.getlist("part-5")
    if ok:                                               # the service call succeeded
        keeper.release()                                 # held files used or replaced: gone
    else:
        keeper.hold(name, upload, content_type=..., sha256=...)  # each upload that passed
        # (a Django form: keeper.hold_form(form, content_type=...))
        context["kept"] = keeper.kept(name)              # what the page shows

and in the template, in place of the ``<input type="file">``::

    {% include "archive/held_input.html" with name="part-5" id="part-5" kept=kept %}
    {# optional: input=form.field (a bound field to render), multiple=True, accept="…" #}

A page reached by a redirect (the staff dossier page) keeps the tokens in the session with
``remember(slot)`` and reads them back with ``HeldUploads.recall(request, slot)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict

from motcua.archive.models import HeldUpload
from motcua.archive.services import upload_hold, upload_release, upload_take
from motcua.core.formatting import vn_decimal

PREFIX = "held-"
CHOICE_PREFIX = "held-choice-"
SESSION_KEY = "motcua_held_uploads"

KIND_LABELS = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


def size_display(size: int) -> str:
    """1234567 -> '1,2 MB'; 35000 -> '35 KB'."""
    if size >= 1024 * 1024:
        return f"{vn_decimal(Decimal(size) / (1024 * 1024), 1)} MB"
    return f"{max(1, round(size / 1024))} KB"


@dataclass(frozen=True)
class KeptFile:
    """A held upload as its page shows it."""

    token: str
    name: str
    kind: str
    size: str

    @classmethod
    def of(cls, held: HeldUpload) -> KeptFile:
        extension = (
            held.original_name.rpartition(".")[2].upper() if "." in held.original_name else ""
        )
        return cls(
            token=held.token,
            name=held.original_name,
            kind=KIND_LABELS.get(held.content_type, extension or held.content_type),
            size=size_display(held.size),
        )


def _holder(request: HttpRequest) -> tuple[User | None, str]:
    user = request.user if isinstance(request.user, User) else None
    if request.session.session_key is None:
        request.session.save()
    return user, request.session.session_key or ""


class HeldUploads:
    """The files of one request: those sent now, and those held from an earlier try of the
    same form by the same person (see the module's docstring)."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.user, self.session_key = _holder(request)
        self._from_held: dict[int, HeldUpload] = {}  # id(file handed out) -> its row
        self._used: list[HeldUpload] = []
        self._replaced: list[HeldUpload] = []
        self._kept: dict[str, list[HeldUpload]] = {}
        self._opened: list[UploadedFile] = []
        self.files: MultiValueDict[str, UploadedFile] = MultiValueDict(
            {name: list(request.FILES.getlist(name)) for name in request.FILES}
        )
        for key in request.POST:
            if not key.startswith(PREFIX) or key.startswith(CHOICE_PREFIX):
                continue
            name = key.removeprefix(PREFIX)
            held = [
                row
                for token in request.POST.getlist(key)
                if (row := upload_take(token, user=self.user, session_key=self.session_key))
            ]
            if not held:
                continue
            change = request.POST.get(CHOICE_PREFIX + name) == "change"
            if change and request.FILES.getlist(name):
                self._replaced.extend(held)
                continue
            self._used.extend(held)
            self.files.setlist(name, [self._open(row) for row in held])

    def _open(self, held: HeldUpload) -> UploadedFile:
        upload = UploadedFile(
            file=held.file.storage.open(held.file.name or "", "rb"),
            name=held.original_name,
            content_type=held.content_type,
            size=held.size,
        )
        self._from_held[id(upload)] = held
        self._opened.append(upload)
        return upload

    def hold(self, name: str, upload: Any, *, content_type: str, sha256: str = "") -> None:
        """Keep ``upload`` of field ``name`` (it passed that field's content check) for the
        next try; a file that was itself held is kept as it is."""
        held = self._from_held.get(id(upload))
        if held is None:
            held = upload_hold(
                upload,
                content_type=content_type,
                sha256=sha256,
                user=self.user,
                session_key=self.session_key,
            )
        self._kept.setdefault(name, []).append(held)

    def hold_form(self, form: forms.Form, *, content_type: Callable[[Any], str]) -> None:
        """``hold`` the files of a Django form's file fields that have no error (the
        field's own clean method checked their content)."""
        for name, field in form.fields.items():
            if not isinstance(field, forms.FileField) or name in form.errors:
                continue
            for upload in form.files.getlist(name):
                self.hold(name, upload, content_type=content_type(upload))

    def kept(self, name: str) -> list[KeptFile]:
        """What the page shows as already uploaded for field ``name``."""
        return [KeptFile.of(held) for held in self._kept.get(name, [])]

    def release(self) -> None:
        """The form succeeded: the held files it used (now stored where they belong) and
        those replaced by new ones are deleted."""
        for upload in self._opened:
            upload.close()
        for held in [*self._used, *self._replaced]:
            upload_release(held)
        self._used, self._replaced = [], []

    # --- across a redirect ---------------------------------------------------------------

    def remember(self, slot: str) -> None:
        """Keep the tokens of the held files in the session for the page the form is shown
        on after a redirect (``slot`` names the form, e.g. ``"<code>:finish"``)."""
        slots: dict[str, dict[str, list[str]]] = self.request.session.get(SESSION_KEY, {})
        slots[slot] = {name: [h.token for h in rows] for name, rows in self._kept.items()}
        self.request.session[SESSION_KEY] = slots

    def forget(self, slot: str) -> None:
        slots: dict[str, dict[str, list[str]]] = self.request.session.get(SESSION_KEY, {})
        if slots.pop(slot, None) is not None:
            self.request.session[SESSION_KEY] = slots

    @staticmethod
    def recall(request: HttpRequest, slot: str) -> dict[str, list[KeptFile]]:
        """The held files remembered for ``slot``, by field (those still held for this
        person: expired or used ones are left out)."""
        slots: dict[str, dict[str, list[str]]] = request.session.get(SESSION_KEY, {})
        if slot not in slots:
            return {}
        user, session_key = _holder(request)
        found: dict[str, list[KeptFile]] = {}
        for name, tokens in slots[slot].items():
            rows = [
                row
                for token in tokens
                if (row := upload_take(token, user=user, session_key=session_key))
            ]
            if rows:
                found[name] = [KeptFile.of(row) for row in rows]
        return found
