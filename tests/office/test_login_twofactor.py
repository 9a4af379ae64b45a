"""One login for staff and administrators (the admin has none of its own), and the second
factor: required for superusers, available to every staff account, codes limited like
passwords."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.models import AuditEvent

from .conftest import PASSWORD, World
from .test_login import T0, attempt


def _superuser() -> User:
    return User.objects.create_superuser("root", password=PASSWORD)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_fifty_wrong_passwords_on_the_admin_login_are_locked(world: World) -> None:
    _superuser()
    with time_machine.travel(T0, tick=False):
        # The admin's own login form is gone: it sends to the one limited login.
        response = Client().get("/quan-tri/login/?next=/quan-tri/")
        assert response.status_code == 302
        assert response["Location"] == "/dang-nhap/?next=%2Fquan-tri%2F"
        assert Client().post("/quan-tri/login/", {"username": "root"}).status_code == 302
        statuses = [attempt(Client(), "root", f"sai-{i}", ip="10.7.7.7") for i in range(50)]
        assert statuses[:4] == [200] * 4 and set(statuses[4:]) == {429}
        # ...and the right password waits too.
        assert attempt(Client(), "root", PASSWORD, ip="10.7.7.7") == 429


def test_a_superuser_without_a_device_cannot_open_the_admin(world: World) -> None:
    root = _superuser()
    client = Client()
    with time_machine.travel(T0, tick=False):
        response = client.post("/dang-nhap/", {"username": "root", "password": PASSWORD})
        # Signed in, but only to enrol a device.
        assert response["Location"] == "/xac-thuc-hai-buoc/"
        admin = client.get("/quan-tri/", follow=True)
        assert admin.redirect_chain[-1][0].startswith("/xac-thuc-hai-buoc/")
        assert client.get("/quan-tri/auth/user/").status_code == 302
        # Enrolment: QR code and secret, confirmed with a code from the app.
        page = client.get("/xac-thuc-hai-buoc/").content.decode()
        assert "<svg" in page and "otp-secret" in page
        device = TOTPDevice.objects.get(user=root, confirmed=False)
        assert client.post("/xac-thuc-hai-buoc/", {"code": "000000"}).status_code == 200
        assert not TOTPDevice.objects.filter(user=root, confirmed=True).exists()
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        done = client.post("/xac-thuc-hai-buoc/", {"code": _code(device), "next": "/quan-tri/"})
        assert done.status_code == 302 and done["Location"] == "/quan-tri/"
        assert client.get("/quan-tri/").status_code == 200
    assert AuditEvent.objects.filter(action="otp.enrolled", object_id=str(root.pk)).exists()


def test_a_reload_of_the_enrolment_page_draws_a_new_secret(world: World) -> None:
    client = Client()
    client.force_login(world.leader)
    first = re.search(r'otp-secret">([^<]+)<', client.get("/xac-thuc-hai-buoc/").content.decode())
    second = re.search(r'otp-secret">([^<]+)<', client.get("/xac-thuc-hai-buoc/").content.decode())
    assert first and second and first.group(1) != second.group(1)
    assert TOTPDevice.objects.filter(user=world.leader).count() == 1


def test_a_staff_account_with_a_device_must_give_the_code(world: World) -> None:
    device = _device(world.leader)
    client = Client()
    with time_machine.travel(T0, tick=False):
        response = client.post("/dang-nhap/", {"username": "leader", "password": PASSWORD})
        assert response["Location"] == "/dang-nhap/ma-xac-thuc/"
        # The password alone signs nobody in.
        assert client.get("/can-bo/").status_code == 302
        wrong = client.post("/dang-nhap/ma-xac-thuc/", {"code": "123456"})
        assert wrong.status_code == 200 and "Mã xác thực không đúng" in wrong.content.decode()
        assert client.get("/can-bo/").status_code == 302
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        ok = client.post("/dang-nhap/ma-xac-thuc/", {"code": _code(device)})
        assert ok.status_code == 302 and ok["Location"] == "/can-bo/"
        assert client.get("/can-bo/").status_code == 200


def test_codes_are_limited_like_passwords(world: World) -> None:
    device = _device(world.leader)
    client = Client()
    with time_machine.travel(T0, tick=False) as clock:
        client.post("/dang-nhap/", {"username": "leader", "password": PASSWORD})
        statuses = []
        for _ in range(6):
            clock.shift(dt.timedelta(seconds=40))  # past django-otp's own back-off
            statuses.append(client.post("/dang-nhap/ma-xac-thuc/", {"code": "000000"}).status_code)
        assert statuses[:4] == [200] * 4 and statuses[4:] == [429, 429]
        # While locked even the right code is refused, and so is the password.
        locked = client.post("/dang-nhap/ma-xac-thuc/", {"code": _code(device)})
        assert locked.status_code == 429
        assert client.get("/can-bo/").status_code == 302
        assert attempt(Client(), "leader", PASSWORD, ip="127.0.0.1") == 429


def test_an_administrator_resets_a_lost_device(world: World) -> None:
    _device(world.leader)
    out = StringIO()
    call_command("otp_reset", "leader", stdout=out)
    assert "1 device(s) removed" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=world.leader).exists()
    # The password alone signs in again; the leader may enrol a new phone.
    assert attempt(Client(), "leader", PASSWORD) == 302
    assert AuditEvent.objects.filter(action="otp.reset").exists()


def test_the_admin_lists_devices_so_an_administrator_can_remove_one(world: World) -> None:
    _device(world.leader)
    root = _superuser()
    client = Client()
    client.force_login(root)
    assert client.get("/quan-tri/otp_totp/totpdevice/").status_code == 200


def test_staff_pages_link_to_the_enrolment(world: World) -> None:
    client = Client()
    client.force_login(world.clerk)
    assert 'href="/xac-thuc-hai-buoc/"' in client.get("/can-bo/").content.decode()


def test_the_second_factor_pages_speak_english_once_chosen(world: World) -> None:
    _device(world.clerk)
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/dang-nhap/"})
    client.post("/dang-nhap/", {"username": "clerk", "password": PASSWORD})
    code_page = client.get("/dang-nhap/ma-xac-thuc/").content.decode()
    assert "Verification code" in code_page and "Mã xác thực" not in code_page
    other = Client()
    other.post("/i18n/setlang/", {"language": "en", "next": "/dang-nhap/"})
    other.force_login(world.leader)
    setup = other.get("/xac-thuc-hai-buoc/").content.decode()
    assert "Two-step verification" in setup and "Xác thực hai bước" not in setup
