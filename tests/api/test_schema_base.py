"""``api.base.ApiSchema``: a plain dict is validated once and as it is; everything ninja's
getter would change (model instances, dotted aliases, resolvers, callables, querysets)
still goes through it, so the answers are those of ninja's ``Schema``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from ninja import Field, Schema
from pydantic import ConfigDict, ValidationError, field_validator

from motcua.api.base import ApiSchema
from motcua.api.schemas import DossierSummary, ReceiveIn
from motcua.catalog.models import Part
from motcua.dossiers.models import Dossier
from tests.world import World

calls: list[str] = []


def _counted(base: type[Schema]) -> type[Schema]:
    """A schema on ``base`` that forbids unknown fields and counts its validations."""

    class Counted(base):  # type: ignore[misc, valid-type]  # a base given at run time
        model_config = ConfigDict(extra="forbid")
        name: str

        @field_validator("name")
        @classmethod
        def _count(cls, value: str) -> str:
            calls.append(value)
            return value

    return Counted


Counted = _counted(ApiSchema)
NinjaCounted = _counted(Schema)


class Inner(ApiSchema):
    at: dt.datetime
    n: int


class Outer(ApiSchema):
    code: str
    inner: list[Inner]
    label: str = Field(alias="kind.label")


class Resolved(ApiSchema):
    code: str
    shout: str

    @staticmethod
    def resolve_shout(obj: Any) -> str:
        return str(obj["code"]).upper()


class Obj:
    def __init__(self) -> None:
        self.code = "X"
        self.inner = [{"at": "2026-12-07T08:00:00+07:00", "n": "3"}]
        self.kind = type("Kind", (), {"label": "nhãn"})()


def test_a_plain_dict_is_validated_once_where_ninja_validates_it_twice() -> None:
    # The second half describes ninja (1.x) itself: if a version of ninja stops validating
    # twice, this fails to say that the override may no longer be needed.
    calls.clear()
    Counted.model_validate({"name": "a"})
    assert calls == ["a"]
    calls.clear()
    NinjaCounted.model_validate({"name": "a"})
    assert calls == ["a", "a"]


def test_unknown_fields_are_still_refused() -> None:
    with pytest.raises(ValidationError, match="extra_forbidden"):
        Counted.model_validate({"name": "a", "nam": "b"})
    with pytest.raises(ValidationError, match="extra_forbidden"):
        ReceiveIn.model_validate(
            {"procedure": "1.001234", "applicant": {"name": "A", "phon": "0912"}}
        )


def test_nested_dicts_coerce_as_before() -> None:
    value = Inner.model_validate({"at": "2026-12-07T08:00:00+07:00", "n": "3"})
    assert value.n == 3 and value.at.utcoffset() == dt.timedelta(hours=7)


def test_an_object_with_a_dotted_alias_goes_through_ninja() -> None:
    out = Outer.model_validate(Obj())
    assert out.label == "nhãn" and out.inner[0].n == 3


def test_a_callable_value_is_called_as_ninja_does() -> None:
    assert (
        Inner.model_validate({"at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "n": lambda: 7}).n == 7
    )


class Named(ApiSchema):
    name: str


class WithFile(ApiSchema):
    file: str | None
    parts: list[Named] = []


@pytest.mark.django_db
def test_a_file_and_a_manager_in_a_dict_are_read_as_ninja_reads_them(world: World) -> None:
    """What ninja's getter turns into values: an empty file into None, a related manager
    into its rows."""
    # Without an instance (the stubs want a model): an empty file is read as None all the same.
    empty = FieldFile(None, FileField(name="file"), "")  # type: ignore[arg-type]
    assert WithFile.model_validate({"file": empty}).file is None
    Part.objects.create(version=world.procedure, position=1, name="Tờ khai")
    shown = WithFile.model_validate({"file": None, "parts": world.procedure.parts})
    assert [p.name for p in shown.parts] == ["Tờ khai"]


def test_a_resolver_is_used_for_a_dict() -> None:
    assert Resolved.model_validate({"code": "ab", "shout": "ignored"}).shout == "AB"


@pytest.mark.django_db
def test_a_dossier_summary_reads_the_model_as_before(world: World) -> None:
    from motcua.dossiers.applicants import Applicant
    from motcua.dossiers.services import dossier_receive
    from tests.api.conftest import applicant_json

    dossier = dossier_receive(
        procedure_version=world.procedure,
        applicant=Applicant(**applicant_json()),
        actor=world.clerk,
        receiving_unit=world.center,
    )
    summary = DossierSummary.model_validate(Dossier.objects.get(pk=dossier.pk))
    assert summary.procedure_code == world.procedure.procedure.code
    assert summary.status_label == str(dossier.get_status_display())
    assert summary.agency_code == dossier.agency.code
