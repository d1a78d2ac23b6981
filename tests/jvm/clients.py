"""Run jobs on a context of their own, in a child process (see context_client)."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.jvm.jars import REPO


def run_on_own_context(master: str, jobs: list[dict[str, Any]]) -> dict[str, Any]:
    for job in jobs:
        job["jars"] = [str(Path(jar)) for jar in job["jars"]]
    client = subprocess.run(
        [sys.executable, "-m", "tests.jvm.context_client", master, json.dumps(jobs)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert client.returncode == 0, client.stderr[-4000:]
    return json.loads(client.stdout.strip().splitlines()[-1])
