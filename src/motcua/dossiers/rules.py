"""Who may do what to a dossier, and when: the one rule table.

Every change of a dossier is an ``Action``. ``RULES`` says, for each, the statuses it leaves
from, the desk that takes it (who, relative to the dossier) and the roles at that desk, and
the workflow step it belongs to. ``dossier_actions(actor, dossier)`` answers "what may this
person do now"; ``action_refusal`` says why not. Every service guards with
``require_action`` (its only guard), the staff pages show exactly ``dossier_actions`` (the
primary action first) and the API lists them: the web, the API, commands and imports get
the same answer from the same code (``tests/dossiers/test_rules_table.py`` checks them all).

The desks (ND 118/2025 Điều 8, 19; TT 01/2018 mẫu 06):

- ``INTAKE``: the one-stop unit that checks an online dossier before it is received (its
  counter staff, centre managers and the centre's leaders), for the procedures of the
  people's committee it serves at its level.
- ``RECEIVING``: the one-stop unit that received the dossier; it returns the result.
- ``HOLDER``: the unit holding the dossier's current step (``services.holder``): its staff,
  the leaders of that unit or of an agency above it; when the step's unit is not in the
  register, the competent agency's staff.
- ``DECIDER``: a specialist or leader of the competent agency, holding the current step.
- ``SIGNER``: a leader of the competent agency holding the current step (decisions that the
  agency signs: a refusal, a stop, an apology with a new appointment). ``FINISH`` is signed
  too: in a workflow with a signing step (``StepKind.SIGN``) the result is recorded only at
  the last of them (``decision_step``), by a leader; a workflow without one leaves the result
  to the ``DECIDER`` holding the dossier.
- ``APPLICANT``: the citizen or business that owns an online dossier (the portal).

Cases the law leaves open, decided here:

- **Withdrawal** while the dossier is processed is recorded by the unit holding it, not by
  the counter: the control slip must show who stopped the work, and the holder is the one
  who has the papers. An applicant who asks at the counter gives a written request there,
  which the counter passes to the holding unit (the dossier page names it). Before
  acceptance, the one-stop unit that checks the online dossier records it.
- **Stop** (form 05) is a decision the agency signs: the leader of the competent agency
  holding the dossier; the worker stops dossiers whose supplement never came (ND 118/2025
  Điều 19.5), and those whose fee, owed before processing, was not paid by the last day
  ("Chờ thanh toán", issue 17): nobody holds such a dossier (its work has not started), so
  only the worker stops it (``Desk.WORKER``), and not before the day after the last day.
- **Withdrawal while waiting for the fee** ("Chờ thanh toán") is asked by the applicant on
  the portal or at the counter that received the dossier: its work has not started, so no
  unit holds it.
- **A supplement that arrives** is received by the holding unit or by the one-stop unit that
  received the dossier (the applicant brings it to the counter).
- **Sending back**: at a signing step the leader returns the dossier to the step before
  (with a reason), instead of signing.

Actors that are not people (the worker, imports, scripts: ``actor`` a label or None) are not
desks: only the statuses apply to them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.agencies.queries import agency_subtree, scope_root
from motcua.catalog.models import StepKind, WorkflowStep
from motcua.core.access import staff_profile
from motcua.core.audit import Actor
from motcua.core.formatting import vn_date
from motcua.core.models import Role
from motcua.dossiers.classify import local_date
from motcua.dossiers.errors import ActorNotAllowed, DossierError, TransitionError
from motcua.dossiers.models import DELIVERABLE_ENDS, Dossier, EndKind, Status
from motcua.dossiers.queries import dossier_pay_by
from motcua.dossiers.scope import (
    DECIDE_ROLES,
    WRITE_ROLES,
    can_decide,
    counter_receives,
    works_at_counter,
)
from motcua.dossiers.services.holder import LEADING_ROLES, dossier_holder, holds_step


class Action(enum.StrEnum):
    """Every change of a dossier after it exists, in the order a page offers them."""

    ACCEPT = "accept"
    RECEIVE_SUPPLEMENT = "receive_supplement"
    FINISH = "finish"
    HANDOVER = "handover"
    SEND_BACK = "send_back"
    DELIVER = "deliver"
    REQUEST_COMPLETION = "request_completion"
    COMPLETE = "complete"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUBMIT_SUPPLEMENT = "submit_supplement"
    EXTEND = "extend"
    REFUSE = "refuse"
    REJECT = "reject"
    STOP = "stop"
    WITHDRAW = "withdraw"
    DIGITISE = "digitise"


class PaymentAction(enum.StrEnum):
    """Collecting a dossier's fee (issue 17, ``fees``): recorded beside the dossier, its
    status unchanged, so not among the dossier's actions (pages and the API list those);
    the same desks and statuses decide, through ``payment_refusal``."""

    COLLECT_FEE = "collect_fee"
    PAY_ONLINE = "pay_online"
    # Nothing left to pay of a fee owed before processing: the dossier leaves "Chờ thanh
    # toán" (``services.dossier_payment_settle``), by whoever's payment settled it.
    SETTLE = "settle"


class Desk(enum.StrEnum):
    INTAKE = "intake"
    RECEIVING = "receiving"
    HOLDER = "holder"
    DECIDER = "decider"
    SIGNER = "signer"
    APPLICANT = "applicant"
    # Not a person: the worker's scans (a person is never at this desk).
    WORKER = "worker"


COUNTER_SIDE = frozenset({Role.COUNTER_CLERK, Role.CENTER_MANAGER, Role.LEADER})
LEADERS = frozenset({Role.LEADER})


@dataclass(frozen=True)
class Rule:
    """One way to take ``action``: from ``statuses``, at ``desk``, by ``roles``; ``step`` the
    kind of workflow step it belongs to (None: any)."""

    action: Action | PaymentAction
    statuses: frozenset[str]
    desk: Desk
    roles: frozenset[str]
    step: StepKind | None = None


def _s(*statuses: Status) -> frozenset[str]:
    return frozenset(s.value for s in statuses)


OPEN = _s(Status.PROCESSING, Status.SUPPLEMENT_REQUESTED)
INTAKE = _s(Status.SUBMITTED, Status.NEEDS_COMPLETION)

RULES: tuple[Rule, ...] = (
    Rule(Action.ACCEPT, _s(Status.SUBMITTED), Desk.INTAKE, COUNTER_SIDE, StepKind.RECEIVE),
    Rule(
        Action.REQUEST_COMPLETION, _s(Status.SUBMITTED), Desk.INTAKE, COUNTER_SIDE, StepKind.RECEIVE
    ),
    Rule(Action.REJECT, INTAKE, Desk.INTAKE, COUNTER_SIDE, StepKind.RECEIVE),
    Rule(Action.COMPLETE, _s(Status.NEEDS_COMPLETION), Desk.APPLICANT, frozenset()),
    Rule(Action.COMPLETE, _s(Status.NEEDS_COMPLETION), Desk.INTAKE, COUNTER_SIDE),
    Rule(Action.WITHDRAW, INTAKE, Desk.APPLICANT, frozenset()),
    Rule(Action.WITHDRAW, INTAKE, Desk.INTAKE, COUNTER_SIDE),
    Rule(Action.WITHDRAW, OPEN, Desk.HOLDER, WRITE_ROLES),
    # Waiting for a fee owed before processing (issue 17): no unit holds the dossier yet.
    Rule(Action.WITHDRAW, _s(Status.AWAITING_PAYMENT), Desk.APPLICANT, frozenset()),
    Rule(Action.WITHDRAW, _s(Status.AWAITING_PAYMENT), Desk.RECEIVING, COUNTER_SIDE),
    Rule(Action.HANDOVER, _s(Status.PROCESSING, Status.RESULT_READY), Desk.HOLDER, WRITE_ROLES),
    Rule(Action.SEND_BACK, _s(Status.PROCESSING), Desk.HOLDER, LEADING_ROLES, StepKind.SIGN),
    Rule(Action.REQUEST_SUPPLEMENT, _s(Status.PROCESSING), Desk.HOLDER, WRITE_ROLES),
    # The applicant sends the supplement online; the clock stays stopped until staff receive it.
    Rule(Action.SUBMIT_SUPPLEMENT, _s(Status.SUPPLEMENT_REQUESTED), Desk.APPLICANT, frozenset()),
    Rule(Action.RECEIVE_SUPPLEMENT, _s(Status.SUPPLEMENT_REQUESTED), Desk.HOLDER, WRITE_ROLES),
    Rule(Action.RECEIVE_SUPPLEMENT, _s(Status.SUPPLEMENT_REQUESTED), Desk.RECEIVING, COUNTER_SIDE),
    Rule(Action.EXTEND, _s(Status.PROCESSING), Desk.SIGNER, LEADERS),
    Rule(Action.FINISH, _s(Status.PROCESSING), Desk.DECIDER, DECIDE_ROLES, StepKind.SIGN),
    Rule(Action.REFUSE, OPEN, Desk.SIGNER, LEADERS),
    Rule(Action.STOP, OPEN, Desk.SIGNER, LEADERS),
    # The fee owed before processing not paid by the last day (``queries.dossier_pay_by``):
    # the worker stops the dossier (``services.dossiers_stop_unpaid``).
    Rule(Action.STOP, _s(Status.AWAITING_PAYMENT), Desk.WORKER, frozenset()),
    # The result, or a refused or withdrawn dossier's notice and papers (``DELIVERABLE_ENDS``),
    # handed back once by the counter that received it.
    Rule(
        Action.DELIVER,
        _s(Status.RESULT_READY, Status.REFUSED, Status.WITHDRAWN),
        Desk.RECEIVING,
        COUNTER_SIDE,
        StepKind.RETURN,
    ),
    # ND 118/2025: a paper part is digitised at intake; one scanned later (a page forgotten, a
    # scanner down) is added by the counter that received it or the unit holding the dossier,
    # while it is not ended.
    Rule(Action.DIGITISE, OPEN, Desk.RECEIVING, COUNTER_SIDE),
    Rule(Action.DIGITISE, OPEN, Desk.HOLDER, WRITE_ROLES),
)

LABELS: dict[Action, Promise] = {
    Action.ACCEPT: gettext_lazy("Tiếp nhận hồ sơ trực tuyến"),
    Action.REQUEST_COMPLETION: gettext_lazy("Yêu cầu hoàn thiện trước khi tiếp nhận"),
    Action.COMPLETE: gettext_lazy("Nộp bổ sung, hoàn thiện"),
    Action.REJECT: gettext_lazy("Từ chối tiếp nhận"),
    Action.WITHDRAW: gettext_lazy("Người nộp rút hồ sơ"),
    Action.HANDOVER: gettext_lazy("Chuyển bước tiếp theo"),
    Action.SEND_BACK: gettext_lazy("Trả lại bước trước để xử lý lại"),
    Action.REQUEST_SUPPLEMENT: gettext_lazy("Yêu cầu bổ sung"),
    Action.SUBMIT_SUPPLEMENT: gettext_lazy("Gửi hồ sơ bổ sung trực tuyến"),
    Action.RECEIVE_SUPPLEMENT: gettext_lazy("Nhận hồ sơ bổ sung"),
    Action.EXTEND: gettext_lazy("Gia hạn, thư xin lỗi"),
    Action.FINISH: gettext_lazy("Hoàn thành, có kết quả"),
    Action.REFUSE: gettext_lazy("Trả lại hồ sơ (không đủ điều kiện)"),
    Action.STOP: gettext_lazy("Dừng giải quyết"),
    Action.DELIVER: gettext_lazy("Trả kết quả cho người nộp"),
    Action.DIGITISE: gettext_lazy("Số hóa thành phần hồ sơ"),
}
SIGN_LABEL = gettext_lazy("Duyệt, ký — có kết quả")
HANDBACK_LABEL = gettext_lazy("Trả thông báo và hồ sơ cho người nộp")
# What a refusal says was wanted (``Không thể %(action)s``), in the services' own words.
VERBS: dict[Action, Promise] = {
    Action.ACCEPT: gettext_lazy("tiếp nhận hồ sơ"),
    Action.REQUEST_COMPLETION: gettext_lazy("yêu cầu hoàn thiện hồ sơ"),
    Action.COMPLETE: gettext_lazy("nộp bổ sung, hoàn thiện"),
    Action.REJECT: gettext_lazy("từ chối tiếp nhận"),
    Action.WITHDRAW: gettext_lazy("rút hồ sơ"),
    Action.HANDOVER: gettext_lazy("chuyển hồ sơ"),
    Action.SEND_BACK: gettext_lazy("trả lại bước trước"),
    Action.REQUEST_SUPPLEMENT: gettext_lazy("yêu cầu bổ sung hồ sơ"),
    Action.SUBMIT_SUPPLEMENT: gettext_lazy("gửi hồ sơ bổ sung"),
    Action.RECEIVE_SUPPLEMENT: gettext_lazy("nhận hồ sơ bổ sung"),
    Action.EXTEND: gettext_lazy("gia hạn giải quyết"),
    Action.FINISH: gettext_lazy("hoàn thành hồ sơ"),
    Action.REFUSE: gettext_lazy("trả lại hồ sơ"),
    Action.STOP: gettext_lazy("dừng giải quyết hồ sơ"),
    Action.DELIVER: gettext_lazy("trả kết quả"),
    Action.DIGITISE: gettext_lazy("số hóa thành phần hồ sơ"),
}


@dataclass(frozen=True)
class Standing:
    """What an actor is to one dossier, as the desks need it (computed once a question)."""

    person: bool
    role: str | None = None
    owner: bool = False
    intake: bool = False
    receiving: bool = False
    holds: bool = False
    decides: bool = False
    at_decision_step: bool = False
    has_decision_step: bool = False
    at_sign_step: bool = False
    has_earlier_step: bool = False

    def at(self, desk: Desk) -> bool:
        if not self.person:
            return True  # the worker, imports, scripts: not desks
        if desk == Desk.WORKER:
            return False
        if desk == Desk.APPLICANT:
            return self.owner
        if desk == Desk.INTAKE:
            return self.intake
        if desk == Desk.RECEIVING:
            return self.receiving
        if desk == Desk.HOLDER:
            return self.holds
        # A decision: the competent agency's, by whoever holds the dossier.
        return self.holds and self.decides


def decision_step(
    dossier: Dossier, steps: Iterable[WorkflowStep] | None = None
) -> WorkflowStep | None:
    """The step of the pinned workflow at which the result is recorded: its last signing step
    (None when it has none)."""
    if steps is None:
        steps = dossier.procedure_version.steps.all()
    signing = [s for s in steps if s.kind == StepKind.SIGN]
    return max(signing, key=lambda s: s.position) if signing else None


def _receiving(role_ok: bool, user: User, dossier: Dossier) -> bool:
    """The one-stop unit that received the dossier: its counter staff (ND 118/2025 Điều 8)."""
    profile = staff_profile(user)
    if not role_ok or not works_at_counter(profile):
        return False
    assert profile is not None
    if dossier.receiving_unit_id is None:
        return counter_receives(profile, dossier.agency_id, dossier.level)
    if dossier.receiving_unit_id == profile.agency_id:
        return True  # its own unit, in its subtree whatever the root: no query
    return agency_subtree(scope_root(profile.agency)).filter(pk=dossier.receiving_unit_id).exists()


def actor_standing(actor: Actor, dossier: Dossier) -> Standing:
    """The facts about ``actor`` and ``dossier`` that the rules read: a few queries, once."""
    if not isinstance(actor, User) or not actor.is_authenticated:
        return Standing(person=False)
    profile = staff_profile(actor)
    if profile is None:
        return Standing(person=True, owner=dossier.owner_id == actor.pk)
    role = str(profile.role)
    if role not in WRITE_ROLES:
        return Standing(person=True, role=role)
    status = dossier.status
    steps = list(dossier.procedure_version.steps.all())
    deciding = decision_step(dossier, steps)
    current = dossier.current_step_id
    current_step = next((s for s in steps if s.pk == current), None)
    counter_side = role in COUNTER_SIDE
    return Standing(
        person=True,
        role=role,
        intake=status in INTAKE
        and counter_side
        and counter_receives(profile, dossier.agency_id, dossier.level),
        receiving=status
        in (*OPEN, Status.AWAITING_PAYMENT, Status.RESULT_READY, Status.REFUSED, Status.WITHDRAWN)
        and _receiving(counter_side, actor, dossier),
        holds=status in (*OPEN, Status.RESULT_READY) and holds_step(actor, dossier),
        decides=role in DECIDE_ROLES and can_decide(actor, dossier),
        at_decision_step=deciding is not None and current == deciding.pk,
        has_decision_step=deciding is not None,
        at_sign_step=current_step is not None and current_step.kind == StepKind.SIGN,
        has_earlier_step=current_step is not None
        and any(s.position < current_step.position for s in steps),
    )


def _step_fits(rule: Rule, standing: Standing) -> bool:
    """Whether the dossier is at the workflow step ``rule`` belongs to (where that binds)."""
    if not standing.person:
        return True
    if rule.action == Action.FINISH:
        # The result is recorded at the decision step, by a leader; without one, by the
        # competent agency's specialist or leader holding the dossier.
        if standing.has_decision_step:
            return standing.at_decision_step and standing.role in LEADERS
        return True
    if rule.action == Action.SEND_BACK:
        return standing.at_sign_step and standing.has_earlier_step
    return True


def _state_refusal(action: Action, dossier: Dossier) -> DossierError | None:
    """What the dossier's own record forbids whoever asks (besides its status)."""
    if action == Action.EXTEND and dossier.extension_count >= 1:
        # ND 118/2025 Điều 19.6: one apology and one new appointment only.
        return TransitionError(
            _("Hồ sơ %(code)s đã được gia hạn một lần; không được gia hạn lần nữa.")
            % {"code": dossier.code}
        )
    if action == Action.DELIVER and (
        dossier.delivered_at is not None
        or dossier.received_at is None
        or dossier.end_kind not in DELIVERABLE_ENDS
    ):
        # Handed back once (domain.md §6); a dossier withdrawn before it was received holds
        # no papers at the counter.
        return TransitionError(
            _("Hồ sơ %(code)s không có kết quả hoặc giấy tờ chờ trả cho người nộp.")
            % {"code": dossier.code}
        )
    if action == Action.STOP and dossier.status == Status.AWAITING_PAYMENT:
        # Issue 17: the applicant was told the last day to pay; the whole day is theirs.
        last = dossier_pay_by(dossier)  # the day told, not today's setting
        if last is None or local_date(timezone.now()) <= last:
            return TransitionError(
                _(
                    "Không thể %(action)s: hồ sơ %(code)s đang ở trạng thái “%(status)s”, còn "
                    "trong thời hạn nộp phí, lệ phí (đến hết ngày %(day)s)."
                )
                % {
                    "action": VERBS[action],
                    "code": dossier.code,
                    "status": Status(dossier.status).label,
                    "day": vn_date(last) if last else "—",
                }
            )
    return None


