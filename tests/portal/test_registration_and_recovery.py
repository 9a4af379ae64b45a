"""Registration tells nobody who is registered and is limited; a citizen who forgot the
password gets a code through the outbox and sets a new one."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from motcua.notify.models import Channel, Message
from motcua.portal.accounts import AccountError, password_reset_confirm, password_reset_request
from motcua.portal.models import CitizenIdentity

from .conftest import PASSWORD, Portal

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
NEW = "Mat-khau-moi-2026"


def _register(identifier: str, ip: str = "10.0.0.1") -> tuple[int, str, str]:
    client = Client()
    response = client.post(
        "/ca-nhan/dang-ky/",
        {"full_name": "Ai Đó", "identifier": identifier, "password": NEW, "password2": NEW},
        REMOTE_ADDR=ip,
    )
    location = response.get("Location", "")
    page = client.get(location).content.decode() if location else response.content.decode()
    return response.status_code, location, re.sub(r'value="[^"]*"|"X-CSRFToken": "[^"]*"', "", page)


def test_registration_answers_the_same_for_a_registered_address(portal: Portal) -> None:
    taken = _register("an.nguyen@example.vn")
    free = _register("moi@example.vn", ip="10.0.0.2")
    assert taken == free
    assert taken[0] == 302 and "đã được đăng ký" not in taken[2]
    # The new account exists; the registered one keeps its owner and password.
    assert CitizenIdentity.objects.filter(subject="moi@example.vn").exists()
    assert CitizenIdentity.objects.filter(subject="an.nguyen@example.vn").count() == 1
    assert Client().login(username="an.nguyen@example.vn", password=PASSWORD)
    # Each owner learns which it was through the outbox, not the page.
    notice = Message.objects.filter(recipient="an.nguyen@example.vn").latest("id")
    assert "đã có tài khoản" in notice.body and "/ca-nhan/quen-mat-khau/" in notice.body
    welcome = Message.objects.get(recipient="moi@example.vn")
    assert "đã được tạo" in welcome.body


def test_registration_by_phone_answers_the_same_and_texts_the_owner(portal: Portal) -> None:
    assert _register("0912000111")[0] == 302
    taken = _register("+84 912 000 111", ip="10.0.0.2")
    free = _register("0912000222", ip="10.0.0.3")
    assert taken == free
    sms = Message.objects.filter(channel=Channel.SMS).order_by("id")
    assert [m.recipient for m in sms] == ["0912000111", "0912000111", "0912000222"]
    assert "da co tai khoan" in sms[1].body


def test_registration_is_limited_per_address(portal: Portal) -> None:
    statuses = [_register(f"nguoi{i}@example.vn", ip="10.9.9.9")[0] for i in range(25)]
    assert statuses[:10] == [302] * 10 and statuses[10:] == [429] * 15
    assert CitizenIdentity.objects.filter(subject__startswith="nguoi").count() == 10
    # Another address is not affected.
    assert _register("khac@example.vn", ip="10.9.9.10")[0] == 302


def _codes_sent(recipient: str) -> int:
    return Message.objects.filter(recipient=recipient, subject="Mã khôi phục mật khẩu").count()


def _code(recipient: str) -> str:
    message = Message.objects.filter(recipient=recipient).order_by("-id").first()
    assert message is not None
    match = re.search(r"\b(\d{6})\b", message.body)
    assert match
    return match.group(1)


def test_password_recovery_end_to_end(portal: Portal) -> None:
    login_page = Client().get("/ca-nhan/dang-nhap/").content.decode()
    assert 'href="/ca-nhan/quen-mat-khau/"' in login_page
    client = Client()
    with time_machine.travel(T0, tick=False):
        asked = client.post("/ca-nhan/quen-mat-khau/", {"identifier": "An.Nguyen@example.vn"})
        assert asked.status_code == 302 and asked["Location"] == "/ca-nhan/quen-mat-khau/dat-lai/"
        form = client.get(asked["Location"]).content.decode()
        assert 'value="An.Nguyen@example.vn"' in form  # carried in the session, not the URL
        code = _code("an.nguyen@example.vn")
        done = client.post(
            "/ca-nhan/quen-mat-khau/dat-lai/",
            {"identifier": "an.nguyen@example.vn", "code": code, "password": NEW, "password2": NEW},
        )
        assert done.status_code == 302 and done["Location"] == "/ca-nhan/dang-nhap/"
        fresh = Client()
        old = fresh.post(
            "/ca-nhan/dang-nhap/", {"identifier": "an.nguyen@example.vn", "password": PASSWORD}
        )
        assert old.status_code == 200
        ok = fresh.post(
            "/ca-nhan/dang-nhap/", {"identifier": "an.nguyen@example.vn", "password": NEW}
        )
        assert ok.status_code == 302
        # The code was good once.
        again = client.post(
            "/ca-nhan/quen-mat-khau/dat-lai/",
            {
                "identifier": "an.nguyen@example.vn",
                "code": code,
                "password": PASSWORD,
                "password2": PASSWORD,
            },
        )
        assert again.status_code == 200 and "đã hết hạn" in again.content.decode()


def test_recovery_answers_the_same_for_an_unknown_address(portal: Portal) -> None:
    known = Client().post("/ca-nhan/quen-mat-khau/", {"identifier": "an.nguyen@example.vn"})
    unknown = Client().post("/ca-nhan/quen-mat-khau/", {"identifier": "khong.co@example.vn"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert Message.objects.filter(recipient="khong.co@example.vn").count() == 0
    assert _codes_sent("an.nguyen@example.vn") == 1


def test_an_expired_code_is_refused(portal: Portal) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        password_reset_request(identifier="an.nguyen@example.vn", ip="10.0.0.1")
        code = _code("an.nguyen@example.vn")
        clock.shift(dt.timedelta(minutes=16))
        with pytest.raises(AccountError):
            password_reset_confirm(
                identifier="an.nguyen@example.vn", code=code, password=NEW, ip="10.0.0.1"
            )
    assert Client().login(username="an.nguyen@example.vn", password=PASSWORD)


def test_a_new_code_replaces_the_old_and_wrong_tries_are_limited(portal: Portal) -> None:
    with time_machine.travel(T0, tick=False):
        password_reset_request(identifier="an.nguyen@example.vn", ip="10.0.0.1")
        first = _code("an.nguyen@example.vn")
        password_reset_request(identifier="an.nguyen@example.vn", ip="10.0.0.1")
        second = _code("an.nguyen@example.vn")
        if first != second:
            with pytest.raises(AccountError):
                password_reset_confirm(
                    identifier="an.nguyen@example.vn", code=first, password=NEW, ip="10.0.0.1"
                )
        wrong = "000000" if second != "000000" else "111111"
        for _ in range(5):
            with pytest.raises(AccountError):
                password_reset_confirm(
                    identifier="an.nguyen@example.vn", code=wrong, password=NEW, ip="10.0.0.1"
                )
        # Five wrong tries spent the code: even the right one no longer works.
        with pytest.raises(AccountError):
            password_reset_confirm(
                identifier="an.nguyen@example.vn", code=second, password=NEW, ip="10.0.0.1"
            )


def test_recovery_requests_are_limited_per_account_and_per_address(portal: Portal) -> None:
    with time_machine.travel(T0, tick=False):
        for i in range(5):
            password_reset_request(identifier="an.nguyen@example.vn", ip=f"10.1.0.{i}")
        # Three codes an hour per account, whatever the addresses.
        assert _codes_sent("an.nguyen@example.vn") == 3
        statuses = [
            Client()
            .post(
                "/ca-nhan/quen-mat-khau/",
                {"identifier": f"x{i}@example.vn"},
                REMOTE_ADDR="10.2.2.2",
            )
            .status_code
            for i in range(7)
        ]
        assert statuses[:5] == [302] * 5 and statuses[5:] == [429, 429]


def test_a_short_password_and_a_mismatch_are_both_reported_and_the_rest_is_kept(
    portal: Portal,
) -> None:
    page = portal.client().post(
        "/ca-nhan/dang-ky/",
        {
            "full_name": "Trần Thị Bình",
            "identifier": "binh@example.vn",
            "password": "abc1",
            "password2": "abc2",
        },
    )
    html = page.content.decode()
    assert "Hai mật khẩu không giống nhau." in html
    password_errors = html[html.index('id="id_password-error"') :]
    # Django's validator: "quá ngắn … 8 ký tự" (its wording depends on its catalogue).
    assert "8" in password_errors[: password_errors.index("</ul>")]
    # Name and identifier kept; the passwords not (said on the page).
    assert 'value="Trần Thị Bình"' in html and 'value="binh@example.vn"' in html
    assert "abc1" not in html and "hai ô mật khẩu không được giữ lại" in html
    assert not User.objects.filter(username="binh@example.vn").exists()


def test_every_password_rule_speaks_the_page_language(portal: Portal) -> None:
    form = {"full_name": "Trần Thị Bình", "identifier": "binh@example.vn"}
    short = {**form, "password": "ab1", "password2": "ab1"}
    html = portal.client().post("/ca-nhan/dang-ky/", short).content.decode()
    assert "Mật khẩu quá ngắn. Nó phải chứa ít nhất 8 ký tự." in html
    assert "too short" not in html
    numeric = {**form, "password": "12345678", "password2": "12345678"}
    html = portal.client().post("/ca-nhan/dang-ky/", numeric).content.decode()
    assert "Mật khẩu này quá phổ biến." in html and "Mật khẩu này hoàn toàn là số." in html
    english = portal.client()
    english.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = english.post("/ca-nhan/dang-ky/", short).content.decode()
    assert "This password is too short. It must contain at least 8 characters." in html
