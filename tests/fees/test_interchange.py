"""``motcua import fees`` / ``export fees``: all or nothing, FILE:LINE: column: problem,
round-trip; the catalogue's JSON is untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from motcua.cli import main
from motcua.fees.interchange import FeeImportError, fees_export, fees_import_text
from motcua.fees.models import FeeRule
from tests.fees.conftest import FEE_CSV
from tests.world import World


def test_the_export_reads_back_unchanged(priced: World) -> None:
    assert fees_export() == FEE_CSV
    assert fees_import_text(fees_export()) == (0, 1)


def test_a_changed_table_replaces_the_versions_lines(priced: World) -> None:
    changed = FEE_CSV.replace("200000", "250000")
    assert fees_import_text(changed) == (1, 0)
    assert sorted(FeeRule.objects.values_list("amount", flat=True)) == [5000, 250000]


def test_any_bad_line_imports_nothing_and_each_problem_is_located(priced: World) -> None:
    FeeRule.objects.all().delete()
    bad = FEE_CSV + (
        "9.999999,2026-01-01,le_phi,,1000,dossier,any,,\n"
        "1.001234,2025-01-01,le_phi,,1000,dossier,any,,\n"
        "1.001234,2026-01-01,thue,,1.000,year,alien,vip,\n"
    )
    with pytest.raises(FeeImportError) as caught:
        fees_import_text(bad, name="fees.csv")
    assert caught.value.issues == [
        "fees.csv:4: procedure: không có thủ tục mã '9.999999'",
        "fees.csv:5: version_from: thủ tục 1.001234 không có phiên bản hiệu lực từ 2025-01-01",
        "fees.csv:6: kind: 'thue' không thuộc phi, le_phi",
        "fees.csv:6: per: 'year' không thuộc dossier, copy",
        "fees.csv:6: applicant: 'alien' không thuộc any, citizen, organization",
        "fees.csv:6: amount: '1.000' không phải số tiền (đồng, số nguyên không âm, không dấu "
        "phân cách)",
        "fees.csv:6: exemptions: 'vip' không thuộc nguoi_co_cong, ho_ngheo, tre_em, "
        "dan_toc_thieu_so",
    ]
    assert not FeeRule.objects.exists()


def test_the_commands(priced: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "fees.csv"
    assert main(["export", "fees", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == FEE_CSV
    assert main(["import", "fees", str(out)]) == 0
    assert "0 bảng phí, lệ phí được ghi, 1 không đổi" in capsys.readouterr().out
    out.write_text("procedure,amount\n", encoding="utf-8")
    assert main(["import", "fees", str(out)]) == 1
    assert f"{out}:1: thiếu cột version_from; thiếu cột kind" in capsys.readouterr().err
