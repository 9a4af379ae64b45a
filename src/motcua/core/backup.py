"""Backups that restore: the database and the stored files of one installation, with a
manifest of SHA-256 hashes that a restore checks before it changes anything.

A backup is a folder::

    manifest.json        format, time, database vendor, every file with its size and hash
    database.sqlite3     SQLite: a consistent copy made with SQLite's online backup API
    database.dump        PostgreSQL: ``pg_dump -Fc`` (custom format, for ``pg_restore``)
    media/...            the default storage's folder (MOTCUA_DATA_DIR/media): uploaded
                         parts, results, drafts, exports

Order matters for consistency while the server runs: the database is copied first, then
the files. A file is written before the transaction that refers to it commits (and removed
if it rolls back, see core.documents), so every file the copied database refers to is
already on disk when the files are copied; a file stored after the database copy is at
worst an unreferenced extra.

A restore refuses a target that already holds data (a dossier, a user, a stored file…)
unless ``force`` is given: restoring over a working installation is a decision, not a typo.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection, connections
from django.utils import timezone

from motcua.core.partitions import partitioned_tables_drop

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_DUMP_FILE = "database.dump"
MEDIA = "media"
# Tables that a freshly migrated, never used installation already fills.
_BOOKKEEPING_TABLES = {"django_migrations", "django_content_type", "auth_permission"}


class BackupError(Exception):
    """A backup or restore that cannot be carried out; the message says why, for the
    operator."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    vendor: str
    files: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def pg_tool(name: str) -> str:
    """The path of ``pg_dump``/``pg_restore``: on PATH, else the newest under
    /usr/lib/postgresql/*/bin (Debian installs them there, off PATH)."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: str) -> tuple[int, ...]:
        part = Path(path).parts[-3]
        return tuple(int(x) for x in part.split(".") if x.isdigit())

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    if candidates:
        return candidates[-1]
    raise BackupError(
        f"{name} not found: install the PostgreSQL client tools (e.g. postgresql-client) "
        f"or put {name} on PATH."
    )


def _pg_env(db: dict[str, Any]) -> tuple[dict[str, str], str]:
    """Environment for the PostgreSQL tools (the password never on a command line)."""
    env = {**os.environ}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env, str(db["NAME"])


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _media_root() -> Path:
    """Where the stored files are: the folder of the default storage and of the documents'
    (settings.STORAGES), which must be one folder on this disk; a bucket is backed up with
    its own tools (docs/operations.md)."""
    roots = set()
    for alias in ("default", "documents"):
        storage = storages[alias]
        if not isinstance(storage, FileSystemStorage):
            raise BackupError(
                f"the {alias} storage is {type(storage).__name__}, not a folder on this disk: "
                "motcua backup copies only local folders; back the bucket up with its own "
                "tools (versioning or replication, docs/operations.md)"
            )
        roots.add(Path(storage.location))
    if len(roots) != 1:
        raise BackupError(
            "the default and documents storages are different folders: "
            + ", ".join(sorted(map(str, roots)))
        )
    return roots.pop()


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def backup_create(
    output: Path | None = None, *, log: Callable[[str], None] = print
) -> BackupReport:
    """Back up the database of the default connection and MEDIA_ROOT into a new folder
    (``output``, by default ``MOTCUA_DATA_DIR/backups/motcua-<time>``); the running server
    may keep serving meanwhile."""
    # Refused before anything is written: stored files in a bucket are not copied here.
    root = _media_root()
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    target = Path(output) if output else Path(settings.DATA_DIR) / "backups" / f"motcua-{stamp}"
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: choose a new folder.")
    target.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    entries: list[dict[str, Any]] = []

    if vendor == "sqlite":
        db_file = target / SQLITE_FILE
        connection.ensure_connection()
        source = connection.connection
        dest = sqlite3.connect(db_file)
        try:
            # The online backup API: a consistent snapshot even while others write.
            source.backup(dest)
        finally:
            dest.close()
    elif vendor == "postgresql":
        db_file = target / PG_DUMP_FILE
        env, name = _pg_env(connection.settings_dict)
        _run(
            [pg_tool("pg_dump"), "-Fc", "--no-owner", "--no-privileges", "-f", str(db_file), name],
            env,
        )
    else:
        raise BackupError(f"database {vendor} is not supported by motcua backup")
    entries.append(
        {"path": db_file.name, "size": db_file.stat().st_size, "sha256": _sha256(db_file)}
    )
    log(f"motcua backup: cơ sở dữ liệu ({vendor}) → {db_file}")

    files = _media_files(root)
    for source_file in files:
        relative = source_file.relative_to(root)
        copy = target / MEDIA / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source_file, copy)
        entries.append(
            {
                "path": f"{MEDIA}/{relative.as_posix()}",
                "size": copy.stat().st_size,
                "sha256": _sha256(copy),
            }
        )
    log(f"motcua backup: {len(files)} tệp lưu trữ → {target / MEDIA}")

    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "vendor": vendor,
        "database": db_file.name,
        "files": entries,
    }
    (target / MANIFEST).write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    return BackupReport(path=target, vendor=vendor, files=len(files))


def _manifest_check(source: Path) -> dict[str, Any]:
    """The manifest, once every file it lists is present with its hash (and no more is
    restored than it lists)."""
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} is not a motcua backup ({MANIFEST}: {exc})") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    bad = []
    for entry in manifest["files"]:
        path = source / entry["path"]
        if not path.is_file() or _sha256(path) != entry["sha256"]:
            bad.append(entry["path"])
    if bad:
        raise BackupError(
            f"the backup is damaged: {len(bad)} file(s) missing or changed, e.g. {bad[:5]}"
        )
    return manifest


def _database_has_data() -> bool:
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor)) - _BOOKKEEPING_TABLES
        for table in sorted(tables):
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone() is not None:
                return True
    return False


def restore_target_used() -> list[str]:
    """What the current installation already holds, in words; empty when it is empty."""
    used = []
    if _database_has_data():
        used.append("the database has data")
    if _media_files(_media_root()):
        used.append(f"{_media_root()} has files")
    return used


def backup_restore(source: Path, *, force: bool = False, log: Callable[[str], None] = print) -> int:
    """Restore the backup in ``source`` into this installation's database and MEDIA_ROOT;
    return the number of files restored. Checks every hash first, so that a damaged backup
    changes nothing. Stop the server and the worker before: a restore replaces the database
    under them."""
    source = Path(source)
    manifest = _manifest_check(source)
    vendor = connection.vendor
    if manifest["vendor"] != vendor:
        raise BackupError(
            f"the backup is of a {manifest['vendor']} database, this installation uses {vendor}"
        )
    used = restore_target_used()
    if used and not force:
        raise BackupError(
            "the target installation is not empty (" + "; ".join(used) + "): restore into an "
            "empty one, or pass --force to replace its data."
        )
    db_file = source / manifest["database"]
    if vendor == "sqlite":
        connection.ensure_connection()
        src = sqlite3.connect(db_file)
        try:
            # Page by page into the live file, under SQLite's own locking: the target's
            # WAL and any open reader stay consistent.
            src.backup(connection.connection)
        finally:
            src.close()
    elif vendor == "postgresql":
        env, name = _pg_env(connection.settings_dict)
        # pg_restore --clean cannot drop a yearly partition's key on its own (it is its
        # parent's): the target's partitioned tables go first, whole; the dump re-creates them.
        partitioned_tables_drop()
        connections.close_all()
        _run(
            [
                pg_tool("pg_restore"),
                # Drops what the dump creates, so that a migrated but empty target works too.
                *("--clean", "--if-exists", "--no-owner", "--no-privileges", "--exit-on-error"),
                *("-d", name, str(db_file)),
            ],
            env,
        )
    else:
        raise BackupError(f"database {vendor} is not supported by motcua restore")
    connections.close_all()
    log(f"motcua restore: cơ sở dữ liệu ({vendor}) ← {db_file}")

    root = _media_root()
    if _media_files(root):
        # Only with --force: the files are set aside, not deleted.
        aside = root.with_name(f"{root.name}.before-restore-{dt.datetime.now():%Y%m%d-%H%M%S}")
        root.rename(aside)
        log(f"motcua restore: tệp cũ được chuyển sang {aside}")
    count = 0
    for entry in manifest["files"]:
        if not entry["path"].startswith(f"{MEDIA}/"):
            continue
        relative = Path(entry["path"]).relative_to(MEDIA)
        if relative.is_absolute() or ".." in relative.parts:
            raise BackupError(f"unsafe path in the manifest: {entry['path']}")
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / entry["path"], target)
        if _sha256(target) != entry["sha256"]:
            raise BackupError(f"{target} differs from the backup after copying")
        count += 1
    log(f"motcua restore: {count} tệp lưu trữ ← {source / MEDIA}")
    return count