def _allows(rule: Rule, standing: Standing, status: str) -> bool:
    if status not in rule.statuses:
        return False
    if not standing.person:
        return True
    if rule.desk != Desk.APPLICANT and standing.role not in rule.roles:
        return False
    return standing.at(rule.desk) and _step_fits(rule, standing)


def dossier_actions(
    actor: Actor, dossier: Dossier, *, standing: Standing | None = None
) -> list[Action]:
    """What ``actor`` may do to ``dossier`` now, the primary action first."""
    standing = standing or actor_standing(actor, dossier)
    allowed = {rule.action for rule in RULES if _allows(rule, standing, dossier.status)}
    ordered = [a for a in Action if a in allowed and _state_refusal(a, dossier) is None]
    if Action.FINISH in ordered and Action.HANDOVER in ordered and not standing.at_decision_step:
        # Away from a signing step the dossier walks on first; the result is one choice more.
        ordered.remove(Action.FINISH)
        ordered.insert(ordered.index(Action.HANDOVER) + 1, Action.FINISH)
    if Action.DELIVER in ordered:
        # The result is at the counter that returns it: returning it is the point.
        ordered.remove(Action.DELIVER)
        ordered.insert(0, Action.DELIVER)
    return ordered


def action_label(action: Action, dossier: Dossier, standing: Standing | None = None) -> str:
    """The button's words: at the decision step the leader signs."""
    if action == Action.FINISH and standing is not None and standing.at_decision_step:
        return str(SIGN_LABEL)
    if action == Action.DELIVER and dossier.end_kind != EndKind.RESULT:
        return str(HANDBACK_LABEL)
    return str(LABELS[action])


