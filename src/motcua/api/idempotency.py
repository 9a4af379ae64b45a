"""``Idempotency-Key`` on the creating POSTs: a retry gets the first answer, nothing is
written twice (no second dossier, no second SMS).

The key's row is inserted *before* the service runs, in the same transaction: a concurrent
twin with the same key waits on the unique index (PostgreSQL) or the write lock (SQLite)
until the first commits, then fails on the constraint and replays the first answer; if the
first fails, nothing of it stays, the key included, and the twin runs. Only a success is
stored (a refusal writes nothing, so sending it again is harmless). Rows older than
``IDEMPOTENCY_WINDOW`` no longer count and are deleted by the hourly
``idempotency_keys_expire`` job (``api.jobs``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema, Status
from ninja.responses import NinjaJSONEncoder

from motcua.api.errors import FieldInvalid
from motcua.api.models import IdempotencyKey
from motcua.dossiers.services import numbers_given_back

HEADER = "Idempotency-Key"
IDEMPOTENCY_WINDOW = dt.timedelta(hours=24)
KEY_MAX_LENGTH = 255

# For the OpenAPI of every creating POST (``openapi_extra``).
OPENAPI_PARAMETER: dict[str, Any] = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": KEY_MAX_LENGTH},
    "description": (
        "Khóa do hệ thống gọi tự sinh (ví dụ UUID) cho một yêu cầu tạo mới. Gửi lại cùng khóa "
        "và cùng nội dung trong 24 giờ: nhận lại đúng phản hồi lần đầu, không ghi thêm gì. "
        "Cùng khóa, nội dung khác: 422."
    ),
}


def _request_hash(request: HttpRequest, payload: Schema) -> str:
    # The parsed body, not the bytes: a retry that orders its keys differently is the same.
    text = json.dumps(
        {"method": request.method, "path": request.path, "body": payload.model_dump(mode="json")},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _header_key(request: HttpRequest) -> str | None:
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > KEY_MAX_LENGTH:
        raise FieldInvalid(
            ("header", HEADER),
            _("Idempotency-Key phải có từ 1 đến %(n)s ký tự.") % {"n": KEY_MAX_LENGTH},
        )
    return key


def _replay(row: IdempotencyKey, digest: str) -> Status[Any]:
    if row.request_hash != digest:
        raise FieldInvalid(
            ("header", HEADER),
            _(
                "Idempotency-Key %(key)s đã được dùng cho một yêu cầu có nội dung khác; "
                "dùng khóa mới cho yêu cầu mới."
            )
            % {"key": row.key},
        )
    return Status(row.status, row.response)


def idempotent(
    request: HttpRequest,
    payload: Schema,
    schema: type[Schema],
    create: Callable[[], Status[Any]],
) -> Status[Any]:
    """Run ``create`` once per ``Idempotency-Key`` of the caller; its answer, rendered with
    ``schema``, is kept and given again to a retry with the same body."""
    key = _header_key(request)
    if key is None:
        return create()
    user: AbstractBaseUser = request.auth  # type: ignore[attr-defined]
    digest = _request_hash(request, payload)
    for _attempt in range(2):
        now = timezone.now()
        row = IdempotencyKey.objects.filter(user_id=user.pk, key=key).first()
        if row is not None:
            if row.created_at > now - IDEMPOTENCY_WINDOW:
                return _replay(row, digest)
            row.delete()  # expired: the key is free again
        try:
            # The key's row and what it creates in one transaction; a dossier number drawn
            # for it is given back if that transaction fails (``numbers_given_back``).
            with numbers_given_back(), transaction.atomic():
                row = IdempotencyKey.objects.create(
                    user_id=user.pk,
                    key=key,
                    request_hash=digest,
                    status=0,
                    response={},
                    created_at=now,
                )
                result = create()
                # Kept as it is sent: the replay is the same JSON, to the millisecond.
                rendered = json.loads(
                    json.dumps(
                        schema.model_validate(result.value).model_dump(), cls=NinjaJSONEncoder
                    )
                )
                row.status = result.status_code
                row.response = rendered
                row.save(update_fields=["status", "response"])
            return Status(row.status, rendered)
        except IntegrityError:
            # A twin with the same key committed first; anything else is not ours to handle.
            if not IdempotencyKey.objects.filter(user_id=user.pk, key=key).exists():
                raise
    row = IdempotencyKey.objects.get(user_id=user.pk, key=key)
    return _replay(row, digest)


def idempotency_keys_expire() -> int:
    """Delete the keys past the window; how many."""
    deleted, _detail = IdempotencyKey.objects.filter(
        created_at__lte=timezone.now() - IDEMPOTENCY_WINDOW
    ).delete()
    return deleted
