"""``make run``'s supervisor starts the worker again when it exits, and stops it when it is stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def supervise(*command: str) -> subprocess.Popen[bytes]:
    line = [sys.executable, "-m", "laobing.supervise", "--pause", "0.1", "--grace", "2", "--", *command]
    return subprocess.Popen(line, cwd=ROOT, stderr=subprocess.PIPE)  # noqa: S603  # the test's own command


def wait_for(check: object, seconds: float = 10.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    pytest.fail("timed out")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_command_that_exits_is_started_again(tmp_path: Path) -> None:
    log = tmp_path / "starts"
    script = f"open({str(log)!r}, 'a').write('start\\n'); raise SystemExit(1)"
    supervisor = supervise(sys.executable, "-c", script)
    try:
        wait_for(lambda: log.exists() and log.read_text().count("start") >= 3)
    finally:
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(10)
    assert supervisor.returncode == 0
    assert supervisor.stderr is not None and b"exited with 1; starting it again" in supervisor.stderr.read()


def test_stopping_the_supervisor_stops_the_command(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    script = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    supervisor = supervise(sys.executable, "-c", script)
    wait_for(lambda: pid_file.exists() and pid_file.read_text())
    child = int(pid_file.read_text())

    supervisor.send_signal(signal.SIGTERM)
    supervisor.wait(10)

    wait_for(lambda: not alive(child))