def action_refusal(
    actor: Actor, dossier: Dossier, action: Action, *, standing: Standing | None = None
) -> DossierError | None:
    """Why ``actor`` may not take ``action`` on ``dossier`` now (None: they may): a
    ``TransitionError`` when no rule leaves from the dossier's status, else an
    ``ActorNotAllowed`` that names the desk that may."""
    rules = [rule for rule in RULES if rule.action == action]
    if not any(dossier.status in rule.statuses for rule in rules):
        return TransitionError(
            _("Không thể %(action)s: hồ sơ %(code)s đang ở trạng thái “%(status)s”.")
            % {
                "action": VERBS[action],
                "code": dossier.code,
                "status": Status(dossier.status).label,
            }
        )
    state = _state_refusal(action, dossier)
    if state is not None:
        return state
    standing = standing or actor_standing(actor, dossier)
    if any(_allows(rule, standing, dossier.status) for rule in rules):
        return None
    return ActorNotAllowed(_refusal_message(action, dossier, standing))


def _refusal_message(action: Action, dossier: Dossier, standing: Standing) -> str:
    values = {"code": dossier.code, "action": VERBS[action]}
    desks = {
        rule.desk for rule in RULES if rule.action == action and dossier.status in rule.statuses
    }
    if action == Action.FINISH and standing.has_decision_step and standing.holds:
        return (
            _(
                "Hồ sơ %(code)s có bước duyệt, ký: kết quả chỉ được ghi nhận ở bước đó, do lãnh "
                "đạo của cơ quan giải quyết thực hiện."
            )
            % values
        )
    if action == Action.SEND_BACK:
        return (
            _(
                "Không thể %(action)s: chỉ lãnh đạo đang giữ hồ sơ %(code)s ở bước duyệt, ký mới "
                "trả lại được bước trước."
            )
            % values
        )
    if action == Action.DIGITISE:
        return (
            _(
                "Không thể %(action)s: chỉ Bộ phận Một cửa đã tiếp nhận hồ sơ %(code)s hoặc đơn "
                "vị đang giữ hồ sơ mới thực hiện được việc này."
            )
            % values
        )
    if desks == {Desk.WORKER}:
        return (
            _(
                "Không thể %(action)s: hồ sơ %(code)s chờ nộp phí, lệ phí; hệ thống tự dừng giải "
                "quyết khi quá hạn nộp mà chưa nộp."
            )
            % values
        )
    if desks & {Desk.SIGNER}:
        return (
            _(
                "Không thể %(action)s: việc này do lãnh đạo của cơ quan giải quyết đang giữ hồ sơ "
                "%(code)s quyết định."
            )
            % values
        )
    if desks & {Desk.DECIDER}:
        return (
            _(
                "Không thể %(action)s: chỉ chuyên viên, lãnh đạo của cơ quan giải quyết đang "
                "giữ hồ sơ %(code)s mới thực hiện được việc này."
            )
            % values
        )
    if desks & {Desk.HOLDER}:
        holder = dossier_holder(dossier)
        where = (
            holder.name
            if holder is not None
            else (dossier.current_unit_name or dossier.agency.name)
        )
        return _(
            "Không thể %(action)s: hồ sơ %(code)s đang ở bước của %(unit)s; chỉ cán bộ của đơn "
            "vị đó (hoặc lãnh đạo của đơn vị) mới thực hiện được việc này."
        ) % {**values, "unit": where}
    if desks & {Desk.INTAKE, Desk.RECEIVING}:
        return (
            _(
                "Không thể %(action)s: việc này do Bộ phận Một cửa tiếp nhận hồ sơ %(code)s thực "
                "hiện."
            )
            % values
        )
    return _("Không thể %(action)s: tài khoản không có quyền với hồ sơ %(code)s.") % values


