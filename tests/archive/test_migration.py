"""Moving the files into the archive keeps every document a dossier or a citizen had: part
files, result files and the citizen's store become ``archive.Document`` rows naming the same
stored files (dossiers 0013, portal 0003)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from motcua.archive.models import Document
from motcua.dossiers.services import PartInput, dossier_receive
from tests.dossiers.conftest import citizen_applicant
from tests.world import world_build

OLD = [("dossiers", "0012_part_not_digitised_reason"), ("portal", "0002_password_reset")]
BEFORE = [*OLD, ("archive", None)]


@pytest.mark.django_db(transaction=True)
def test_files_become_documents_of_the_archive() -> None:
    world = world_build()
    dossier = dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
        parts=[
            PartInput(name="Tờ khai", not_digitised_reason="Trước số hóa"),
            PartInput(name="Bản sao CCCD", copies=2, not_digitised_reason="Trước số hóa"),
        ],
        owner=world.citizen,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(OLD).apps
    OldPart = old.get_model("dossiers", "DossierPart")
    OldDossier = old.get_model("dossiers", "Dossier")
    OldStored = old.get_model("portal", "StoredDocument")
    first, second = OldPart.objects.filter(dossier_id=dossier.pk).order_by("id")
    OldPart.objects.filter(pk=first.pk).update(
        file="dossiers/2026/10/to-khai.pdf", content_type="application/pdf", sha256="a" * 64
    )
    OldDossier.objects.filter(pk=dossier.pk).update(
        result_file="results/2026/10/ket-qua.pdf", result_sha256="b" * 64
    )
    OldStored.objects.create(
        owner_id=world.citizen.pk,
        name="Căn cước",
        file="store/2026/10/cccd.png",
        sha256="c" * 64,
        content_type="image/png",
        size=1234,
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    part_doc = Document.objects.get(kind="part")
    assert (part_doc.file.name, part_doc.sha256, part_doc.dossier_part_id) == (
        "dossiers/2026/10/to-khai.pdf",
        "a" * 64,
        first.pk,
    )
    assert part_doc.origin == "scan" and part_doc.holder_id_number == dossier.applicant_id_number
    assert not Document.objects.filter(dossier_part_id=second.pk).exists()  # paper only
    result = Document.objects.get(kind="result")
    assert (result.file.name, result.sha256, result.dossier_id) == (
        "results/2026/10/ket-qua.pdf",
        "b" * 64,
        dossier.pk,
    )
    assert result.owner_id == world.citizen.pk and result.in_store
    stored = Document.objects.get(kind="upload")
    assert (stored.file.name, stored.owner_id, stored.in_store, stored.size) == (
        "store/2026/10/cccd.png",
        world.citizen.pk,
        True,
        1234,
    )
