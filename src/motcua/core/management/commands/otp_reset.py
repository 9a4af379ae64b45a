"""``motcua manage otp_reset <username>``: remove a user's second-factor device (a lost or
replaced phone). The user then signs in with the password and enrols again."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.twofactor import otp_reset


class Command(BaseCommand):
    help = "Remove the TOTP devices of a user, who then enrols a new one after signing in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no such user: {options['username']}")
        count = otp_reset(actor="cli:otp_reset", user=user)
        self.stdout.write(f"{user.get_username()}: {count} device(s) removed")
