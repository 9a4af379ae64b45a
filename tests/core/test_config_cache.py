"""The configuration kept per process (``core.config_cache``): the database's triggers change
the stamp on every write of a watched table, however it is written; a kept read is a copy,
is read again after a change, and reads only watched tables."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import update_last_login
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.agencies.queries import agency_inherited_ids
from motcua.api.tokens import api_token_check, api_token_create
from motcua.catalog.models import Part, WorkflowStep
from motcua.catalog.queries import procedure_current_version, version_parts, version_steps
from motcua.core.access import request_values
from motcua.core.config_cache import (
    ACCESS,
    BALANCES,
    CONFIG,
    config_cache_clear,
    config_cached,
    config_stamp,
    config_triggers_drop,
    config_triggers_install,
    config_triggers_missing,
    watched_tables,
)
from motcua.core.models import ConfigStamp
from motcua.dossiers.intake_points import point_refusal
from motcua.rollup.models import MonthBalance
from motcua.webhooks.models import Subscription
from motcua.webhooks.services import subscriptions_for
from motcua.workdays.calendar import get_calendar, invalidate_calendar
from motcua.workdays.models import CalendarOverride, OverrideKind
from tests.world import MONDAY, World, counter_receipt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    config_cache_clear()


def _stamp() -> int | None:
    return config_stamp("default")  # outside a request: read each time


def test_every_watched_table_has_its_trigger() -> None:
    assert "catalog_part" in watched_tables()
    assert "webhooks_subscription_agencies" in watched_tables()  # the many-to-many table
    assert config_triggers_missing(connection) == []


def _save(world: World) -> None:
    world.procedure.name = "Tên mới"
    world.procedure.save()


def _update(world: World) -> None:
    assert Part.objects.filter(version=world.procedure).update(copies=3) == 1


def _bulk_create(world: World) -> None:
    WorkflowStep.objects.bulk_create(
        [WorkflowStep(version=world.hours_procedure, position=1, name="Thẩm định", hours=8)]
    )


def _delete(world: World) -> None:
    CalendarOverride.objects.filter(date=MONDAY).delete()


def _raw_sql(world: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE agencies_agency SET name = %s WHERE id = %s",
            ["Sở Tư pháp tỉnh", world.justice.pk],
        )


def _many_to_many(world: World) -> None:
    Subscription.objects.get(name="LGSP").agencies.add(world.justice)


WRITES: dict[str, Callable[[World], None]] = {
    "save": _save,
    "queryset update": _update,
    "bulk create": _bulk_create,
    "delete": _delete,
    "raw SQL": _raw_sql,
    "many-to-many": _many_to_many,
}


@pytest.mark.parametrize("how", list(WRITES))
def test_each_way_of_writing_changes_the_stamp(world: World, how: str) -> None:
    Part.objects.create(version=world.procedure, position=1, name="Tờ khai")
    CalendarOverride.objects.create(date=MONDAY, kind=OverrideKind.OFF, note="Nghỉ bù")
    Subscription.objects.create(name="LGSP", url="https://lgsp.example/hook", kinds=["received"])
    before = _stamp()
    assert before is not None
    WRITES[how](world)
    assert _stamp() != before


def test_a_change_rolled_back_is_never_met_again(world: World) -> None:
    start = _stamp()
    with pytest.raises(RuntimeError), transaction.atomic():
        _save(world)
        abandoned = _stamp()
        assert abandoned != start
        raise RuntimeError
    assert _stamp() == start
    _raw_sql(world)
    # A counter would have given this change the abandoned change's value, and what was read
    # inside the abandoned change (kept under it) would be taken for true.
    assert _stamp() not in {start, abandoned}


def test_a_kept_read_is_a_copy_read_once_until_a_change(world: World) -> None:
    first = procedure_current_version("1.001234")
    assert first is not None
    first.name = "changed by a caller"
    with CaptureQueriesContext(connection) as queries:
        again = procedure_current_version("1.001234")
    assert again is not None and again is not first
    assert again.name == "Cấp phiếu lý lịch tư pháp cho công dân Việt Nam"
    assert again.agency.name == "Sở Tư pháp"  # its joined rows are kept with it
    assert [q["sql"] for q in queries] == [q["sql"] for q in queries if "configstamp" in q["sql"]]
    # Another process renames the agency: no signal here, the trigger changes the stamp.
    _raw_sql(world)
    renamed = procedure_current_version("1.001234")
    assert renamed is not None and renamed.agency.name == "Sở Tư pháp tỉnh"


def test_within_a_request_a_change_made_by_it_is_read_back(world: World) -> None:
    with request_values():
        assert [p.name for p in version_parts(world.procedure)] == []
        Part.objects.create(version=world.procedure, position=1, name="Tờ khai")  # a signal
        assert [p.name for p in version_parts(world.procedure)] == ["Tờ khai"]
        with CaptureQueriesContext(connection) as queries:
            version_parts(world.procedure)
        # After its change the request reads the stamps at each read (the change may yet be
        # rolled back), and nothing else.
        assert [q["sql"] for q in queries.captured_queries if "configstamp" not in q["sql"]] == []
        assert len(queries.captured_queries) == 1


def test_a_request_reads_the_stamps_once_until_it_changes_something(world: World) -> None:
    with request_values():
        version_parts(world.procedure)
        procedure_current_version("1.001234")
        with CaptureQueriesContext(connection) as queries:
            version_parts(world.procedure)
            procedure_current_version("1.001234")
        assert queries.captured_queries == []  # kept, and the stamps remembered


def test_a_change_rolled_back_in_a_request_is_not_read_after(world: World) -> None:
    with request_values():
        with pytest.raises(RuntimeError), transaction.atomic():
            Part.objects.create(version=world.procedure, position=1, name="Tờ khai")
            assert [p.name for p in version_parts(world.procedure)] == ["Tờ khai"]
            raise RuntimeError
        assert version_parts(world.procedure) == []


def test_a_sign_in_leaves_the_kept_tokens_alone(world: World) -> None:
    """A sign-in writes only ``last_login``: no stamp changes, and every process keeps its
    tokens; a token's recorded use does change the stamp (it is what the check reads)."""
    access = config_stamp("default", ACCESS)
    update_last_login(type(world.clerk), user=world.clerk)  # the sender Django sends
    assert config_stamp("default", ACCESS) == access
    world.clerk.first_name = "Lan"
    world.clerk.save()
    assert config_stamp("default", ACCESS) != access


