"""The fee as a pure function of the rules and the answers."""

from __future__ import annotations

from motcua.core.formatting import vn_money
from motcua.fees.compute import FeeAnswers, FeeRuleSpec, answers_check, fee_compute

RULES = [
    FeeRuleSpec("le_phi", 200_000, exemptions=("nguoi_co_cong", "tre_em"), label="Lệ phí"),
    FeeRuleSpec("phi", 5_000, per="copy", applicant="citizen", label="Phí bản sao"),
    FeeRuleSpec("phi", 300_000, applicant="organization", label="Phí thẩm định"),
]


def test_a_citizen_pays_the_charge_and_each_copy() -> None:
    fee = fee_compute(RULES, 0, FeeAnswers(applicant="citizen", copies=3))
    assert [(line.label, line.amount) for line in fee.lines] == [
        ("Lệ phí", 200_000),
        ("Phí bản sao", 15_000),
    ]
    assert fee.total == 215_000


def test_an_organisation_gets_its_own_lines() -> None:
    fee = fee_compute(RULES, 0, FeeAnswers(applicant="organization", copies=2))
    assert [line.amount for line in fee.lines] == [200_000, 300_000]
    assert fee.total == 500_000


def test_an_exemption_keeps_the_line_at_zero_and_names_the_reason() -> None:
    fee = fee_compute(RULES, 0, FeeAnswers(copies=1, exemption="nguoi_co_cong"))
    assert fee.lines[0].amount == 0
    assert fee.lines[0].exempt == "Người có công với cách mạng"
    # Not exempt from the other line.
    assert fee.total == 5_000


def test_an_exemption_the_rule_does_not_list_changes_nothing() -> None:
    fee = fee_compute(RULES, 0, FeeAnswers(copies=1, exemption="ho_ngheo"))
    assert fee.total == 205_000
    assert not any(line.exempt for line in fee.lines)


def test_without_rules_the_versions_plain_fee_is_the_one_line() -> None:
    assert fee_compute([], 50_000, FeeAnswers()).total == 50_000
    assert fee_compute([], 0, FeeAnswers()).lines == ()


def test_answers_outside_the_vocabulary_are_named() -> None:
    problems = answers_check(FeeAnswers(applicant="alien", copies=0, exemption="vip"))
    assert [field for field, _ in problems] == ["applicant", "copies", "exemption"]
    assert answers_check(FeeAnswers()) == []


def test_money_prints_vietnamese_style() -> None:
    assert vn_money(1_200_000) == "1.200.000 đ"
    assert vn_money(0) == "0 đ"
