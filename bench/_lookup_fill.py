"""Helper of bench/lookup_load.py, run in its own process with the bench's environment:
migrate the throwaway database and submit + accept N dossiers through the services; prints
one ``code secret`` line per dossier."""

from __future__ import annotations

import sys
from decimal import Decimal


def main(count: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)

    from motcua.agencies.models import Agency, AgencyKind, Level
    from motcua.catalog.models import DurationUnit, Field, OnlineLevel, Procedure, ProcedureVersion
    from motcua.core.text import fold
    from motcua.dossiers.applicants import Applicant
    from motcua.dossiers.services import dossier_accept, dossier_handover, dossier_submit

    province = Agency.objects.create(
        code="000.00.00.H18", name="UBND tỉnh", level=Level.PROVINCE, kind="people_committee"
    )
    province.path = f"/{province.pk}/"
    province.save(update_fields=["path"])
    center = Agency.objects.create(
        code="000.00.01.H18",
        name="Trung tâm Phục vụ hành chính công",
        level=Level.PROVINCE,
        kind=AgencyKind.SERVICE_CENTER,
        parent=province,
    )
    center.path = f"{province.path}{center.pk}/"
    center.save(update_fields=["path"])
    justice = Agency.objects.create(
        code="000.00.19.H18", name="Sở Tư pháp", level=Level.PROVINCE, parent=province
    )
    justice.path = f"{province.path}{justice.pk}/"
    justice.save(update_fields=["path"])
    name = "Cấp phiếu lý lịch tư pháp"
    version = ProcedureVersion.objects.create(
        procedure=Procedure.objects.create(code="2.000488"),
        name=name,
        search_text=fold(name),
        field=Field.objects.create(name="Lý lịch tư pháp"),
        agency=justice,
        level=Level.PROVINCE,
        duration=Decimal(10),
        unit=DurationUnit.WORKING_DAYS,
        online=OnlineLevel.FULL,
    )
    for i in range(count):
        applicant = Applicant(kind="citizen", name=f"Nguyễn Văn Thử {i}")
        dossier = dossier_submit(procedure_version=version, applicant=applicant, actor="bench")
        dossier = dossier_accept(dossier=dossier, actor="bench", receiving_unit=center)
        if i % 2:
            dossier_handover(dossier=dossier, actor="bench", to_unit="Phòng Hành chính tư pháp")
        sys.stdout.write(f"{dossier.code} {dossier.secret}\n")


if __name__ == "__main__":
    main(int(sys.argv[1]))
