"""``motcua manage api_token create|list|revoke``: tokens for systems calling the JSON API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.agencies.models import Agency
from motcua.api.models import ApiToken, Scope
from motcua.api.tokens import api_token_create, api_token_revoke
from motcua.core.access import staff_profile

ACTOR = "cli:api_token"


def _local(at: dt.datetime | None) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}" if at else ""


class Command(BaseCommand):
    help = (
        "Create, list or revoke API tokens. A token acts as the staff user it is issued to "
        "(that user's role and agency limit what it sees and changes)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token; it is printed once")
        create.add_argument("--user", required=True, help="username of a staff account")
        create.add_argument("--name", default="", help="the calling system, e.g. 'Bưu điện tỉnh'")
        create.add_argument(
            "--days",
            type=int,
            default=None,
            help="how long the token lives (default: MOTCUA_API_TOKEN_DAYS, 90)",
        )
        create.add_argument(
            "--scope",
            action="append",
            choices=Scope.values,
            help="what the token may call; repeat for several (default: all but payment_callback)",
        )
        create.add_argument(
            "--agency",
            action="append",
            default=[],
            help="agency code the token acts within (with its subtree); repeat for several "
            "(default: the account's whole scope)",
        )
        sub.add_parser("list", help="list tokens (prefix, user, name, last use, expiry, state)")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix (mc_xxxxxxxx)")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(
                options["user"],
                options["name"],
                options["days"],
                options["scope"],
                options["agency"],
            )
        elif action == "list":
            self._list()
        else:
            self._revoke(options["prefix"])

    def _create(
        self,
        username: str,
        name: str,
        days: int | None,
        scopes: list[str] | None,
        agency_codes: list[str],
    ) -> None:
        if days is not None and days < 1:
            raise CommandError(f"api_token create: --days must be at least 1, not {days}.")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"api_token create: no user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"api_token create: user {username!r} is inactive.")
        if staff_profile(user) is None and not user.is_superuser:
            raise CommandError(
                f"api_token create: user {username!r} has no staff profile (role and agency); "
                "a token acts as a staff member and would see nothing."
            )
        agencies = []
        for code in agency_codes:
            agency = Agency.objects.filter(code=code.strip()).first()
            if agency is None:
                raise CommandError(f"api_token create: no agency with code {code!r}.")
            agencies.append(agency)
        token, raw = api_token_create(
            user=user, name=name, actor=ACTOR, days=days, scopes=scopes, agencies=agencies
        )
        where = ", ".join(a.code for a in agencies) or "the account's scope"
        self.stderr.write(
            f"Token {token.prefix}… for {username} ({token.name}), "
            f"scopes {' '.join(token.scopes)}, within {where}, "
            f"expires {_local(token.expires_at)}. "
            "Store it now: it is shown only once. Use it as 'Authorization: Bearer <token>'."
        )
        self.stdout.write(raw)

    def _list(self) -> None:
        for token in ApiToken.objects.select_related("user"):
            used = _local(token.last_used_at) if token.last_used_at else "never"
            expiry = f"{'expired' if token.is_expired else 'expires'} {_local(token.expires_at)}"
            if token.revoked_at:
                state = f"revoked {_local(token.revoked_at)}"
            else:
                state = "expired" if token.is_expired else "active"
            self.stdout.write(
                "\t".join(
                    [
                        token.prefix,
                        token.user.get_username(),
                        token.name,
                        f"used {used}",
                        expiry,
                        state,
                        "scopes " + ",".join(token.scopes),
                    ]
                )
            )

    def _revoke(self, prefix: str) -> None:
        tokens = list(ApiToken.objects.filter(prefix=prefix.strip().rstrip("…")))
        if not tokens:
            raise CommandError(f"api_token revoke: no token with prefix {prefix!r}.")
        if len(tokens) > 1:
            raise CommandError(
                f"api_token revoke: {len(tokens)} tokens share prefix {prefix!r}; "
                "revoke them in the admin."
            )
        token = api_token_revoke(token=tokens[0], actor=ACTOR)
        self.stdout.write(f"Revoked {token.prefix}… ({token.name}) at {_local(token.revoked_at)}.")
