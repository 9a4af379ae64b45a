"""The rating rubric by the dossier's date, "Không áp dụng" out of the denominators, and the
form asking only what applies (feedback.rubric, through the services and the rating page)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from motcua.feedback.models import Rating
from motcua.feedback.queries import pakn_counts, rating_summary
from motcua.feedback.rubric import ND61, ND118, rubric_on
from motcua.feedback.services import (
    FeedbackInput,
    RatingAnswerError,
    feedback_submit,
    rating_submit,
)
from motcua.reports.indicators import indicators_for_year
from tests.feedback.conftest import dossier_make
from tests.world import World, local

RECEIVED_2022 = dt.datetime(2022, 8, 29, 3, 0, tzinfo=dt.UTC)  # Mon 29/8/2022 10:00 local
ND61_ALL = {
    "time": "early",
    "step_time": "on_time",
    "contacts": "once",
    "agencies": "one",
    "information": "full",
    "attitude": "helpful",
    "lawfulness": "lawful",
}


def url(code: str) -> str:
    return f"/danh-gia/{code}/?bi-mat=ABCD2345"


def complain_about(code: str) -> None:
    feedback_submit(
        data=FeedbackInput(
            subject="dossier", title="T", text="N", name="A", phone="0900", reference=code
        )
    )


def test_the_rubric_changes_on_1_july_2025_by_local_date() -> None:
    assert rubric_on(dt.date(2022, 8, 29)) is ND61
    assert rubric_on(dt.date(2025, 6, 30)) is ND61
    assert rubric_on(dt.date(2025, 7, 1)) is ND118
    assert rubric_on(dt.date(2026, 10, 5)) is ND118
    assert len(ND61.items) == len(ND118.items) == 9
    for rubric in (ND61, ND118):
        assert all(max(o.points for o in i.options) == 2 for i in rubric.items)  # 18 in all


def test_a_2022_dossier_is_rated_on_nd61_and_a_2026_one_on_nd118(world: World) -> None:
    old = dossier_make(world, received=RECEIVED_2022)
    # 30/6/2025 23:30 local is still before ND 118/2025 (16:30 UTC).
    eve = dossier_make(world, received=dt.datetime(2025, 6, 30, 16, 30, tzinfo=dt.UTC))
    new = dossier_make(world)  # 5/10/2026
    client = Client()
    old_page = client.get(url(old.code)).content.decode()
    new_page = client.get(url(new.code)).content.decode()
    assert "Nghị định 61/2018/NĐ-CP" in old_page and "Trước hạn" in old_page
    assert "Tổng thời gian giải quyết thủ tục hành chính" in old_page
    assert "Hài lòng" not in old_page
    assert "Nghị định 118/2025/NĐ-CP" in new_page and "Hài lòng" in new_page
    assert "Trước hạn" not in new_page
    assert "Trước hạn" in client.get(url(eve.code)).content.decode()

    done = client.post(url(old.code), ND61_ALL | {"time": "late"})
    assert done.status_code == 200
    rating = Rating.objects.get(dossier=old)
    assert rating.rubric == "nd61_2018"
    assert rating.answers["time"] == "late" and rating.scores["time"] == 0
    # early 2→late 0, on time 1, once 1, then 2 × 4; online and complaints not applicable.
    assert (rating.points, rating.max_points, rating.negative) == (10, 14, True)
    with pytest.raises(RatingAnswerError) as refused:
        rating_submit(dossier=new, answers={"time": "early"})  # an ND 61 answer in 2026
    assert refused.value.item == "time"


def test_the_form_asks_only_the_contents_that_apply(world: World) -> None:
    walk_in = dossier_make(world)
    online = dossier_make(world, channel="online")
    client = Client()
    page = client.get(url(walk_in.code)).content.decode()
    assert page.count('type="radio"') == 7 * 4  # seven contents × (three levels + n/a)
    assert 'name="online"' not in page and 'name="complaints"' not in page
    assert "Không áp dụng cho hồ sơ này" in page and "Dịch vụ công trực tuyến" in page
    assert page.count("required") == 6 * 4  # "Nội dung khác" may be left blank
    # Filed online: the online service is asked and required; a blank one is refused next to
    # it, while the blank "other" is taken as not applicable.
    asked = {c: "2" for c in ("time", "agencies", "contacts", "information")}
    asked |= {"attitude": "2", "lawfulness": "2"}
    refused = client.post(url(online.code), asked).content.decode()
    group = refused[refused.index("7. Dịch vụ công trực tuyến") :]
    assert "Vui lòng chọn một mức." in group[: group.index("</fieldset>")]
    assert not Rating.objects.exists()
    client.post(url(online.code), asked | {"online": "na"})
    rating = Rating.objects.get(dossier=online)
    assert rating.answers["online"] == rating.answers["other"] == "na"
    assert (rating.points, rating.max_points) == (12, 12)
    # A content that cannot apply is refused by the service, naming it.
    with pytest.raises(RatingAnswerError) as wrong:
        rating_submit(dossier=walk_in, answers=asked | {"online": "2"})
    assert wrong.value.item == "online"
    # Once a PAKN names the dossier, its handling is asked.
    complain_about(walk_in.code)
    assert 'name="complaints"' in client.get(url(walk_in.code)).content.decode()


def _rated(world: World) -> None:
    """Three ratings, counted by hand below."""
    walk_in = dossier_make(world)
    online = dossier_make(world, channel="online")
    complain_about(online.code)
    old = dossier_make(world, received=RECEIVED_2022)
    with time_machine.travel(local(dt.date(2026, 10, 12), 9), tick=False):
        # A: 2+2+1+2+0+2 = 9 of 12; "other" left blank, online and complaints not applicable.
        rating_submit(
            dossier=walk_in,
            answers={
                "time": "2",
                "agencies": "2",
                "contacts": "1",
                "information": "2",
                "attitude": "0",
                "lawfulness": "2",
            },
        )
        # B: all nine apply; "information" answered "Không áp dụng": 1+2+2+2+2+0+2+2 = 13 of 16.
        rating_submit(
            dossier=online,
            answers={
                "time": "1",
                "agencies": "2",
                "contacts": "2",
                "information": "na",
                "attitude": "2",
                "lawfulness": "2",
                "complaints": "0",
                "online": "2",
                "other": "2",
            },
        )
    with time_machine.travel(local(dt.date(2022, 9, 5), 9), tick=False):
        # C (ND 61): 2+1+1+2+2+2+2 = 12 of 14.
        rating_submit(dossier=old, answers=ND61_ALL)


def test_not_applicable_is_in_no_denominator(world: World) -> None:
    _rated(world)
    assert sorted(Rating.objects.values_list("points", "max_points")) == [
        (9, 12),
        (12, 14),
        (13, 16),
    ]
    everything = (local(dt.date(2022, 1, 1), 0), local(dt.date(2027, 1, 1), 0))
    counts = pakn_counts(*everything)
    assert (counts["rating_points"], counts["rating_max_points"]) == (34, 42)
    assert (counts["rated_negative"], counts["rated"]) == (2, 3)  # A attitude, B complaints

    summary = rating_summary(world.leader, *everything)
    assert (summary["points"], summary["max_points"]) == (34, 42)
    assert str(summary["score_rate"]) == "80.95"
    nd61, nd118 = summary["rubrics"]
    assert (nd61["code"], nd61["rated"], nd118["code"], nd118["rated"]) == (
        "nd61_2018",
        1,
        "nd118_2025",
        2,
    )
    by_code = {c["code"]: c for c in nd118["contents"]}
    assert (by_code["information"]["levels"], by_code["information"]["not_applicable"]) == (
        [1, 0, 0],
        1,
    )
    assert by_code["information"]["rated"] == 1
    assert (by_code["complaints"]["levels"], by_code["complaints"]["not_applicable"]) == (
        [0, 0, 1],
        1,
    )
    assert str(by_code["complaints"]["score_rate"]) == "0.00"  # 0 of 2, not 0 of 4
    assert str(by_code["contacts"]["score_rate"]) == "75.00"  # (1 + 2) of 4
    assert by_code["online"]["rated"] == 1 and by_code["other"]["not_applicable"] == 1

    # The 2026 indicator counts the 2026 ratings only: (9 + 13) / (12 + 16).
    year = indicators_for_year(year=2026, date_to=dt.date(2026, 12, 31))
    items = {i["code"]: i for g in year["qd766"]["groups"] for i in g["indicators"]}
    points = items["satisfaction.rating_points"]
    assert (points["numerator"], points["denominator"], points["rate"]) == (22, 28, 78.57)
