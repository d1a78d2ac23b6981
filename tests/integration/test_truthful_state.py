"""What the API says about contexts and jobs matches reality: on delete, and when a host dies."""

import os
import signal

from tests.integration.conftest import unique


def test_deleting_a_context_ends_its_running_jobs(stack, app):
    name = unique("doomed")
    stack.create_context(name)
    job_id = stack.start_slow_job(app, name)
    assert stack.call("DELETE", f"/contexts/{name}").json() == {
        "status": "SUCCESS",
        "result": "Context stopped",
    }
    assert name not in stack.call("GET", "/contexts").json()
    assert stack.call("GET", f"/contexts/{name}").json()["state"] == "FINISHED"
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


def test_bad_input_over_http_gets_sjs_errors(stack, app):
    assert stack.call("POST", "/binaries/bad", data=b"plain text").status_code == 400
    assert stack.call("POST", "/contexts/9lives").status_code == 400
    assert stack.call("POST", "/contexts/shared").status_code in (400, 200)  # 400 when the shared one exists
    assert stack.call("GET", "/jobs/nope").json() == {"status": "ERROR", "result": "No such job ID nope"}
    malformed = stack.call(
        "POST",
        f"/jobs?appName={app}&classPath=example_jobs.word_count.WordCountSparkJob",
        data='input.strings = ["a"',
    )
    assert malformed.status_code == 400 and malformed.json()["result"].startswith("Cannot parse config")