def require_action(actor: Actor, dossier: Dossier, action: Action) -> None:
    """The services' guard: raise the refusal if ``actor`` may not take ``action`` now."""
    refusal = action_refusal(actor, dossier, action)
    if refusal is not None:
        raise refusal


# Luật Phí và lệ phí 2015 Điều 6: the fee is paid when the procedure is asked for. The one-stop
# unit that received the dossier collects it (and voids its own receipts) while the dossier is
# open or its result waits; the applicant pays online from submission until it is decided.
# A procedure whose fee is paid before processing waits in "Chờ thanh toán" (issue 17): only
# these actions leave from it, so every processing action is refused until it is paid.
PAYMENT_RULES: tuple[Rule, ...] = (
    Rule(
        PaymentAction.COLLECT_FEE,
        _s(
            Status.AWAITING_PAYMENT,
            Status.PROCESSING,
            Status.SUPPLEMENT_REQUESTED,
            Status.RESULT_READY,
        ),
        Desk.RECEIVING,
        COUNTER_SIDE,
    ),
    Rule(
        PaymentAction.PAY_ONLINE,
        _s(Status.SUBMITTED, Status.NEEDS_COMPLETION, Status.AWAITING_PAYMENT, Status.PROCESSING),
        Desk.APPLICANT,
        frozenset(),
    ),
    Rule(PaymentAction.SETTLE, _s(Status.AWAITING_PAYMENT), Desk.RECEIVING, COUNTER_SIDE),
    Rule(PaymentAction.SETTLE, _s(Status.AWAITING_PAYMENT), Desk.APPLICANT, frozenset()),
)
PAYMENT_VERBS: dict[PaymentAction, Promise] = {
    PaymentAction.COLLECT_FEE: gettext_lazy("thu phí, lệ phí"),
    PaymentAction.PAY_ONLINE: gettext_lazy("thanh toán trực tuyến"),
    PaymentAction.SETTLE: gettext_lazy("bắt đầu giải quyết sau khi nộp phí, lệ phí"),
}


