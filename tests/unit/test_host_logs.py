"""context_host/logs.py: a host's log is JSON lines naming its context and incarnation, and the
lines a runner thread writes while it runs a job name that job, and only those. Run in a process
of its own, as a host configures the logging of its whole process."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HOST = """
import logging, threading
from context_host import logs
logs.configure("analytics", "0123abcd")
log = logging.getLogger("context_host.runner")
def run(job_id):
    with logs.job_keys(job_id):
        log.info("job %s running", job_id)
threads = [threading.Thread(target=run, args=(f"job-{i}",)) for i in range(4)]
for t in threads: t.start()
for t in threads: t.join()
log.warning("between jobs")
try:
    raise ValueError("boom")
except ValueError:
    log.exception("a store failed")
raise RuntimeError("the end")
"""


def test_host_lines_are_json_with_the_context_and_the_job_they_belong_to():
    result = subprocess.run(
        [sys.executable, "-c", HOST], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1, result.stderr  # ended by the uncaught RuntimeError
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert all(
        (line["context"], line["contextId"], line["service"]) == ("analytics", "0123abcd", "sjs-host")
        for line in lines
    )
    running = [line for line in lines if line["message"].endswith("running")]
    assert sorted(line["jobId"] for line in running) == [f"job-{i}" for i in range(4)]
    assert all(line["message"] == f"job {line['jobId']} running" for line in running)  # never another's id
    between, failed, uncaught = lines[-3:]
    assert (
        "jobId" not in between and between["level"] == "WARNING" and between["name"] == "context_host.runner"
    )
    assert failed["exception_name"] == "ValueError" and "jobId" not in failed
    assert (uncaught["level"], uncaught["exception_name"]) == ("CRITICAL", "RuntimeError")
