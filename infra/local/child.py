"""The local stack as a child process (`python -m infra.local`, what `make up` runs), on free ports:
for integration tests and benchmarks that need the real thing, not a piece of it."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 90
STOP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StackProcess:
    def __init__(self, state_dir: Path, **env: str):
        self.state_dir = state_dir
        self.api_port, self.moto_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.api_port}"
        self.moto_url = f"http://127.0.0.1:{self.moto_port}"
        self.log = state_dir / "stack.log"
        self._env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
        self._env.update(
            {
                "API_PORT": str(self.api_port),
                "MOTO_PORT": str(self.moto_port),
                "STATE_DIR": str(state_dir),
                **env,
            }
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "StackProcess":
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "infra.local"],
                cwd=ROOT,
                env=self._env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_SECONDS
        while not self._healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"the local stack did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)
        return self

    def stop(self) -> int:
        """Ctrl-C, as a user stops `make up`; returns the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(STOP_SECONDS)
        finally:
            self.kill()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False
