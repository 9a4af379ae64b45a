"""Files written by a change: kept when its transaction commits, removed when it rolls back.

A document (a received part, a result, a document of the citizen's store) is written to
storage under its final name *before* the row that names it, in the same transaction: a
committed row then always has its file, and code later in the transaction can read it (the
portal copies a stored document into the dossier's part). If the transaction rolls back (a
part refused by validation, a concurrent change, an error further on), the file must go too.

Django has no rollback hook, so the change runs in ``atomic_with_files()`` instead of
``transaction.atomic()``, and writes with ``file_store``, which notes each file written:

- when an exception leaves a block that is nested in a transaction still open, the block's
  savepoint is rolled back (or the whole transaction is doomed): its files are removed;
- when the outermost block ends, however it ends (an exception, ``set_rollback``, a commit
  whose ``on_commit`` hooks failed), the database has the final word: every noted file that
  no row names is removed. That also catches files of an earlier transaction on this thread
  that a caller's own ``transaction.atomic()`` rolled back without an exception passing here.

Why not write to a temporary name and move the file into place on commit (Django's advice
of doing the side effect in ``on_commit``)? Because a crash or a failing hook between the
commit and the move would leave a committed dossier pointing at a file that is not there:
losing a citizen's document is worse than keeping a stray file. The Storage API also has no
move (object stores copy), the file could not be read under its name inside the transaction,
and ``on_commit`` never runs in tests wrapped in a transaction. A process killed between
writing a file and the end of its transaction (or a database that cannot answer while the
files are settled) leaves that file behind: ``files_orphaned_set_aside`` finds such files
some time later (the ``files_orphaned_set_aside`` job of `motcua worker`, hourly) and moves
them out of the storage folder.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import DatabaseError, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone


@dataclass(frozen=True)
class _Written:
    storage: Storage
    name: str
    model: type[models.Model]
    field: str

    def named_by_a_row(self) -> bool:
        return self.model._default_manager.filter(**{self.field: self.name}).exists()

    def remove(self) -> None:
        self.storage.delete(self.name)


logger = logging.getLogger(__name__)

# Django's connections are per thread, and so are the files written in their transactions.
_local = threading.local()


def _written() -> list[_Written]:
    if not hasattr(_local, "files"):
        _local.files = []
    files: list[_Written] = _local.files
    return files


def file_store(field_file: FieldFile, name: str, content: File) -> str:
    """Write ``content`` as ``field_file`` (``FieldFile.save`` without saving the row) and
    note it, so that it is removed if no committed row ends up naming it. Returns the name
    the storage chose."""
    field_file.save(name, content, save=False)
    stored = field_file.name or ""
    _written().append(
        _Written(
            storage=field_file.storage,
            name=stored,
            model=type(field_file.instance),
            field=field_file.field.attname,
        )
    )
    return stored


@contextmanager
def atomic_with_files() -> Iterator[None]:
    """``transaction.atomic()`` that removes the files written with ``file_store`` inside it
    when it rolls back (see the module's docstring)."""
    files = _written()
    start = len(files)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        if transaction.get_connection().in_atomic_block:
            # Nested: this block's writes are undone whatever the outer block does next.
            for item in files[start:]:
                item.remove()
            del files[start:]
        else:
            _settle(files)
        raise
    if not transaction.get_connection().in_atomic_block:
        _settle(files)


def _settle(files: list[_Written]) -> None:
    """Outside any transaction: keep the files that a committed row names, remove the rest.

    If the database cannot answer (the connection is gone), the files stay: a stray file is
    better than a committed row without its document, and the original error must surface."""
    try:
        for item in files:
            if not item.named_by_a_row():
                item.remove()
    except DatabaseError:
        logger.warning("could not settle %d written file(s)", len(files), exc_info=True)
    files.clear()


# A file younger than this may belong to a transaction still running: never touched.
ORPHAN_GRACE = dt.timedelta(hours=1)
# How far back the hourly job looks (more than its period, so that no hour is skipped).
ORPHAN_WINDOW = dt.timedelta(hours=3)


def _files_written(root: Path, after: float, before: float) -> list[str]:
    """Names (relative to ``root``) of the files modified in [after, before). Only folders
    modified since ``after`` are listed: creating a file changes its folder's time, so the
    few dated folders (``dossiers/2026/12/``) written to lately are all there is to read."""
    names = []
    for folder, _dirs, files in os.walk(root):
        if not files or os.stat(folder).st_mtime < after:
            continue
        for name in files:
            path = Path(folder) / name
            try:
                mtime = path.stat().st_mtime
            except FileNotFoundError:
                continue
            if after <= mtime < before:
                names.append(path.relative_to(root).as_posix())
    return names


def _names_in_rows(names: list[str]) -> set[str]:
    """Which of ``names`` a row of any model names in any of its file fields."""
    named: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.FileField):
                continue
            for start in range(0, len(names), 500):
                chunk = names[start : start + 500]
                named.update(
                    model._default_manager.filter(**{f"{field.attname}__in": chunk}).values_list(
                        field.attname, flat=True
                    )
                )
    return named


def files_orphaned_set_aside(
    *,
    written_after: dt.datetime | None = None,
    grace: dt.timedelta = ORPHAN_GRACE,
) -> list[str]:
    """Move the stored files that no row names out of the storage folder, into
    ``MOTCUA_DATA_DIR/orphans/`` (kept, not deleted: a person may still want to look), and
    return their names. Looks at files written after ``written_after`` (default: the last
    ``ORPHAN_WINDOW``) and at least ``grace`` ago, so that a transaction still running keeps
    its files. Idempotent: the hourly job of `motcua worker`.

    Disk only: a storage that is not a folder (the documents in an S3-compatible bucket,
    ``MOTCUA_DOCUMENTS_BUCKET``) is not swept — listing a bucket every hour costs requests
    and a bucket has its own lifecycle rules (docs/operations.md)."""
    roots = []
    for alias in ("default", "documents"):
        storage = storages[alias]
        if isinstance(storage, FileSystemStorage) and Path(storage.location) not in roots:
            roots.append(Path(storage.location))
    now = timezone.now()
    after = written_after or now - ORPHAN_WINDOW
    orphans: list[str] = []
    for root in roots:
        if not root.is_dir():
            continue
        candidates = _files_written(root, after.timestamp(), (now - grace).timestamp())
        if not candidates:
            continue
        found = sorted(set(candidates) - _names_in_rows(candidates))
        aside = Path(settings.DATA_DIR) / "orphans"
        for name in found:
            target = aside / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(root / name, target)
            logger.warning("stored file %s named by no row: moved to %s", name, target)
        orphans.extend(found)
    return orphans
