"""``motcua manage check --deploy`` with production settings (issue 12): nothing to fix but
the two HSTS-preload warnings — including subdomains (W005) and asking for preloading (W021)
are the operator's decision for the whole domain, not the application's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

PRODUCTION = {
    "SECRET_KEY": "k" * 20 + "-a-long-random-key-for-the-deploy-check-test-only-" + "z" * 10,
    "HTTPS": "1",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "motcua.example.vn",
}


def deploy_check(tmp_path: Path, **overrides: str) -> tuple[int, set[str], str]:
    """Run the real command with the settings file read afresh from the environment: the
    security settings are decided when settings.py is imported, which override_settings in
    this process would skip."""
    environ = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE: set for the browser tests in this process (async.E001).
        if key
        not in (
            "DEBUG",
            "HTTPS",
            "DJANGO_SETTINGS_MODULE",
            "DATABASE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        )
    }
    environ.update(PRODUCTION, MOTCUA_DATA_DIR=str(tmp_path), **overrides)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from motcua.cli import main; main()",
            "manage",
            "check",
            "--deploy",
        ],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    return result.returncode, set(re.findall(r"\((\w+\.[A-Z]\d+)\)", output)), output


def test_check_deploy_warns_only_about_hsts_preloading(tmp_path: Path) -> None:
    returncode, ids, output = deploy_check(tmp_path)
    assert returncode == 0, output
    assert ids == {"security.W005", "security.W021"}, output


def test_check_deploy_notices_a_setting_left_for_development(tmp_path: Path) -> None:
    # The check above can fail: without HTTPS (no HSTS, no secure cookies) it says so.
    _returncode, ids, _output = deploy_check(tmp_path, HTTPS="0")
    assert {"security.W004", "security.W008", "security.W012", "security.W016"} <= ids
