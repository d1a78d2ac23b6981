"""What the API says about contexts and jobs matches reality: on delete, and when a host dies."""

import os
import signal

import pytest
import requests

from tests.integration.conftest import unique


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "context deleted"), ("?force=true", "context deleted with force: Spark was killed")],
    ids=["graceful", "force"],
)
def test_deleting_a_context_ends_its_running_jobs_and_its_spark(stack, app, query, message):
    """As SJS: the running job is not waited for; Spark is stopped (or, forced, killed) before
    the answer, so its UI no longer answers."""
    name = unique("doomed")
    ui = stack.create_context(name)["url"]
    assert requests.get(ui, timeout=10).ok
    job_id = stack.start_slow_job(app, name)
    assert stack.call("DELETE", f"/contexts/{name}{query}").json() == {
        "status": "SUCCESS",
        "result": "Context stopped",
    }
    with pytest.raises(requests.ConnectionError):
        requests.get(ui, timeout=10)
    assert name not in stack.call("GET", "/contexts").json()
    details = stack.call("GET", f"/contexts/{name}").json()
    assert (details["state"], details["message"]) == ("FINISHED", message)
    assert details["endTime"] >= details["startTime"]
    job = stack.call("GET", f"/jobs/{job_id}").json()
    assert job["status"] == "ERROR"
    assert job["result"]["message"] == f"Context ({name}) for this job was terminated"
    assert not stack.aws("sqs").list_queues(QueueNamePrefix=f"sjs-it-ctx-{name}").get("QueueUrls")


def test_a_killed_host_is_noticed_within_30_seconds(stack, app):
    name = unique("victim")
    host = stack.create_context(name)["host"]
    job_id = stack.start_slow_job(app, name, seconds=120)
    os.kill(int(host.removeprefix("local:")), signal.SIGKILL)
    failed = stack.wait_job(job_id, lambda j: j["status"] == "ERROR", timeout=30)
    assert "stopped responding" in failed["result"]["message"]
    assert name not in stack.call("GET", "/contexts").json()
    assert stack.call("GET", f"/contexts/{name}").json()["state"] == "ERROR"
    assert stack.call("POST", f"/jobs?appName={app}&classPath=x.Y&context={name}").status_code == 404


def test_bad_input_over_http_gets_sjs_errors(stack, app, context):
    assert stack.call("POST", "/binaries/bad", data=b"plain text").status_code == 400
    assert stack.call("POST", "/contexts/9lives").status_code == 400
    exists = stack.call("POST", f"/contexts/{context}")  # the shared context is running
    assert (exists.status_code, exists.json()) == (
        400,
        {"status": "ERROR", "result": f"context {context} exists"},
    )
    assert stack.call("GET", "/jobs/nope").json() == {"status": "ERROR", "result": "No such job ID nope"}
    malformed = stack.call(
        "POST",
        f"/jobs?appName={app}&classPath=example_jobs.word_count.WordCountSparkJob",
        data='input.strings = ["a"',
    )
    assert malformed.status_code == 400 and malformed.json()["result"].startswith("Cannot parse config")
