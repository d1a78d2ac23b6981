"""The embedded AWS: a moto server in its own process on LocalStack's edge port, so awslocal,
localstack-client and AWS_ENDPOINT_URL=http://127.0.0.1:4566 all reach it."""

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from infra.local.processes import follow_parent

READY_SECONDS = 30


class MotoServer:
    def __init__(self, host: str, port: int, log_path: Path):
        self.url = f"http://{host}:{port}"
        self._args = [sys.executable, "-m", "moto.server", "-H", host, "-p", str(port)]
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if _answers(self.url):
            raise RuntimeError(f"something already listens on {self.url}; stop it or set MOTO_PORT")
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._log_path, "ab") as log:
            self._process = subprocess.Popen(
                self._args,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=follow_parent,
            )
        deadline = time.monotonic() + READY_SECONDS
        while not _answers(self.url):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto server did not start; see {self._log_path}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/moto-api/", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False
