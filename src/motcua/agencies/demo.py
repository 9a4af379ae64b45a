"""The demonstration letterheads (``demo_data/letterheads.csv``): what the documents of the
demo catalogue's agencies print — UBND tỉnh Đắk Nông (place "Đắk Nông") until 30/6/2025,
UBND tỉnh Lâm Đồng ("Lâm Đồng") after the merger, each district and commune under its own
name, the departments' short names and abbreviations, the provincial social insurance under
"Bảo hiểm xã hội Việt Nam". And the one-stop units' contacts (``demo_data/contacts.csv``:
addresses, hours and phones made up for the demonstration, e-mails at example.vn). Loaded
after the catalogue (its agencies must exist)."""

from __future__ import annotations

from pathlib import Path

from motcua.agencies.contacts import agency_contacts_import
from motcua.agencies.letterhead_import import letterheads_import
from motcua.core.demo import Login, Progress

DEMO_FILE = Path(__file__).with_name("demo_data") / "letterheads.csv"
CONTACTS_FILE = Path(__file__).with_name("demo_data") / "contacts.csv"


def load(progress: Progress) -> list[Login]:
    """Import the demo letterheads (idempotent)."""
    written, unchanged = letterheads_import(DEMO_FILE)
    progress(f"Thể thức văn bản: {written} dòng mới hoặc đổi, {unchanged} không đổi.")
    written, unchanged = agency_contacts_import(CONTACTS_FILE)
    progress(f"Địa chỉ liên hệ: {written} dòng mới hoặc đổi, {unchanged} không đổi.")
    return []