def test_the_triggers_can_be_dropped_and_made_again() -> None:
    config_triggers_drop(connection)
    assert set(config_triggers_missing(connection)) >= {"catalog_part", "api_apitoken"}
    config_triggers_install(connection)
    assert config_triggers_missing(connection) == []


def test_without_the_stamp_row_nothing_is_kept(world: World) -> None:
    ConfigStamp.objects.all().delete()  # as a test's flush leaves it
    loads: list[int] = []

    def load() -> int:
        loads.append(1)
        return len(loads)

    assert config_cached("test.counted", load) == 1
    assert config_cached("test.counted", load) == 2
    config_triggers_install(connection)  # after every migrate: the row is back
    assert config_cached("test.counted", load) == 3
    assert config_cached("test.counted", load) == 3


_TABLE = re.compile(r'(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)


def test_kept_reads_read_only_watched_tables(world: World) -> None:
    """A kept read of a table no trigger watches would never be read again after a change."""
    Subscription.objects.create(name="LGSP", url="https://lgsp.example/hook", kinds=["received"])
    dossier = counter_receipt(world)
    event = dossier.events.get()
    config_cache_clear()
    invalidate_calendar()
    with CaptureQueriesContext(connection) as queries:
        version = procedure_current_version("1.001234", agency=world.justice)
        assert version is not None
        version_parts(version)
        version_steps(version)
        point_refusal(world.center, version, MONDAY)
        get_calendar()
        subscriptions_for(event)
        agency_inherited_ids({world.justice.pk}, MONDAY + dt.timedelta(days=1))
    read = {table for q in queries for table in _TABLE.findall(q["sql"])}
    assert "catalog_procedureversion" in read and "workdays_calendaroverride" in read
    assert read <= {*watched_tables(), ConfigStamp._meta.db_table}, read


def test_a_token_check_reads_only_watched_tables(world: World) -> None:
    _, raw = api_token_create(
        user=world.clerk, name="LGSP", actor=world.admin, agencies=[world.center]
    )
    config_cache_clear()
    with CaptureQueriesContext(connection) as queries:
        token = api_token_check(raw)
        assert token is not None
        assert [a.code for a in token.agencies.all()] == ["000.00.01.H18"]  # held with it
    read = {table for q in queries for table in _TABLE.findall(q["sql"])}
    assert "api_apitoken" in read
    watched = {*watched_tables(CONFIG), *watched_tables(ACCESS), ConfigStamp._meta.db_table}
    assert read <= watched, read


def _revoke(raw: str, world: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE api_apitoken SET revoked_at = %s", [timezone.now()])


def _disable(raw: str, world: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE auth_user SET is_active = %s WHERE id = %s", [False, world.clerk.pk])


def _move(raw: str, world: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_staffprofile SET agency_id = %s WHERE user_id = %s",
            [world.justice.pk, world.clerk.pk],
        )


@pytest.mark.parametrize(
    "change", [_revoke, _disable, _move], ids=["revoked", "account disabled", "moved"]
)
def test_a_kept_token_follows_a_change_made_elsewhere(
    world: World, change: Callable[[str, World], None]
) -> None:
    """Another process revokes the token, disables its account or moves its clerk to another
    agency (raw SQL: no signal in this one); the next check sees it."""
    _, raw = api_token_create(user=world.clerk, name="LGSP", actor=world.admin)
    first = api_token_check(raw)
    assert first is not None and first.user.staff_profile.agency == world.center
    api_token_check(raw)  # its first use was recorded, a change to tokens: read once more
    with CaptureQueriesContext(connection) as queries:
        assert api_token_check(raw) is not None
    assert len(queries) == 1  # the stamps alone: the token is kept
    change(raw, world)
    again = api_token_check(raw)
    if change is _move:
        assert again is not None and again.user.staff_profile.agency == world.justice
    else:
        assert again is None


def test_each_watch_has_its_own_stamp(world: World) -> None:
    """A balance written changes the balances' stamp alone: the catalogue stays kept."""
    config, balances = config_stamp("default", CONFIG), config_stamp("default", BALANCES)
    MonthBalance.objects.bulk_create(
        [
            MonthBalance(
                day=MONDAY.replace(day=1),
                agency_id=world.justice.pk,
                field=world.field,
                level="province",
                n=1,
            )
        ]
    )
    assert config_stamp("default", CONFIG) == config
    assert config_stamp("default", BALANCES) != balances
    assert config_triggers_missing(connection) == []
    assert "rollup_monthbalance" in watched_tables(BALANCES)
