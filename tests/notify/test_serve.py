"""`motcua serve` starts one worker beside gunicorn unless told not to."""

from __future__ import annotations

import os
import subprocess
from typing import Any

import pytest

from motcua.cli import main


class FakePopen:
    started: list[list[str]] = []
    terminated = 0

    def __init__(self, args: list[str], **kwargs: Any) -> None:
        self.args = args
        FakePopen.started.append(args)

    def terminate(self) -> None:
        FakePopen.terminated += 1

    def wait(self, timeout: float | None = None) -> int:
        return 0


class FakeGunicorn:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def run(self) -> None:
        raise SystemExit(0)  # what gunicorn does when it shuts down


@pytest.fixture(autouse=True)
def _fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    FakePopen.started, FakePopen.terminated = [], 0
    monkeypatch.setattr(subprocess, "Popen", FakePopen)
    monkeypatch.setattr("gunicorn.app.wsgiapp.WSGIApplication", FakeGunicorn)
    monkeypatch.setattr("sys.argv", ["motcua"])


def test_serve_starts_a_worker_and_stops_it_with_gunicorn() -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--insecure-dev-key"])
    ((_python, *args),) = FakePopen.started
    assert args == ["-m", "motcua.cli", "worker", "--parent-pid", str(os.getpid())]
    assert FakePopen.terminated == 1


def test_serve_without_worker() -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--insecure-dev-key", "--no-worker"])
    assert FakePopen.started == []
