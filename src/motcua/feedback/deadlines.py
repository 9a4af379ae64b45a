"""Deadlines of a PAKN, by the regulation in force on its receipt date (pure functions).

Each step is counted in working days from the (deemed) receipt day, like a dossier's due date
(domain.md §5, ``workdays.clock``):

- refuse (không tiếp nhận, with the reason): ≤ 2 working days (QĐ 766/QĐ-TTg, indicators.md);
- ask the person for more information: ≤ 5 working days (idem);
- forward, when not within the receiving agency's competence: ≤ 5 working days, and
- answer: ≤ 15 working days (NĐ 20/2008/NĐ-CP as amended by NĐ 92/2017/NĐ-CP; domain.md §9);
- publish the answer: ≤ 2 working days after it (QĐ 766/QĐ-TTg, indicators.md).

``REGULATIONS`` lists the regimes by the date they took effect (a later text is a new row);
``MOTCUA["PAKN_DEADLINES"]`` (environment ``MOTCUA_PAKN_DEADLINES``, e.g.
``"answer=10,forward=3"``) lets a province shorten or correct any of them without code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from motcua.workdays import clock
from motcua.workdays.calendar import WorkCalendar


@dataclass(frozen=True)
class PaknDeadlines:
    """Working days allowed for each step, and the texts they come from."""

    legal_basis: str
    refuse: int = 2
    more_info: int = 5
    forward: int = 5
    answer: int = 15
    publish: int = 2


STEPS = ("refuse", "more_info", "forward", "answer", "publish")

REGULATIONS: tuple[tuple[dt.date, PaknDeadlines], ...] = (
    (
        dt.date.min,  # in force before any PAKN this system holds
        PaknDeadlines(
            legal_basis="NĐ 20/2008/NĐ-CP (sửa đổi bởi NĐ 92/2017/NĐ-CP); QĐ 766/QĐ-TTg",
        ),
    ),
)


def parse_overrides(text: str) -> dict[str, int]:
    """``"answer=10, forward=3"`` → ``{"answer": 10, "forward": 3}``; a precise error else."""
    out: dict[str, int] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in STEPS:
            raise ValueError(
                f"MOTCUA_PAKN_DEADLINES: {part!r}: expected <step>=<working days>, "
                f"step one of {', '.join(STEPS)}"
            )
        try:
            days = int(value)
        except ValueError:
            raise ValueError(f"MOTCUA_PAKN_DEADLINES: {part!r}: not a whole number") from None
        if days < 0:
            raise ValueError(f"MOTCUA_PAKN_DEADLINES: {part!r}: negative")
        out[name] = days
    return out


def deadlines_on(day: dt.date, overrides: Mapping[str, int] | None = None) -> PaknDeadlines:
    """The deadlines in force for a PAKN received on ``day``, with the province's overrides."""
    regime = REGULATIONS[0][1]
    for since, candidate in REGULATIONS:
        if since <= day:
            regime = candidate
    if not overrides:
        return regime
    return PaknDeadlines(
        legal_basis=regime.legal_basis,
        refuse=overrides.get("refuse", regime.refuse),
        more_info=overrides.get("more_info", regime.more_info),
        forward=overrides.get("forward", regime.forward),
        answer=overrides.get("answer", regime.answer),
        publish=overrides.get("publish", regime.publish),
    )


def deadline(
    start: dt.datetime, days: int, *, calendar: WorkCalendar, rules: clock.ClockRules
) -> dt.datetime:
    """17:00 of the ``days``-th working day after the deemed receipt day of ``start``."""
    return clock.due_at(
        start, days, clock.WORKING_DAYS, cutoff=True, calendar=calendar, rules=rules
    )


@dataclass(frozen=True)
class PaknDue:
    refuse_by: dt.datetime
    info_by: dt.datetime
    forward_by: dt.datetime
    answer_by: dt.datetime


def pakn_due(
    received_at: dt.datetime,
    deadlines: PaknDeadlines,
    *,
    calendar: WorkCalendar,
    rules: clock.ClockRules,
) -> PaknDue:
    """Every deadline counted from a PAKN's receipt."""

    def by(days: int) -> dt.datetime:
        return deadline(received_at, days, calendar=calendar, rules=rules)

    return PaknDue(
        refuse_by=by(deadlines.refuse),
        info_by=by(deadlines.more_info),
        forward_by=by(deadlines.forward),
        answer_by=by(deadlines.answer),
    )
