"""`motcua serve` starts one worker beside gunicorn unless told not to, and starts it again
whenever it exits."""

from __future__ import annotations

import os
import subprocess
import threading
from typing import Any

import pytest

from motcua.cli import main
from motcua.core.commands import WorkerSupervisor


class FakePopen:
    """A worker process that runs until terminated, or until the test makes it exit."""

    started: list[list[str]] = []
    instances: list[FakePopen] = []
    terminated = 0

    def __init__(self, args: list[str], **kwargs: Any) -> None:
        self.args = args
        self.pid = 1000 + len(FakePopen.started)
        self.returncode: int | None = None
        self._exited = threading.Event()
        FakePopen.started.append(args)
        FakePopen.instances.append(self)

    def exit(self, code: int) -> None:
        self.returncode = code
        self._exited.set()

    def poll(self) -> int | None:
        return self.returncode

    def terminate(self) -> None:
        FakePopen.terminated += 1
        self.exit(-15)

    def wait(self, timeout: float | None = None) -> int:
        if not self._exited.wait(timeout if timeout is not None else 10):
            raise subprocess.TimeoutExpired(self.args, timeout or 10)
        assert self.returncode is not None
        return self.returncode


class FakeGunicorn:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def run(self) -> None:
        raise SystemExit(0)  # what gunicorn does when it shuts down


@pytest.fixture(autouse=True)
def _fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    FakePopen.started, FakePopen.instances, FakePopen.terminated = [], [], 0
    monkeypatch.setattr(subprocess, "Popen", FakePopen)
    monkeypatch.setattr("gunicorn.app.wsgiapp.WSGIApplication", FakeGunicorn)
    monkeypatch.setattr("sys.argv", ["motcua"])


def test_serve_starts_a_worker_and_stops_it_with_gunicorn() -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--insecure-dev-key"])
    ((_python, *args),) = FakePopen.started
    assert args == ["-m", "motcua.cli", "worker", "--parent-pid", str(os.getpid())]
    assert FakePopen.terminated == 1


def test_serve_passes_the_worker_interval() -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--insecure-dev-key", "--worker-interval", "0.5"])
    ((_python, *args),) = FakePopen.started
    assert args[-2:] == ["--interval", "0.5"]


def test_serve_without_worker() -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--insecure-dev-key", "--no-worker"])
    assert FakePopen.started == []


def _wait_for(condition: Any, seconds: float = 10) -> None:
    done = threading.Event()
    for _i in range(int(seconds * 50)):
        if condition():
            return
        done.wait(0.02)
    pytest.fail("condition not reached")


def test_a_worker_that_dies_is_started_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(WorkerSupervisor, "RESTART_FIRST", 0.01)
    supervisor = WorkerSupervisor(["motcua", "worker"])
    supervisor.start()
    try:
        FakePopen.instances[0].exit(-9)  # killed
        _wait_for(lambda: len(FakePopen.instances) == 2)
        FakePopen.instances[1].exit(1)  # crashed
        _wait_for(lambda: len(FakePopen.instances) == 3)
        assert supervisor.restarts == 2
    finally:
        supervisor.stop()
    assert FakePopen.instances[2].returncode == -15  # stopped with SIGTERM, not restarted
    assert len(FakePopen.instances) == 3


def test_a_stopped_supervisor_does_not_restart_its_worker() -> None:
    supervisor = WorkerSupervisor(["motcua", "worker"])
    supervisor.start()
    supervisor.stop()
    supervisor._thread.join(timeout=5)
    assert not supervisor._thread.is_alive()
    assert len(FakePopen.instances) == 1
