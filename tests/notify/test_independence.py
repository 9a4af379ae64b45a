"""``notify`` is a generic outbox: it imports no domain app, names none (no importlib hook,
no dotted path in a string), and its model points at no other app's table; and the dossier
services reach the outbox only through ``dossiers.notices``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.db import models

import motcua
from motcua.notify.models import Message, PeriodicJob

SRC = Path(motcua.__file__).parent
NOTIFY = SRC / "notify"
# The domain apps: every installed motcua app but notify itself and ``core`` (which knows no
# domain app either). Project modules that are no app (``motcua.cli``, settings) are allowed.
DOMAIN = {
    c.name.split(".")[1] for c in django_apps.get_app_configs() if c.name.startswith("motcua.")
} - {"notify", "core"}


def _modules(folder: Path, *, migrations: bool = False) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*.py")
        if migrations or "migrations" not in p.relative_to(folder).parts
    )


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _app(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "motcua" and len(parts) > 1 else None


@pytest.mark.parametrize("path", _modules(NOTIFY), ids=lambda p: str(p.relative_to(SRC)))
def test_notify_imports_no_domain_app(path: Path) -> None:
    imported = {_app(m) for m in _imports(path)} & DOMAIN
    assert not imported, f"{path.relative_to(SRC)} imports motcua.{imported}"
    # Nor through a string (importlib, import_string, autodiscovery by name).
    named = set(re.findall(r"motcua\.(\w+)", path.read_text(encoding="utf-8"))) & DOMAIN
    assert not named, f"{path.relative_to(SRC)} names motcua.{named}"


def test_the_check_sees_imports_of_every_form(tmp_path: Path) -> None:
    # The walker above must not be blind: each form of import of a domain app is seen.
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import motcua.dossiers.models\n"
        "from motcua.feedback import services\n"
        "def f():\n    from motcua.portal.views import lookup\n",
        encoding="utf-8",
    )
    assert {_app(m) for m in _imports(sample)} == {"dossiers", "feedback", "portal"}


def test_the_domain_apps_are_known() -> None:
    assert {"dossiers", "feedback", "office", "portal", "reports"} <= DOMAIN


@pytest.mark.parametrize("model", [Message, PeriodicJob])
def test_the_outbox_points_at_no_other_table(model: type[models.Model]) -> None:
    relations = [f.name for f in model._meta.get_fields() if f.is_relation]
    assert relations == []


def test_the_dossier_services_reach_the_outbox_only_through_notices() -> None:
    services = SRC / "dossiers" / "services"
    for path in _modules(services):
        assert not {m for m in _imports(path) if _app(m) == "notify"}, path.name
