"""The base of the API's schemas: ninja's ``Schema`` with a plain dict validated once, as
pydantic validates it.

ninja wraps whatever a schema validates in its ``DjangoGetter``, which reads attributes of
model instances, follows dotted aliases, calls ``resolve_*`` methods and turns managers,
querysets, callables and files into values; a schema that forbids unknown fields is
validated twice, once as given and once so wrapped. The API's bodies are JSON objects and
most of its answers are dicts that the views build: for those the wrapper changes nothing
and cost about 0.2 ms of a receipt's CPU (issue 15 item 9). A dict whose values are plain,
for a schema without resolvers, is validated as it is; anything else takes ninja's way.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Manager, QuerySet
from django.db.models.fields.files import FieldFile
from ninja import Schema
from pydantic import ValidationInfo, model_validator
from pydantic.functional_validators import ModelWrapValidatorHandler

# What ninja's getter would turn into something else (``DjangoGetter._convert_result``).
_CONVERTED = (Manager, QuerySet, FieldFile)


def _plain(values: Any) -> bool:
    """Whether ninja's getter would read ``values`` (a dict) as it is."""
    return type(values) is dict and not any(
        callable(v) or isinstance(v, _CONVERTED) for v in values.values()
    )


class ApiSchema(Schema):
    """ninja's ``Schema``, validating a plain dict once and as it is (see the module)."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        if not cls._ninja_resolvers and _plain(values):
            return handler(values)
        # At run time the class attribute is ninja's class method (pydantic unwraps it).
        return super()._run_root_validator(values, handler, info)  # type: ignore[operator]
