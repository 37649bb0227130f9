"""``python -m laobing.supervise [--pause S] -- COMMAND …``: keep a command running (``make run``'s worker).

The command is started again, after a pause, whenever it exits, whatever its exit status: a worker that
died on an error it could not survive comes back by itself. SIGINT or SIGTERM stops the command (SIGTERM,
then SIGKILL after ``--grace`` seconds) and the supervisor with it; so does the supervisor's parent
going away (the server that ``make run`` started beside it), so no worker is left running alone.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from types import FrameType


class Supervisor:
    def __init__(self, command: list[str], pause: float, grace: float) -> None:
        self.command, self.pause, self.grace = command, pause, grace
        self.stopping = False
        self.child: subprocess.Popen[bytes] | None = None
        self.parent = os.getppid()

    def stop(self, signum: int, _frame: FrameType | None) -> None:
        self.stopping = True

    def orphaned(self) -> bool:
        return os.getppid() != self.parent

    def wait(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            if self.orphaned():
                self.stopping = True
            time.sleep(0.1)

    def run(self) -> int:
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        starts = 0
        while not self.stopping:
            starts += 1
            self.child = subprocess.Popen(self.command)  # noqa: S603  # the command line make gives
            while self.child.poll() is None and not self.stopping:
                if self.orphaned():
                    self.stopping = True
                time.sleep(0.2)
            if self.stopping:
                break
            print(f"supervise: {' '.join(self.command[-2:])} exited with {self.child.returncode}; "
                  f"starting it again in {self.pause:g} s", file=sys.stderr, flush=True)  # fmt: skip
            self.wait(self.pause)
        self.end_child()
        return 0

    def end_child(self) -> None:
        if self.child is None or self.child.poll() is not None:
            return
        self.child.terminate()
        try:
            self.child.wait(self.grace)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m laobing.supervise")
    parser.add_argument("--pause", type=float, default=5.0, help="seconds between an exit and the next start")
    parser.add_argument("--grace", type=float, default=30.0, help="seconds the command has to stop cleanly")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to keep running after --")
    return Supervisor(command, args.pause, args.grace).run()


if __name__ == "__main__":
    sys.exit(main())
