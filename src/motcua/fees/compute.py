"""The fee of a dossier: a pure function of the pinned version's fee rules and the applicant's
answers (issue 17). Money is an integer of đồng, never a float.

The answers are a small closed vocabulary that the counter's and the online form can ask:

- ``applicant``: ``citizen`` (cá nhân) or ``organization`` (tổ chức) — a rule may apply to one
  kind only;
- ``copies``: how many copies (bản) of the result are asked for — a rule ``per`` ``copy`` is
  charged for each;
- ``exemption``: one reason for exemption or none (``EXEMPTIONS``). A rule lists the reasons
  that exempt from it: the line is kept, at 0 đ, naming the reason (Luật Phí và lệ phí 2015
  Điều 10: the exempt and reduced cases are set per fee by the regulation that sets it).

Without any rule, the version's plain ``fee`` is the one line (its kind not stated).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

KINDS = {"phi": _("Phí"), "le_phi": _("Lệ phí")}
PER = ("dossier", "copy")
APPLICANTS = ("any", "citizen", "organization")
EXEMPTIONS = {
    "nguoi_co_cong": _("Người có công với cách mạng"),
    "ho_ngheo": _("Hộ nghèo"),
    "tre_em": _("Trẻ em"),
    "dan_toc_thieu_so": _("Người dân tộc thiểu số ở vùng đặc biệt khó khăn"),
}
MAX_COPIES = 50


@dataclass(frozen=True)
class FeeRuleSpec:
    kind: str  # "phi" | "le_phi"
    amount: int  # đồng, per dossier or per copy
    per: str = "dossier"
    applicant: str = "any"
    exemptions: tuple[str, ...] = ()
    legal_basis: str = ""
    label: str = ""  # what the line is for ("Lệ phí cấp phiếu lý lịch tư pháp")
    pay_first: bool = False  # paid before processing (issue 17, "Chờ thanh toán")


@dataclass(frozen=True)
class FeeAnswers:
    applicant: str = "citizen"
    copies: int = 1
    exemption: str = ""


@dataclass(frozen=True)
class FeeLine:
    kind: str
    label: str
    amount: int
    legal_basis: str = ""
    exempt: str = ""  # the exemption's label when exempted (amount 0)

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "label": self.label,
            "amount": self.amount,
            "legal_basis": self.legal_basis,
            "exempt": self.exempt,
        }


@dataclass(frozen=True)
class FeeAssessment:
    lines: tuple[FeeLine, ...] = field(default_factory=tuple)

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


def answers_check(answers: FeeAnswers) -> list[tuple[str, str]]:
    """(field, problem) for each answer outside the vocabulary."""
    problems: list[tuple[str, str]] = []
    if answers.applicant not in ("citizen", "organization"):
        problems.append(("applicant", str(_("phải là citizen hoặc organization"))))
    if not 1 <= answers.copies <= MAX_COPIES:
        problems.append(("copies", str(_("số bản từ 1 đến %(n)s")) % {"n": MAX_COPIES}))
    if answers.exemption and answers.exemption not in EXEMPTIONS:
        problems.append(("exemption", str(_("lý do miễn không có trong danh mục"))))
    return problems


def fee_compute(
    rules: Sequence[FeeRuleSpec], default_fee: int, answers: FeeAnswers
) -> FeeAssessment:
    """The lines and total owed. Rules for another applicant kind are left out; a rule that
    the answered exemption exempts from stays as a 0 đ line naming it."""
    if not rules:
        if default_fee <= 0:
            return FeeAssessment(())
        # Its label left empty: pages print "Phí, lệ phí" in the reader's language.
        return FeeAssessment((FeeLine("", "", default_fee),))
    lines: list[FeeLine] = []
    for rule in rules:
        if rule.applicant not in ("any", answers.applicant):
            continue
        label = rule.label or str(KINDS.get(rule.kind, rule.kind))
        if answers.exemption and answers.exemption in rule.exemptions:
            lines.append(
                FeeLine(rule.kind, label, 0, rule.legal_basis, str(EXEMPTIONS[answers.exemption]))
            )
            continue
        amount = rule.amount * (answers.copies if rule.per == "copy" else 1)
        lines.append(FeeLine(rule.kind, label, amount, rule.legal_basis))
    return FeeAssessment(tuple(lines))
