"""How a message leaves the system: e-mail through Django's mail backends, SMS through the
backend named in ``settings.MOTCUA["SMS_BACKEND"]`` (a dotted path to an ``SMSTransport``)."""

from __future__ import annotations

import json
import re
import smtplib
import sys
from pathlib import Path
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django.utils.module_loading import import_string

DEFAULT_SMS_BACKEND = "motcua.notify.transports.FileSMS"


class PermanentError(Exception):
    """Raised by a transport when retrying cannot help (an invalid address, say): the
    message fails at once instead of after every back-off."""


class InvalidPhone(ValueError):
    pass


# Vietnamese mobile numbers since the 2018 re-numbering: 10 digits, 03x/05x/07x/08x/09x
# (landlines start with 02). Hand-written rather than `phonenumbers`: one country, one
# rule, and no 10 MB of metadata for it.
_MOBILE = re.compile(r"0[35789]\d{8}")
_SEPARATORS = re.compile(r"[\s.\-()]")


def phone_normalise(raw: str) -> str:
    """A Vietnamese mobile number in its national form ``0xxxxxxxxx``.

    Accepts ``0912 345 678``, ``091.234.5678``, ``+84 912 345 678``, ``84912345678`` and
    ``0084912345678``; raises ``InvalidPhone`` for anything else (landlines included).
    """
    number = _SEPARATORS.sub("", raw.strip())
    if number.startswith("+84"):
        number = "0" + number[3:]
    elif number.startswith("0084"):
        number = "0" + number[4:]
    elif number.startswith("84") and len(number) == 11:
        number = "0" + number[2:]
    if not _MOBILE.fullmatch(number):
        raise InvalidPhone(f"không phải số điện thoại di động Việt Nam: {raw!r}")
    return number


def phone_e164(national: str) -> str:
    """``0912345678`` → ``+84912345678`` (what most SMS gateways expect)."""
    return "+84" + phone_normalise(national)[1:]


@runtime_checkable
class SMSTransport(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Send ``text`` to ``phone`` (national form); raise on failure
        (``PermanentError`` when a retry cannot succeed). Must give up well within the
        worker's claim (``worker.LEASE``, 10 minutes)."""


class FileSMS:
    """Appends one JSON line per SMS to ``SMS_FILE_PATH`` (default
    ``MOTCUA_DATA_DIR/sms/outbox.jsonl``): the SMS counterpart of Django's file mail backend,
    for trials and the demo."""

    def __init__(self, path: Path | str | None = None) -> None:
        default = Path(settings.DATA_DIR) / "sms" / "outbox.jsonl"
        self.path = Path(path) if path else Path(getattr(settings, "SMS_FILE_PATH", default))

    def send(self, phone: str, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "to": phone_e164(phone), "text": text},
            ensure_ascii=False,
        )
        # One write of one line in append mode: concurrent workers do not interleave lines.
        with self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")


class ConsoleSMS:
    """Prints each SMS to standard output (development)."""

    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"SMS → {phone_e164(phone)}: {text}\n")
        sys.stdout.flush()


def sms_transport() -> SMSTransport:
    """The configured SMS transport (a new instance: transports may hold a connection)."""
    path = settings.MOTCUA.get("SMS_BACKEND") or DEFAULT_SMS_BACKEND
    transport = import_string(path)()
    if not isinstance(transport, SMSTransport):
        raise TypeError(f"{path} has no send(phone, text) method")
    return transport


# Django's SMTP backend waits forever by default; a worker must not hang on a dead server
# (its claim would run out and another worker would send the same message).
DEFAULT_EMAIL_TIMEOUT = 60


def email_send(*, to: str, subject: str, body: str) -> None:
    """Send one plain-text e-mail through Django's configured ``EMAIL_BACKEND``."""
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_EMAIL_TIMEOUT
    message = EmailMessage(
        subject=subject, body=body, to=[to], connection=get_connection(timeout=timeout)
    )
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentError(f"máy chủ thư từ chối địa chỉ {to}") from exc
