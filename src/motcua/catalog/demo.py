"""The demonstration catalogue: agencies of Đắk Nông (until 30/6/2025) and of Lâm Đồng
after the merger, and the procedures they handle (``demo_data/catalog.json``).

Agency codes follow the QCVN 102:2016/BTTTT shape ``000.LL.DD.Hpp``: ``Hpp`` the province
(H18 for Đắk Nông as in domain.md's example, H38 chosen for Lâm Đồng — neither checked
against the published code list, which was not available offline), ``DD`` the department or
district (00 for the People's Committee, 02–20 departments, 31–36 districts, 40 Bảo hiểm xã
hội; 60 groups the new communes of the Đắk Nông area in Lâm Đồng), ``LL`` a unit or commune
inside it (01 the one-stop unit or first office, 21+ communes under a district).

History encoded in the file:
- until 28/02/2025 Đắk Nông's departments as in the seed report (Q3 2022);
- from 01/03/2025 the provincial mergers: Sở Nông nghiệp và Môi trường (NN&PTNT + TN&MT),
  Sở Tài chính absorbs Kế hoạch và Đầu tư, Sở Xây dựng absorbs Giao thông Vận tải, Sở Nội
  vụ absorbs Lao động - Thương binh và Xã hội, Sở Khoa học và Công nghệ absorbs Thông tin
  và Truyền thông; each old department has ``valid_to`` 2025-02-28 and a ``successor``;
- from 01/07/2025 Đắk Nông is part of Lâm Đồng and districts are abolished: every Đắk Nông
  agency ends on 2025-06-30 with a Lâm Đồng successor; a district's successor is the new
  commune or ward where its seat was (its other tasks went to the province or to other
  communes, which one link cannot express).
Online services of 2022: 93 Đắk Nông services in force on 31/8/2022 offer partial or full online
service and 58 of them are flagged ``national_portal`` (the seed's section V 2.1.5, 62 %); the 35
added for that are level 3/4 services published on the provincial portal only, without a
Lâm Đồng continuation. Eight provincial procedures without online service in 2022 (land,
environment, minerals, construction, arbitration, electricity: services that needed the
applicant in person then) make 105 procedures in force on 31/8/2022, of which 4 had online
dossiers resolved (section V 2.2.2, "3,8 % TTHC được giải quyết trực tuyến").
Procedure versions end with their agency and continue, for most procedures, as a new version
under the successor. National procedure codes and names follow the national database as far
as remembered (2.000488 is exact); durations, fees and workflows are realistic, not copied.
"""

from __future__ import annotations

import json
from pathlib import Path

from motcua.catalog.guides import procedure_guides_import
from motcua.catalog.services import catalog_import
from motcua.core.demo import Login, Progress

DEMO_FILE = Path(__file__).with_name("demo_data") / "catalog.json"
# Conditions, steps and blank forms of three procedures (criminal record certificate, birth
# registration, household business), for every version in force: the forms are drawn for
# the demonstration after the official ones, whose numbers they carry as remembered.
GUIDES_DIR = Path(__file__).with_name("demo_data") / "guides"


def load(progress: Progress) -> list[Login]:
    """Import the demo catalogue (idempotent: a second run changes nothing)."""
    document = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    summary = catalog_import(document, actor="demo")
    progress(
        f"Danh mục thủ tục: {len(document['agencies'])} cơ quan, "
        f"{len(document['procedures'])} phiên bản thủ tục "
        f"({summary.versions_created} mới)."
    )
    changed, unchanged = procedure_guides_import(GUIDES_DIR, actor="demo")
    progress(f"Hướng dẫn thủ tục: {changed} phiên bản cập nhật, {unchanged} không đổi.")
    return []
