"""Imports of dossier histories and guidance contacts from an earlier system.

Public API (used by the CLI and by other parts, e.g. the reports' demo generator):
``import_dossier_records``, ``import_dossier_file``, ``import_guidance_records``,
``import_guidance_file``, ``ImportResult``, ``ImportFailed``; the pure per-record rules are in
``motcua.dossiers.importing.history`` (``history_check``, ``history_compute`` over a
``CatalogueSnapshot`` from ``catalogue_snapshot_load()`` and a ``LegalClock``).
"""

from motcua.dossiers.importing.dossiers import (
    ImportResult,
    catalogue_snapshot_load,
    import_dossier_file,
    import_dossier_records,
)
from motcua.dossiers.importing.guidance import import_guidance_file, import_guidance_records
from motcua.dossiers.importing.lines import ImportFailed, LineError

__all__ = [
    "ImportFailed",
    "ImportResult",
    "LineError",
    "catalogue_snapshot_load",
    "import_dossier_file",
    "import_dossier_records",
    "import_guidance_file",
    "import_guidance_records",
]
