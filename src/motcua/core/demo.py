"""The demonstration province that `make demo` loads. Each part of the system adds its own
demo data through a loader listed in ``LOADERS``; every loader is idempotent."""

from __future__ import annotations

import importlib
from collections.abc import Callable

Progress = Callable[[str], None]
Login = tuple[str, str, str]  # (role, username, password)

# Loaders run in this order; each returns the demo logins it created.
LOADERS = [
    "motcua.catalog.demo",
    "motcua.agencies.demo",
    "motcua.office.demo",
    "motcua.reports.demo",
    "motcua.portal.demo",
    "motcua.feedback.demo",
]


def load_demo(progress: Progress = lambda _msg: None) -> list[Login]:
    logins: list[Login] = []
    for name in LOADERS:
        module = importlib.import_module(name)
        logins.extend(module.load(progress))
    return logins


def print_logins(logins: list[Login]) -> None:
    if not logins:
        return
    print("\nTài khoản demo / demo logins:")
    width = max(len(role) for role, _, _ in logins)
    for role, username, password in logins:
        print(f"  {role:<{width}}  {username} / {password}")