def payment_refusal(
    actor: Actor, dossier: Dossier, action: PaymentAction, *, standing: Standing | None = None
) -> DossierError | None:
    """Why ``actor`` may not take the payment ``action`` on ``dossier`` now (None: they may)."""
    values = {"action": PAYMENT_VERBS[action], "code": dossier.code}
    rules = [rule for rule in PAYMENT_RULES if rule.action == action]
    if not any(dossier.status in rule.statuses for rule in rules):
        return TransitionError(
            _("Không thể %(action)s: hồ sơ %(code)s đang ở trạng thái “%(status)s”.")
            % {**values, "status": Status(dossier.status).label}
        )
    standing = standing or actor_standing(actor, dossier)
    if any(_allows(rule, standing, dossier.status) for rule in rules):
        return None
    if action == PaymentAction.PAY_ONLINE:
        return ActorNotAllowed(
            _("Không thể %(action)s: chỉ người nộp hồ sơ %(code)s mới thanh toán trực tuyến.")
            % values
        )
    return ActorNotAllowed(
        _("Không thể %(action)s: việc này do Bộ phận Một cửa tiếp nhận hồ sơ %(code)s thực hiện.")
        % values
    )


def require_payment_action(actor: Actor, dossier: Dossier, action: PaymentAction) -> None:
    """The fee services' guard, as ``require_action`` is the dossier services'."""
    refusal = payment_refusal(actor, dossier, action)
    if refusal is not None:
        raise refusal
