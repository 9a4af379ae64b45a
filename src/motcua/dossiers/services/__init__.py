"""Every change of a dossier: one service function per change (house style).

Each ``dossier_<verb>(*, dossier, actor, ..., expected_version=None)``:
- runs in a transaction and locks the dossier row (``select_for_update``);
- refuses a stale ``expected_version`` with ``ConflictError`` (somebody else changed the
  dossier since the form was shown) and a transition the state machine does not allow with
  ``TransitionError`` (Vietnamese message, shown as is);
- saves with ``update_fields``, bumps ``version``, appends a ``DossierEvent`` with the actor
  and the time, writes an audit row, and queues notifications: outbox rows written in the
  same transaction (a rolled-back change sends nothing), sent by the worker after commit.

Nothing else writes status or deadline fields: views, the API, commands and the worker call
these. The legal clock is ``motcua.workdays.clock`` (domain.md §5); classification is the pure
``dossiers.classify`` shared with the history import.

Choices where the rules leave room (see also the module's tests):
- The code's date (``<agency>-<YYMMDD>-<NNNN>``, domain.md §4) is the local date on which the
  system first received the dossier: the counter's receipt, or the online submission. An
  online dossier gets its code when submitted, because the portal shows it to the applicant
  then and a code must never change once shown.
- "No supplement within 15 days" counts calendar days (the law says "ngày", not "ngày làm
  việc"); the whole 15th local day is allowed. ``settings.MOTCUA["SUPPLEMENT_WAIT_DAYS"]``.
- The 3 working days for a supplement request end like a 3-working-day legal time: at the
  end of office hours of the 3rd working day after the (deemed) receipt day.
- An extension is allowed while the next working day after today is not after the due day
  (i.e. the letter goes out at least one working day before the due date).
- Finishing late does not require a reason: when none is given, it is written from the
  control-slip steps that overran their budget.
- A supplement request pauses the current control-slip step as well as the clock: its row
  is judged up to the request, and a new row with the step's full budget opens when the
  supplement arrives.
- Only the unit holding the current step (its staff, its leaders and those of the agencies
  above it) hands a dossier over, asks for a supplement; the competent agency's specialists
  and leaders among them also apologise with a new appointment, finish and return it
  unresolved (``services.holder``). Hand-overs walk the pinned workflow in order: to the
  next step, or back to the current or an earlier one for rework while it is processed;
  skipping ahead, or handing to a unit outside the workflow before its end (a row without a
  step or budget), is a leader's decision and is written on the row and in the event.
  Step units that are agency codes print as the agency's name.
- When the workflow's first step is performed by the receiving unit (its unit is that
  unit's code or name: "Tiếp nhận, kiểm tra và chuyển hồ sơ"), the dossier is in that step
  from receipt, so the control slip's first row is the one-stop unit handing to the
  competent agency for step 2 (forms.md, form 06), never "counter → counter". The first
  hand-over judges the counter's step against its budget (from receipt, or from the
  supplement's arrival) and writes the result in that first row's note; a late counter
  step counts among the steps that overran.
- The flags ``overdue`` and ``acceptance_overdue`` (set by the worker's scan) describe the
  current deadline, not a past event: a supplement request (the clock stops), the
  supplement's arrival (it restarts from zero), a completion request and the completion (the
  acceptance wait restarts) and the acceptance drop them, and the scan sets them again when
  the new deadline passes. An extension does not move the legal due date, so it does not
  touch them; an ended dossier keeps the flag it ended with.
- Files (received parts, results) are written under their final name before the row that
  names them, inside ``files.atomic_with_files``: a rollback removes them, a commit keeps
  them (the module says why not a temporary name moved on commit). A caller that wraps a
  service in its own transaction uses ``atomic_with_files`` too (the portal does).
- A dossier is received only under a procedure version, and by an agency, in force that day.
- A refusal at the counter is recorded (with a code, for form 03 and the register) but never
  received, so it counts in no period figure; likewise an online dossier withdrawn before
  acceptance.
"""

from __future__ import annotations

from motcua.archive.files import files_orphaned_set_aside
from motcua.dossiers.applicants import Applicant
from motcua.dossiers.errors import (
    ApplicantInvalid,
    ConflictError,
    DossierError,
    DuplicateExternalRef,
    TransitionError,
)
from motcua.dossiers.services.base import (
    PartFile,
    PartInput,
    dossier_code_allocate,
    dossier_secret_generate,
    numbers_given_back,
)
from motcua.dossiers.services.digitise import dossier_part_digitise
from motcua.dossiers.services.ends import (
    dossier_deliver,
    dossier_finish,
    dossier_refuse,
    dossier_stop,
    dossier_withdraw,
)
from motcua.dossiers.services.forms import dossier_form_issued
from motcua.dossiers.services.holder import (
    dossier_holder,
    handover_steps,
    holds_step,
    may_leave_workflow,
    next_step,
)
from motcua.dossiers.services.intake import (
    ExternalRef,
    dossier_accept,
    dossier_complete,
    dossier_receive,
    dossier_reject,
    dossier_reject_at_counter,
    dossier_request_completion,
    dossier_submit,
    guidance_log,
    guidance_sheet_issue,
)
from motcua.dossiers.services.postal import (
    TrackingReport,
    dossier_postal_accept,
    dossier_postal_report,
    dossier_postal_resend,
)
from motcua.dossiers.services.processing import (
    dossier_extend,
    dossier_handover,
    dossier_payment_settle,
    dossier_receive_supplement,
    dossier_request_supplement,
    dossier_send_back,
    dossier_supplement_submit,
    extension_is_late,
)
from motcua.dossiers.services.scans import (
    dossiers_flag_overdue,
    dossiers_stop_expired_supplements,
    dossiers_stop_unpaid,
)

__all__ = [
    "Applicant",
    "ApplicantInvalid",
    "ConflictError",
    "DossierError",
    "DuplicateExternalRef",
    "ExternalRef",
    "PartFile",
    "PartInput",
    "TrackingReport",
    "TransitionError",
    "dossier_accept",
    "dossier_code_allocate",
    "dossier_complete",
    "dossier_deliver",
    "dossier_extend",
    "dossier_finish",
    "dossier_form_issued",
    "dossier_handover",
    "dossier_holder",
    "dossier_part_digitise",
    "dossier_payment_settle",
    "dossier_postal_accept",
    "dossier_postal_report",
    "dossier_postal_resend",
    "dossier_receive",
    "dossier_receive_supplement",
    "dossier_refuse",
    "dossier_reject",
    "dossier_reject_at_counter",
    "dossier_request_completion",
    "dossier_request_supplement",
    "dossier_secret_generate",
    "dossier_send_back",
    "dossier_stop",
    "dossier_submit",
    "dossier_supplement_submit",
    "dossier_withdraw",
    "dossiers_flag_overdue",
    "dossiers_stop_expired_supplements",
    "dossiers_stop_unpaid",
    "extension_is_late",
    "files_orphaned_set_aside",
    "guidance_log",
    "guidance_sheet_issue",
    "handover_steps",
    "holds_step",
    "may_leave_workflow",
    "next_step",
    "numbers_given_back",
]
