"""camfleet processes for tests: started as a user would, their output in a file, stopped or killed on purpose."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from tests.conftest import CAMFLEET
from tests.waiting import wait_until


class CamfleetProcess:
    """One long-running ``camfleet`` command (collector, serve, simulate) with its output in a log file."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen([CAMFLEET, *args], env=env, stdout=out, stderr=subprocess.STDOUT)

    def output(self) -> str:
        """Everything it printed and logged so far."""
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float) -> None:
        """Wait until ``text`` appears in its output; fail if it exits or the time runs out."""

        def output() -> str:
            if self.process.poll() is not None:
                raise AssertionError(f"exited with {self.process.returncode}:\n{self.output()[-3000:]}")
            return self.output()

        wait_until(output, lambda seen: text in seen, timeout=timeout, what=f"{text!r} in {self.log.name}")

    @property
    def running(self) -> bool:
        """Whether it is still alive."""
        return self.process.poll() is None

    def kill(self) -> None:
        """``kill -9``: no clean-up of any kind."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Ctrl-C, as a person would; killed if it does not stop."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


def stop_all(processes: list[CamfleetProcess]) -> None:
    """Ctrl-C to all of them at once, then wait for each (killed if it does not stop): shutdowns overlap."""
    running = [process for process in processes if process.running]
    for process in running:
        process.process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 20
    for process in running:
        try:
            process.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
