"""The SMS transport is chosen by settings; the two built-in ones write what they send."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_django import Settings

from motcua.notify.transports import ConsoleSMS, FileSMS, InvalidPhone, sms_transport


def test_file_sms_appends_one_json_line_per_message(sms_file: Path) -> None:
    transport = sms_transport()
    assert isinstance(transport, FileSMS)
    transport.send("0912345678", "Hồ sơ đã có kết quả")
    transport.send("0387654321", "second")
    lines = [json.loads(line) for line in sms_file.read_text(encoding="utf-8").splitlines()]
    assert [(r["to"], r["text"]) for r in lines] == [
        ("+84912345678", "Hồ sơ đã có kết quả"),
        ("+84387654321", "second"),
    ]


def test_console_sms_prints(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "SMS_BACKEND": "motcua.notify.transports.ConsoleSMS"}
    transport = sms_transport()
    assert isinstance(transport, ConsoleSMS)
    transport.send("0912345678", "xin chao")
    assert capsys.readouterr().out == "SMS → +84912345678: xin chao\n"


def test_a_transport_refuses_a_number_that_is_not_a_mobile(sms_file: Path) -> None:
    with pytest.raises(InvalidPhone):
        FileSMS().send("0261 3544 000", "x")
    assert not sms_file.exists()


def test_a_backend_without_send_is_refused(settings: Settings) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "SMS_BACKEND": "pathlib.PurePath"}
    with pytest.raises(TypeError, match="send"):
        sms_transport()
