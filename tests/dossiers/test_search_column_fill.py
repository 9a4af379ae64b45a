"""Migration dossiers.0004 fills the folded-name search column of the dossiers already there."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from motcua.dossiers.models import Dossier
from tests.reports.builders import agency, dossier, procedure

pytestmark = pytest.mark.django_db(transaction=False)


def test_fill_writes_every_rows_folded_name() -> None:
    pv = procedure(agency("000.00.19.H18", "Sở Tư pháp"))
    names = ["Trịnh Thị Hoa", "NGUYỄN  Văn-Đức", ""]
    made = [dossier(pv, received="2025-02-03T02:00") for _ in names]
    for d, n in zip(made, names, strict=True):
        Dossier.objects.filter(pk=d.pk).update(applicant_name=n)
    Dossier.objects.update(applicant_search="")  # as right after the column was added
    migration = importlib.import_module("motcua.dossiers.migrations.0004_desk_and_search")
    # The function only uses the editor's connection (SQLite refuses a schema editor inside
    # the test's transaction).
    migration.fill_applicant_search(apps, SimpleNamespace(connection=connection))
    got = dict(Dossier.objects.values_list("pk", "applicant_search"))
    assert [got[d.pk] for d in made] == [" trinh thi hoa", " nguyen van duc", " "]
