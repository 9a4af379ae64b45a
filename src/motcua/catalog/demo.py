"""The demonstration catalogue: agencies of Đắk Nông (until 30/6/2025) and of Lâm Đồng
after the merger, and the procedures they handle (``demo_data/catalog.json``)."""

from __future__ import annotations

import json
from pathlib import Path

from motcua.catalog.services import catalog_import
from motcua.core.demo import Login, Progress

DEMO_FILE = Path(__file__).with_name("demo_data") / "catalog.json"


def load(progress: Progress) -> list[Login]:
    """Import the demo catalogue (idempotent: a second run changes nothing)."""
    document = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    summary = catalog_import(document, actor="demo")
    progress(
        f"Danh mục thủ tục: {len(document['agencies'])} cơ quan, "
        f"{len(document['procedures'])} phiên bản thủ tục "
        f"({summary.versions_created} mới)."
    )
    return []
