"""``motcua import dossiers`` and ``import_dossier_records``: validation first, all or nothing,
idempotent, and dossiers that read as the live system would have recorded them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from motcua.cli import main
from motcua.core.models import AuditEvent
from motcua.dossiers.importing import ImportFailed, import_dossier_records
from motcua.dossiers.models import (
    Dossier,
    DossierEvent,
    DossierSequence,
    EndKind,
    EventType,
    Handover,
    Status,
)
from tests.dossiers.import_world import DATA, JUSTICE, catalogue_build, record, write_jsonl

pytestmark = pytest.mark.django_db
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LOCAL)


@pytest.fixture
def world() -> dict[str, Any]:
    return catalogue_build()


def flags_of(dossier: Dossier) -> set[str]:
    return set(dossier.flags)


def imported(**overrides: Any) -> Dossier:
    import_dossier_records([record(**overrides)])
    return Dossier.objects.get()


# --- the small realistic file -------------------------------------------------------------


def test_small_file_imports_every_event_type(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "dossiers", str(DATA / "history_small.jsonl")]) == 0
    out = capsys.readouterr()
    assert "8 dossiers imported" in out.out
    assert "imported 8 dossiers" in out.err  # the final summary on stderr
    by_code = {d.code[-11:]: d for d in Dossier.objects.all()}
    assert {code: d.status for code, d in by_code.items()} == {
        "220829-0001": Status.DELIVERED,
        "220829-0002": Status.DELIVERED,
        "220829-0003": Status.RESULT_READY,
        "220830-0001": Status.REFUSED,
        "220830-0002": Status.WITHDRAWN,
        "220830-0003": Status.STOPPED,
        "220831-0001": Status.PROCESSING,
        "220831-0002": Status.SUPPLEMENT_REQUESTED,
    }
    assert {code: d.dossier_class for code, d in by_code.items() if d.dossier_class} == {
        "220829-0001": "early",
        "220829-0002": "early",
        "220829-0003": "late",
    }
    first = by_code["220829-0001"]
    assert first.imported and first.procedure_version == world["v1"]
    assert first.agency == world["justice"] and first.field == world["v1"].field
    assert first.level == "province"
    assert first.delivered_at == local(2022, 9, 5, 9, 30)
    assert first.delivery_channel == "postal"
    assert first.end_kind == EndKind.RESULT and first.ended_at == local(2022, 8, 31, 9, 30)
    refused = by_code["220830-0001"]
    assert refused.end_kind == EndKind.REFUSED and refused.dossier_class == ""
    assert refused.end_reason == "Không đủ điều kiện cấp phiếu"
    assert by_code["220830-0003"].supplement_count == 1
    # Received 31/8 15:30: deemed received Monday 5/9, due Thursday 8/9 17:00 (§5).
    assert by_code["220831-0001"].due_at == local(2022, 9, 8, 17)
    assert by_code["220831-0001"].current_unit_name == "Phòng Hành chính tư pháp"
    # One event per record line plus the receipt, all marked as imported.
    events = DossierEvent.objects.filter(dossier=first).order_by("at", "id")
    assert [e.type for e in events] == [
        EventType.RECEIVED,
        "handover",
        "handover",
        "result_ready",
        "handover",
        "result_delivered",
    ]
    assert all(e.data["imported"] for e in events)
    assert DossierEvent.objects.count() == 8 + 19
    # One audit row for the run, not one per dossier.
    audit = AuditEvent.objects.get(action="dossiers.import")
    assert audit.actor_label == "import" and audit.data["created"] == 8
    # The daily rollup follows the imported dossiers (the report from it is the report).
    from motcua.reports.queries import period_figures
    from motcua.reports.rollup_queries import rollup_table_rows
    from motcua.rollup.services import rollup_rebuild

    kept = rollup_table_rows()
    assert sum(row[-1] for row in kept if row[6] == "received") == 8
    date_from, date_to = dt.date(2022, 8, 1), dt.date(2022, 9, 30)
    assert period_figures(date_from=date_from, date_to=date_to, source="rollup") == period_figures(
        date_from=date_from, date_to=date_to
    )
    rollup_rebuild()
    assert rollup_table_rows() == kept


def test_control_slip_rows_from_handovers(world: dict[str, Any]) -> None:
    main(["import", "dossiers", str(DATA / "history_small.jsonl")])
    rows = list(Handover.objects.filter(dossier__code=f"{JUSTICE}-220829-0001"))
    assert [(r.position, r.from_unit_name, r.to_unit_name) for r in rows] == [
        (1, "Bộ phận Một cửa", "Phòng Hành chính tư pháp"),
        (2, "Phòng Hành chính tư pháp", "Lãnh đạo Sở"),
        # Written as an agency code: stored as the agency, printed by its name.
        (3, "Lãnh đạo Sở", "Trung tâm Phục vụ hành chính công"),
    ]
    # The first hand-over has no step name: by position it starts step 2 (step 1, the
    # reception, is done before it); the others are matched by name.
    assert [r.step_name for r in rows] == ["Thẩm định hồ sơ", "Phê duyệt", "Trả kết quả"]
    assert [r.budget_hours for r in rows] == [Decimal(12), Decimal(4), Decimal(4)]
    # 29/8 14:00 + 12 h → due 31/8 08:00, closed 30/8 16:00: early. 30/8 16:00 + 4 h → due
    # 31/8 10:00, closed by the result at 09:30: on time. 5/9 08:00 + 4 h, delivered 09:30.
    assert [r.result for r in rows] == ["early", "on_time", "on_time"]
    assert [r.finished_at for r in rows] == [
        local(2022, 8, 30, 16),
        local(2022, 8, 31, 9, 30),
        local(2022, 9, 5, 9, 30),
    ]
    assert rows[0].used_hours == Decimal("10.00")  # 29/8 14–17 h, 30/8 07–16 h less lunch


# --- the legal clock -------------------------------------------------------------------------


def test_due_date_computed_from_catalogue_when_absent(world: dict[str, Any]) -> None:
    # domain.md §5 worked example: Monday 29/8/2022 10:00, 3 working days, 1–2/9 holidays.
    dossier = imported()
    assert dossier.due_at == local(2022, 9, 5, 17)
    assert dossier.printed_due_at is None
    assert dossier.due_explanation["used"] == "computed"
    assert not dossier.flags


def test_printed_due_date_kept_and_flagged_when_different(world: dict[str, Any]) -> None:
    dossier = imported(due_at="2022-09-07T17:00:00+07:00")
    assert dossier.printed_due_at == local(2022, 9, 7, 17)
    assert dossier.due_explanation["computed"] == "2022-09-05T17:00:00+07:00"
    assert flags_of(dossier) == {"due_differs"}


def test_printed_due_date_equal_to_computed_is_not_flagged(world: dict[str, Any]) -> None:
    dossier = imported(due_at="2022-09-05T17:00:00+07:00")
    assert not dossier.flags


def test_printed_due_date_is_the_one_classified(world: dict[str, Any]) -> None:
    # Computed due 5/9, printed 7/9, result on 6/9: the applicant was told 7/9, so early.
    dossier = imported(
        due_at="2022-09-07T17:00:00+07:00",
        events=[{"type": "result_ready", "at": "2022-09-06T10:00:00+07:00"}],
    )
    assert dossier.due_at == local(2022, 9, 7, 17)
    assert dossier.dossier_class == "early"


def test_supplement_restarts_the_clock_from_the_procedure(world: dict[str, Any]) -> None:
    # Printed due far away; the supplement arriving Tuesday 6/9 09:00 restarts the clock from
    # the procedure (3 working days → Friday 9/9 17:00), not from the printed date.
    dossier = imported(
        due_at="2022-09-30T17:00:00+07:00",
        events=[
            {"type": "supplement_requested", "at": "2022-08-30T10:00:00+07:00"},
            {"type": "supplement_received", "at": "2022-09-06T09:00:00+07:00"},
            {"type": "result_ready", "at": "2022-09-12T09:00:00+07:00"},
        ],
    )
    assert dossier.due_at == local(2022, 9, 9, 17)
    assert dossier.supplement_count == 1
    assert dossier.dossier_class == "late"
    assert dossier.due_explanation["used"] == "restarted"


def test_second_supplement_request_makes_the_dossier_late(world: dict[str, Any]) -> None:
    dossier = imported(
        events=[
            {"type": "supplement_requested", "at": "2022-08-29T11:00:00+07:00"},
            {"type": "supplement_received", "at": "2022-08-29T14:00:00+07:00"},
            {"type": "supplement_requested", "at": "2022-08-30T09:00:00+07:00"},
            {"type": "supplement_received", "at": "2022-08-30T10:00:00+07:00"},
            {"type": "result_ready", "at": "2022-08-30T16:00:00+07:00"},
        ]
    )
    assert dossier.supplement_count == 2
    assert dossier.dossier_class == "late"  # although a day early by the dates
    assert flags_of(dossier) == {"supplement_repeated"}


def test_extension_does_not_rescue_a_late_dossier(world: dict[str, Any]) -> None:
    dossier = imported(
        events=[
            {
                "type": "extension",
                "at": "2022-08-31T10:00:00+07:00",
                "apology": True,
                "reason": "Chờ xác minh",
                "new_due_at": "2022-09-09T17:00:00+07:00",
            },
            {"type": "result_ready", "at": "2022-09-08T10:00:00+07:00"},
        ]
    )
    assert dossier.extended_due_at == local(2022, 9, 9, 17)
    assert dossier.has_apology and dossier.extension_count == 1
    assert dossier.dossier_class == "late"  # judged against 5/9, not the new appointment
    assert not dossier.flags  # 31/8 is well before the due date


def test_late_supplement_request_is_flagged_not_refused(world: dict[str, Any]) -> None:
    # Received 29/8; 3 working days end 5/9 17:00 (1–2/9 are holidays): 6/9 is late.
    dossier = imported(events=[{"type": "supplement_requested", "at": "2022-09-06T08:00:00+07:00"}])
    assert flags_of(dossier) == {"supplement_late"}
    assert dossier.status == Status.SUPPLEMENT_REQUESTED


def test_supplement_request_on_the_third_working_day_is_not_flagged(
    world: dict[str, Any],
) -> None:
    dossier = imported(events=[{"type": "supplement_requested", "at": "2022-09-05T16:30:00+07:00"}])
    assert not dossier.flags


def test_late_and_repeated_extension_are_flagged(world: dict[str, Any]) -> None:
    # Due 5/9; the working day before is 31/8 (1–4/9 off): a letter on 5/9 itself is late.
    dossier = imported(
        events=[
            {"type": "extension", "at": "2022-08-31T09:00:00+07:00", "apology": True,
             "new_due_at": "2022-09-07T17:00:00+07:00"},
            {"type": "extension", "at": "2022-09-05T09:00:00+07:00", "apology": False,
             "new_due_at": "2022-09-09T17:00:00+07:00"},
        ]
    )  # fmt: skip
    assert flags_of(dossier) == {"extension_late", "extension_repeated"}
    assert dossier.extension_count == 2
    assert dossier.extended_due_at == local(2022, 9, 9, 17)


def test_extension_on_the_last_working_day_before_due_is_not_late(world: dict[str, Any]) -> None:
    dossier = imported(
        events=[
            {"type": "extension", "at": "2022-08-31T16:59:00+07:00", "apology": True,
             "new_due_at": "2022-09-07T17:00:00+07:00"},
        ]
    )  # fmt: skip
    assert not dossier.flags


def test_version_pinned_by_receipt_date(world: dict[str, Any]) -> None:
    dossier = imported(
        code=f"{JUSTICE}-250702-0001",
        received_at="2025-07-02T09:00:00+07:00",
    )
    assert dossier.procedure_version == world["v2"]
    assert dossier.due_at == local(2025, 7, 4, 17)  # 2 working days under version 2


def test_working_hours_procedure_and_late_steps_from_control_slip(world: dict[str, Any]) -> None:
    dossier = imported(
        procedure="2.000001",
        events=[
            {"type": "handover", "at": "2022-08-29T10:30:00+07:00", "unit": "Phòng chứng thực"},
            {"type": "result_ready", "at": "2022-08-30T11:00:00+07:00"},
        ],
    )
    # 8 working hours from Monday 10:00 → Tuesday 10:00: 11:00 on the same date is late.
    assert dossier.due_at == local(2022, 8, 30, 10)
    assert dossier.dossier_class == "late"
    assert dossier.late_steps == ""  # the procedure has no workflow, nothing to blame


def test_late_steps_come_from_the_record_when_given(world: dict[str, Any]) -> None:
    dossier = imported(
        late_reason="Chờ xác minh",
        late_step="Thẩm định hồ sơ",
        events=[{"type": "result_ready", "at": "2022-09-07T10:00:00+07:00"}],
    )
    assert dossier.dossier_class == "late"
    assert (dossier.late_reason, dossier.late_steps) == ("Chờ xác minh", "Thẩm định hồ sơ")


def test_late_steps_derived_from_overrun_handovers(world: dict[str, Any]) -> None:
    dossier = imported(
        events=[
            {"type": "handover", "at": "2022-08-29T11:00:00+07:00", "unit": "Phòng HCTP"},
            {"type": "handover", "at": "2022-09-07T08:00:00+07:00", "unit": "Lãnh đạo Sở"},
            {"type": "result_ready", "at": "2022-09-07T09:00:00+07:00"},
        ],
    )
    assert dossier.dossier_class == "late"
    assert dossier.late_steps == "Thẩm định hồ sơ"


def test_sequence_continues_after_imported_codes(world: dict[str, Any]) -> None:
    import_dossier_records([record(1), record(7)])
    sequence = DossierSequence.objects.get(agency=world["justice"], day=dt.date(2022, 8, 29))
    assert sequence.last == 7


# --- all or nothing, with precise errors ----------------------------------------------------


def _errors(records: list[dict[str, Any]]) -> list[str]:
    with pytest.raises(ImportFailed) as caught:
        import_dossier_records(records)
    assert Dossier.objects.count() == 0
    return caught.value.lines()


def test_unknown_procedure_and_agency_fail(world: dict[str, Any]) -> None:
    assert _errors([record(), record(2, procedure="9.999999", agency="000.00.99.H18")]) == [
        "records:2: agency: unknown agency '000.00.99.H18'",
        "records:2: procedure: unknown procedure '9.999999'",
    ]


def test_event_before_receipt_fails(world: dict[str, Any]) -> None:
    lines = _errors(
        [record(events=[{"type": "handover", "at": "2022-08-29T09:00:00+07:00", "unit": "X"}])]
    )
    assert lines == ["records:1: events[0].at: handover before received_at"]


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        (
            [
                {"type": "result_ready", "at": "2022-08-31T10:00:00+07:00"},
                {"type": "handover", "at": "2022-08-30T10:00:00+07:00", "unit": "X"},
            ],
            "events[1].at: handover earlier than the event before it",
        ),
        (
            [{"type": "supplement_received", "at": "2022-08-30T10:00:00+07:00"}],
            "events[0].type: supplement_received without a request",
        ),
        (
            [
                {"type": "withdrawn", "at": "2022-08-30T10:00:00+07:00"},
                {"type": "supplement_requested", "at": "2022-08-30T11:00:00+07:00"},
            ],
            "events[1].type: supplement_requested after the end (withdrawn)",
        ),
        (
            [{"type": "result_delivered", "at": "2022-08-30T10:00:00+07:00", "channel": "postal"}],
            "events[0].type: result_delivered before the end (result_ready, refused or withdrawn)",
        ),
        (
            [{"type": "extension", "at": "2022-08-30T10:00:00+07:00", "apology": True}],
            "events[0].new_due_at: an extension needs new_due_at",
        ),
        (
            [{"type": "handover", "at": "2022-08-30T10:00:00+07:00"}],
            "events[0].unit: a handover needs the receiving unit",
        ),
        (
            [{"type": "handover", "at": "2022-08-30 10:00:00", "unit": "X"}],
            "events[0].at: '2022-08-30 10:00:00' is not a date-time with a UTC offset",
        ),
    ],
)
def test_self_contradicting_history_fails(
    world: dict[str, Any], events: list[dict[str, Any]], expected: str
) -> None:
    assert _errors([record(events=events)]) == [f"records:1: {expected}"]


def test_schema_and_code_errors_name_the_field(world: dict[str, Any]) -> None:
    bad_applicant = record(applicant={"kind": "citizen"})
    bad_channel = record(2, channel="fax")
    bad_code = record(code="HS-2022-0001")
    extra = record(3, colour="blue")
    naive = record(4, received_at="2022-08-29T10:00:00")
    assert _errors([bad_applicant, bad_channel, bad_code, extra, naive]) == [
        "records:1: applicant.name: required",
        "records:2: channel: 'fax' is not one of ['online', 'direct', 'postal']",
        "records:3: code: malformed code 'HS-2022-0001': expected AGENCY-YYMMDD-NNNN",
        "records:4: (record): Additional properties are not allowed ('colour' was unexpected)",
        "records:5: received_at: '2022-08-29T10:00:00' is not a date-time with a UTC offset",
    ]


def test_same_code_twice_with_different_content_fails(world: dict[str, Any]) -> None:
    other = record(channel="online")
    assert _errors([record(), other]) == [
        f"records:2: code: {JUSTICE}-220829-0001 already on line 1 with other content"
    ]


def test_bad_last_line_of_a_large_file_changes_nothing(
    world: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [
        record(
            n % 9000 + 1,
            code=f"{JUSTICE}-{220801 + n // 9000:06d}-{n % 9000 + 1:04d}",
            events=[{"type": "handover", "at": "2022-08-29T14:00:00+07:00", "unit": "Phòng A"}],
        )
        for n in range(5000)
    ]
    records[-1]["events"][0]["at"] = "2022-08-29T09:59:00+07:00"
    path = write_jsonl(tmp_path / "history.jsonl", records)
    assert main(["import", "dossiers", str(path)]) == 1
    err = capsys.readouterr().err
    assert "history.jsonl:5000: events[0].at: handover before received_at" in err
    assert "1 error(s); nothing was imported" in err
    assert Dossier.objects.count() == 0 and DossierEvent.objects.count() == 0
    assert not AuditEvent.objects.filter(action="dossiers.import").exists()


def test_cli_reports_unreadable_lines_and_missing_file(
    world: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"code": \n[1, 2]\n', encoding="utf-8")
    assert main(["import", "dossiers", str(path)]) == 1
    err = capsys.readouterr().err
    assert "broken.jsonl:1: not valid JSON" in err
    assert "broken.jsonl:2: not a JSON object" in err
    assert main(["import", "dossiers", str(tmp_path / "missing.jsonl")]) == 2


# --- idempotence ------------------------------------------------------------------------------


def test_reimport_of_the_same_file_changes_nothing(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(DATA / "history_small.jsonl")
    assert main(["import", "dossiers", path]) == 0
    before = (
        list(Dossier.objects.order_by("id").values_list("id", "code", "status", "due_at")),
        DossierEvent.objects.count(),
        Handover.objects.count(),
    )
    assert main(["import", "dossiers", path]) == 0
    assert "0 dossiers imported, 8 already present" in capsys.readouterr().out
    after = (
        list(Dossier.objects.order_by("id").values_list("id", "code", "status", "due_at")),
        DossierEvent.objects.count(),
        Handover.objects.count(),
    )
    assert after == before


def test_identical_duplicate_line_in_a_file_is_imported_once(world: dict[str, Any]) -> None:
    result = import_dossier_records([record(), record(), record(2)])
    assert (result.created, result.skipped) == (2, 1)


def test_reimport_with_changed_content_fails(world: dict[str, Any]) -> None:
    import_dossier_records([record()])
    with pytest.raises(ImportFailed) as caught:
        import_dossier_records([record(2), record(channel="postal")])
    assert caught.value.lines() == [
        f"records:2: code: {JUSTICE}-220829-0001 was imported before with different content"
    ]
    assert Dossier.objects.count() == 1


def test_api_reads_a_one_shot_generator_and_reports_progress(world: dict[str, Any]) -> None:
    messages: list[str] = []
    result = import_dossier_records((record(n) for n in range(1, 4)), progress=messages.append)
    assert (result.read, result.created, result.skipped) == (3, 3, 0)
    assert messages[-1].startswith("imported 3 dossiers")
    assert Dossier.objects.filter(imported=True).count() == 3


def test_supplement_pauses_the_control_slip_step(world: dict[str, Any]) -> None:
    dossier = imported(
        events=[
            {"type": "handover", "at": "2022-08-29T11:00:00+07:00", "unit": "Phòng HCTP"},
            {"type": "supplement_requested", "at": "2022-08-30T09:00:00+07:00"},
            {"type": "supplement_received", "at": "2022-09-06T09:00:00+07:00"},
            {"type": "result_ready", "at": "2022-09-07T10:00:00+07:00"},
        ]
    )
    rows = list(Handover.objects.filter(dossier=dossier))
    assert [(r.to_unit_name, r.step_name, r.at, r.finished_at, r.note) for r in rows] == [
        (
            "Phòng HCTP",
            "Thẩm định hồ sơ",
            local(2022, 8, 29, 11),
            local(2022, 8, 30, 9),
            "Yêu cầu bổ sung hồ sơ",
        ),
        (
            "Phòng HCTP",
            "Thẩm định hồ sơ",
            local(2022, 9, 6, 9),
            local(2022, 9, 7, 10),
            "Hồ sơ bổ sung",
        ),
    ]
    # Row 1: 12 h from 29/8 11:00 → 30/8 17:00, stopped 30/8 09:00 (same date: on time).
    # The fresh row has the full 12 h budget again: 6/9 09:00 → 7/9 13:00; 10:00 is on time.
    assert [r.result for r in rows] == ["on_time", "on_time"]
    assert dossier.due_at == local(2022, 9, 9, 17)


# --- notices and papers handed back after a refusal or a withdrawal (issue 14) ------------


def _ended_then_delivered(seq: int, end: dict[str, Any], channel: str) -> dict[str, Any]:
    return record(
        seq,
        events=[
            {"type": "handover", "at": "2022-08-29T14:00:00+07:00", "unit": "Phòng Hành chính"},
            end,
            {"type": "result_delivered", "at": "2022-09-06T09:00:00+07:00", "channel": channel},
        ],
    )


def test_delivery_after_refusal_or_withdrawal_imports_unflagged_and_is_no_postal_return(
    world: dict[str, Any],
) -> None:
    from motcua.reports.queries import period_figures

    refused = {"type": "refused", "at": "2022-09-05T10:00:00+07:00", "reason": "Không đủ"}
    withdrawn = {"type": "withdrawn", "at": "2022-09-05T10:00:00+07:00"}
    result = {"type": "result_ready", "at": "2022-08-31T10:00:00+07:00"}
    outcome = import_dossier_records(
        [
            _ended_then_delivered(1, refused, "postal"),
            _ended_then_delivered(2, withdrawn, "counter"),
            _ended_then_delivered(3, refused, "counter"),
            _ended_then_delivered(4, result, "postal"),
        ]
    )
    assert outcome.created == 4 and outcome.flagged == 0
    by_seq = {int(d.code[-4:]): d for d in Dossier.objects.all()}
    assert all(d.flags == [] for d in by_seq.values())
    # The end stays the status; the hand-back is recorded with its channel and event.
    assert by_seq[1].status == Status.REFUSED and by_seq[1].end_kind == EndKind.REFUSED
    assert by_seq[1].delivery_channel == "postal"
    assert by_seq[1].delivered_at == local(2022, 9, 6, 9, 0)
    assert by_seq[2].status == Status.WITHDRAWN and by_seq[2].delivery_channel == "counter"
    assert by_seq[4].status == Status.DELIVERED
    assert DossierEvent.objects.filter(type=EventType.RESULT_DELIVERED).count() == 4
    assert by_seq[1].dossier_class == "" and by_seq[1].ended_at == local(2022, 9, 5, 10, 0)

    f = period_figures(date_from=dt.date(2022, 8, 1), date_to=dt.date(2022, 9, 30))
    assert f["resolved"]["total"] == 1
    assert f["resolved"]["postal_return"] == 1  # only the result, not the refusal notice
    assert f["returned"]["total"] == 2 and f["withdrawn"] == 1


def test_delivery_after_stop_or_twice_after_refusal_still_fails(world: dict[str, Any]) -> None:
    stopped = {"type": "stopped", "at": "2022-09-05T10:00:00+07:00", "reason": "Quá hạn bổ sung"}
    refused = _ended_then_delivered(
        2, {"type": "refused", "at": "2022-09-05T10:00:00+07:00"}, "postal"
    )
    refused["events"].append(
        {"type": "result_delivered", "at": "2022-09-07T09:00:00+07:00", "channel": "counter"}
    )
    assert _errors([_ended_then_delivered(1, stopped, "counter"), refused]) == [
        "records:1: events[2].type: result_delivered after stopped: only a result, a refusal "
        "or a withdrawal is handed back",
        "records:2: events[3].type: result delivered twice",
    ]
    assert not Dossier.objects.exists()


# --- worker processes change nothing but the speed -------------------------------------------


def _imported_state() -> list[Any]:
    dossiers = [
        {k: v for k, v in d.items() if k not in ("id", "secret", "created_at", "updated_at")}
        for d in Dossier.objects.order_by("code").values()
    ]
    events = list(
        DossierEvent.objects.order_by("dossier__code", "at", "id").values_list(
            "dossier__code", "type", "at", "from_status", "to_status", "data"
        )
    )
    rows = list(
        Handover.objects.order_by("dossier__code", "position").values_list(
            "dossier__code", "position", "to_unit_id", "to_unit_label", "step_id", "step_name",
            "at", "finished_at", "used_hours", "result", "note",
        )
    )  # fmt: skip
    return [dossiers, events, rows]


def test_worker_processes_import_exactly_what_one_process_does(
    world: dict[str, Any], tmp_path: Path
) -> None:
    lines = (DATA / "history_small.jsonl").read_text(encoding="utf-8")
    path = tmp_path / "history.jsonl"
    path.write_text(lines + "\n" + lines, encoding="utf-8")  # a blank line, then duplicates
    from motcua.dossiers.importing import import_dossier_file

    pooled = import_dossier_file(path, workers=2, chunk_lines=3)
    assert (pooled.read, pooled.created, pooled.skipped) == (16, 8, 8)
    state = _imported_state()
    first_ids = sorted(Dossier.objects.values_list("id", flat=True))
    assert first_ids == list(range(first_ids[0], first_ids[0] + 8))
    Dossier.objects.all().delete()
    single = import_dossier_file(path, workers=1)
    assert single == pooled
    assert _imported_state() == state


def test_worker_processes_report_every_error_by_line(world: dict[str, Any]) -> None:
    records = [record(n) for n in range(1, 8)]
    records[1]["agency"] = "000.00.99.H18"
    records[5]["events"] = [{"type": "supplement_received", "at": "2022-08-30T10:00:00+07:00"}]
    records.append(record(3, channel="online"))
    with pytest.raises(ImportFailed) as caught:
        import_dossier_records(records, workers=2, chunk_lines=2)
    assert caught.value.lines() == [
        "records:2: agency: unknown agency '000.00.99.H18'",
        "records:6: events[0].type: supplement_received without a request",
        f"records:8: code: {JUSTICE}-220829-0003 already on line 3 with other content",
    ]
    assert Dossier.objects.count() == 0
