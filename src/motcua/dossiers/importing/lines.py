"""Reading JSONL import files and checking each line against its JSON schema.

Every line is checked against the published schema (JSON Schema Draft 2020-12, timestamps
checked as RFC 3339 date-times with an offset). ``jsonschema`` is the authority and words the
errors, but it takes ~300 µs a line; a million-line history would spend minutes there. So
each schema is also compiled with ``fastjsonschema`` (~20 µs), which accepts the valid lines;
only the lines it rejects go through ``jsonschema`` for the precise field and message. The
two agree because the schemas use only keywords whose meaning is the same in draft-07 and
2020-12 (type, enum, required, properties, additionalProperties, items, minimum, format);
tests/dossiers/test_import_lines.py checks the agreement.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from motcua.dossiers.importing.history import RFC3339_RE

REQUIRED_RE = re.compile(r"^'(.+)' is a required property$")
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class LineError:
    """One problem in an import: the line (1-based), the field path and what is wrong."""

    line: int
    field: str
    message: str

    def format(self, source: str) -> str:
        where = f"{source}:{self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    """Nothing was imported; ``errors`` lists every problem found."""

    def __init__(self, errors: list[LineError], source: str = "input") -> None:
        self.errors = errors
        self.source = source
        super().__init__(f"{len(errors)} error(s) in {source}; nothing imported")

    def lines(self) -> list[str]:
        return [error.format(self.source) for error in self.errors]


@dataclass(frozen=True, slots=True)
class Unparsed:
    """A line that is not a JSON object."""

    message: str


# A source yields (line number, parsed object); it is called once per pass.
Source = Callable[[], Iterator[tuple[int, "dict[str, Any] | Unparsed"]]]


def parse_line(text: str) -> dict[str, Any] | Unparsed:
    """One JSONL line as the object it holds, or why it is not one."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return Unparsed(f"not valid JSON: {exc.msg} (column {exc.colno})")
    if not isinstance(obj, dict):
        return Unparsed("not a JSON object")
    return obj


# Like ``Source``, but a line may still be its text: parsed with ``parse_line`` by whoever
# checks it (the import's worker processes, which so receive a line and not an object).
RawSource = Callable[[], Iterator[tuple[int, "str | dict[str, Any] | Unparsed"]]]


def jsonl_lines(path: Path | str) -> RawSource:
    """Each non-blank line of a UTF-8 JSONL file as its text, read lazily."""

    def read() -> Iterator[tuple[int, str | dict[str, Any] | Unparsed]]:
        with open(path, encoding="utf-8") as handle:
            for number, text in enumerate(handle, start=1):
                if text.strip():
                    yield number, text

    return read


def jsonl_source(path: Path | str) -> Source:
    """Each non-blank line of a UTF-8 JSONL file, read lazily (never the whole file)."""

    def read() -> Iterator[tuple[int, dict[str, Any] | Unparsed]]:
        with open(path, encoding="utf-8") as handle:
            for number, text in enumerate(handle, start=1):
                if text.strip():
                    yield number, parse_line(text)

    return read


def records_source(records: Iterable[dict[str, Any]]) -> Source:
    """In-memory records; numbered from 1 like lines. A one-shot iterator is materialised
    (the import reads its input twice: validate, then write)."""
    items = records if isinstance(records, list | tuple) else list(records)

    def read() -> Iterator[tuple[int, dict[str, Any] | Unparsed]]:
        for number, obj in enumerate(items, start=1):
            yield number, obj if isinstance(obj, dict) else Unparsed("not a JSON object")

    return read


def canonical_sha256(obj: Any) -> str:
    """The hash of a record's canonical JSON: the same content gives the same key."""
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _check_datetime(value: object) -> bool:
    if isinstance(value, str) and not RFC3339_RE.match(value):
        raise ValueError("not an RFC 3339 date-time with a UTC offset")
    return True


def _format_path(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class LineSchema:
    """A JSON schema ready to check many lines fast, with precise messages on failure."""

    def __init__(self, schema: dict[str, Any]) -> None:
        checker = FormatChecker(formats=())
        checker.checks("date-time", raises=ValueError)(_check_datetime)
        self.validator = Draft202012Validator(schema, format_checker=checker)
        fast_schema = dict(schema, **{"$schema": "http://json-schema.org/draft-07/schema#"})
        self._fast = fastjsonschema.compile(fast_schema, formats={"date-time": RFC3339_RE.pattern})

    def errors(self, obj: dict[str, Any]) -> list[tuple[str, str]]:
        """(field, message) for each way ``obj`` breaks the schema; empty when valid."""
        try:
            self._fast(obj)
            return []
        except fastjsonschema.JsonSchemaException:
            pass
        return sorted(_describe(error) for error in self.validator.iter_errors(obj))


def _describe(error: ValidationError) -> tuple[str, str]:
    path = list(error.absolute_path)
    if error.validator == "required":
        # jsonschema yields one error per missing property, named in its message.
        missing = REQUIRED_RE.match(error.message)
        if missing:
            return _format_path([*path, missing[1]]), "required"
    if error.validator == "format":
        return _format_path(path), f"{error.instance!r} is not a date-time with a UTC offset"
    return _format_path(path) or "(record)", error.message


@cache
def line_schema(name: str) -> LineSchema:
    """``dossier-history`` or ``guidance``."""
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    return LineSchema(schema)
