"""The audit trail as an auditor needs it: the client address on every row written while
serving a request, refused reads, readable actions and names, search by name, CSV."""

from __future__ import annotations

import csv
import io
from typing import TypedDict

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from pytest_django import Settings

from motcua.core.models import AuditEvent

from .conftest import World, login
from .test_views import post_action, received

pytestmark = pytest.mark.django_db


# The request's addresses, as a client behind proxies sends them (WSGI environ keys).
class Forwarded(TypedDict):
    REMOTE_ADDR: str
    HTTP_X_FORWARDED_FOR: str


def named(world: World) -> None:
    world.leader.last_name, world.leader.first_name = "Nguyễn Thị", "Lan"
    world.leader.save()


def test_dossier_reads_and_changes_record_the_client_address(world: World) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    dossier = received(world, client)
    # The counter holds its step: the clerk hands it over (services.holder).
    post_action(client, dossier, "chuyen-xu-ly", {"version": dossier.version, "note": "x"})
    login(client, world.specialist)
    client.get(f"/can-bo/ho-so/{dossier.code}/")
    rows = AuditEvent.objects.filter(object_type="dossier", object_id=dossier.code)
    assert {"received", "read"} <= set(rows.values_list("action", flat=True))
    assert set(rows.values_list("ip", flat=True)) == {"203.0.113.7"}


def test_forwarded_for_is_trusted_only_as_far_as_the_configured_proxies(
    world: World, settings: Settings
) -> None:
    dossier = world.dossier()
    client = login(Client(), world.leader)
    forwarded: Forwarded = {
        "REMOTE_ADDR": "10.0.0.2",
        "HTTP_X_FORWARDED_FOR": "198.51.100.1, 192.0.2.9",
    }
    client.get(f"/can-bo/ho-so/{dossier.code}/", **forwarded)
    settings.MOTCUA = {**settings.MOTCUA, "TRUSTED_PROXIES": "1"}
    client.get(f"/can-bo/ho-so/{dossier.code}/", **forwarded)
    ips = list(AuditEvent.objects.filter(action="read").order_by("id").values_list("ip", flat=True))
    # No proxy configured: the forged header is ignored. One proxy: the address it saw, not
    # the client's own claim further left.
    assert ips == ["10.0.0.2", "192.0.2.9"]


def test_a_refused_read_is_logged_as_denied(world: World) -> None:
    dossier = world.dossier()
    client = login(Client(REMOTE_ADDR="203.0.113.8"), world.outsider)
    assert client.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 404
    assert client.get("/can-bo/ho-so/KHONG-CO/").status_code == 404
    denied = AuditEvent.objects.filter(action="read.denied", actor=world.outsider).order_by("id")
    assert [(e.object_id, e.data["exists"], e.ip) for e in denied] == [
        (dossier.code, True, "203.0.113.8"),
        ("KHONG-CO", False, "203.0.113.8"),
    ]
    assert not AuditEvent.objects.filter(action="read", actor=world.outsider).exists()


def test_the_trail_shows_labels_and_full_names(world: World) -> None:
    named(world)
    dossier = world.dossier()
    login(Client(), world.leader).get(f"/can-bo/ho-so/{dossier.code}/")
    Client().post("/dang-nhap/", {"username": "leader", "password": "mat-khau-thu-nghiem"})
    page = login(Client(), world.auditor).get("/can-bo/nhat-ky/").content.decode()
    assert "Xem hồ sơ" in page
    assert "Nguyễn Thị Lan" in page
    assert "Tài khoản Nguyễn Thị Lan" in page  # the login's object, not "user 6"
    assert "<code>read</code>" not in page
    assert '<select name="action"' in page and 'value="handover"' in page


def test_search_by_a_name_without_diacritics(world: World) -> None:
    named(world)
    dossier = world.dossier()
    login(Client(), world.leader).get(f"/can-bo/ho-so/{dossier.code}/")
    login(Client(), world.specialist).get(f"/can-bo/ho-so/{dossier.code}/")
    page = login(Client(), world.auditor).get("/can-bo/nhat-ky/?actor=nguyen+thi+lan&action=read")
    rows = page.content.decode().split("<tbody>")[1]
    assert rows.count("Xem hồ sơ") == 1 and "Nguyễn Thị Lan" in rows


def test_csv_export_of_the_filtered_trail(world: World) -> None:
    named(world)
    dossier = world.dossier()
    login(Client(REMOTE_ADDR="203.0.113.9"), world.leader).get(f"/can-bo/ho-so/{dossier.code}/")
    response = login(Client(), world.auditor).get("/can-bo/nhat-ky/?action=read&fmt=csv")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][1] == "Người thực hiện"
    assert len(rows) == 2
    assert rows[1][1:] == [
        "Nguyễn Thị Lan",
        "leader",
        "Xem hồ sơ",
        "read",
        f"Hồ sơ {dossier.code}",
        "203.0.113.9",
    ]
    assert AuditEvent.objects.filter(action="audit.export", actor=world.auditor).exists()


def test_csv_export_keeps_typed_usernames_as_text(world: World) -> None:
    Client().post("/dang-nhap/", {"username": "=HYPERLINK(1)", "password": "x"})
    response = login(Client(), world.auditor).get("/can-bo/nhat-ky/?action=login.failed&fmt=csv")
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][2] == "'=hyperlink(1)"
    assert not any(cell.startswith("=") for row in rows for cell in row)
