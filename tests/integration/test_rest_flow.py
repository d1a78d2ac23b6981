"""The README's curl session and the rest of SJS's REST contract, over HTTP on the real stack."""

from functions.domain.waiting import wait_until
from tests.integration.conftest import FAILING, WORDCOUNT, unique

WORDS = 'input.strings = ["a", "b", "a", "c"]'
COUNTS = {"a": 2, "b": 1, "c": 1}


def test_seed_session_upload_context_sync_async_and_list(stack, app, context):
    assert app in stack.call("GET", "/binaries").json()
    assert context in stack.call("GET", "/contexts").json()
    details = stack.call("GET", f"/contexts/{context}").json()
    assert details["state"] == "RUNNING" and details["url"].startswith("http")  # SJS's field names
    assert details["applicationId"].startswith("local-") and details["endTime"] == "Empty"

    sync = stack.submit(app, WORDCOUNT, WORDS, context=context, sync="true")
    assert sync.status_code == 200
    assert sync.json()["result"] == COUNTS

    started = stack.submit(app, WORDCOUNT, WORDS, context=context)
    assert started.status_code == 202
    job_id = started.json()["jobId"]
    assert started.json()["status"] == "STARTED"  # as SJS answers, once `validate` passed
    finished = stack.wait_job(job_id, lambda j: j["status"] == "FINISHED")
    assert finished["result"] == COUNTS
    assert finished["duration"].endswith(" secs")

    listed = stack.call("GET", "/jobs?limit=2").json()
    assert [job["jobId"] for job in listed] == [job_id, sync.json()["jobId"]]
    assert stack.call("GET", f"/jobs/{job_id}/config").json() == {"input": {"strings": ["a", "b", "a", "c"]}}


def test_a_failing_job_reports_message_class_and_stack(stack, app, context):
    sync = stack.submit(app, FAILING, 'message = "bad data"', context=context, sync="true")
    assert sync.status_code == 200 and sync.json()["status"] == "ERROR"
    error = sync.json()["result"]
    assert error["message"] == "bad data" and error["errorClass"] == "ValueError"
    assert any("raise ValueError" in line for line in error["stack"])

    job_id = stack.submit(app, FAILING, context=context).json()["jobId"]
    failed = stack.wait_job(job_id, lambda j: j["status"] == "ERROR")
    assert failed["result"]["errorClass"] == "ValueError"


def test_validation_problems_are_400_validation_failed(stack, app, context):
    for params in ({"sync": "true"}, {}):
        answer = stack.submit(app, WORDCOUNT, "", context=context, **params)
        assert answer.status_code == 400
        assert answer.json()["status"] == "VALIDATION FAILED"
        assert answer.json()["result"]["message"] == "config input.strings not found"


def test_a_result_larger_than_400_kb_comes_back_whole(stack, app, context):
    big = "example_jobs.dataframes.BigResultJob"
    answer = stack.submit(app, big, "rows = 600, width = 1000", context=context, sync="true")
    result = answer.json()["result"]
    assert len(answer.content) > 600_000
    assert result == [["x" * 1000]] * 600
    assert stack.call("GET", f"/jobs/{answer.json()['jobId']}").json()["result"] == result


def test_kill_ends_a_running_job_at_once(stack, app, context):
    job_id = stack.start_slow_job(app, context)
    assert stack.call("DELETE", f"/jobs/{job_id}").json() == {"status": "KILLED"}
    assert stack.call("GET", f"/jobs/{job_id}").json()["status"] == "KILLED"  # the very next read
    # the host cancelled the Spark work: the context takes the next job straight away
    quick = stack.submit(app, WORDCOUNT, WORDS, context=context, sync="true", timeout=20)
    assert quick.json()["result"] == COUNTS


def test_slots_and_context_factory(stack, app):
    name = unique("slots")
    stack.create_context(
        name,
        "context-factory=spark.jobserver.python.PythonSparkContextFactory",
        "spark.jobserver.max-jobs-per-context = 1\nmemory-per-node = 512m",  # HOCON as SJS users write it
    )
    slow = stack.start_slow_job(app, name)
    refused = stack.submit(app, WORDCOUNT, WORDS, context=name)
    assert refused.status_code == 503
    assert refused.json() == {
        "status": "NO SLOTS AVAILABLE",
        "result": f"Too many running jobs (1) for job context '{name}'",
    }
    stack.call("DELETE", f"/jobs/{slow}")
    typed = stack.submit(app, "example_jobs.lifecycle.ContextTypeJob", context=name, sync="true")
    assert typed.status_code == 200, typed.text
    assert typed.json()["result"]["context"] == "SparkContext", typed.text
    # a caller holding its answer can submit again at once: the slot was given back before it
    codes = [stack.submit(app, WORDCOUNT, WORDS, context=name, sync="true").status_code for _ in range(10)]
    assert codes == [200] * 10
    assert stack.call("DELETE", f"/contexts/{name}").status_code == 200


def test_an_ad_hoc_job_runs_in_a_transient_context_that_goes_away(stack, app):
    answer = stack.submit(app, WORDCOUNT, WORDS, sync="true", timeout=120)
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] == COUNTS
    transient = answer.json()["context"]
    assert transient.startswith("adhoc-")
    stack.host_group(transient)
    ended, ok = wait_until(
        lambda: stack.call("GET", f"/contexts/{transient}").json(), lambda c: c["state"] == "FINISHED", 30
    )
    assert ok, ended
    assert transient not in stack.call("GET", "/contexts").json()


def test_a_new_binary_version_is_used_without_restarting_the_context(stack, context, package_with):
    name = unique("versioned")

    def upload(tag: str) -> None:
        source = (
            "from sparkjobserver.api import SparkJob\n\n\nclass Tagged(SparkJob):\n"
            "    def validate(self, context, runtime, config):\n        return None\n\n"
            f"    def run_job(self, context, runtime, data):\n        return {tag!r}\n"
        )
        egg = package_with({"example_jobs/tagged.py": source})
        assert stack.call("POST", f"/binaries/{name}", data=egg).status_code == 201

    def run() -> str:
        return stack.submit(name, "example_jobs.tagged.Tagged", context=context, sync="true").json()["result"]

    upload("first")
    assert run() == "first"
    upload("second")
    assert run() == "second"


def test_a_binary_a_running_job_uses_is_not_deleted(stack, example_egg, context):
    app = unique("in-use")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert stack.call("POST", f"/binaries/{app}", data=example_egg, headers=form).status_code == 201
    job_id = stack.start_slow_job(app, context)
    refused = stack.call("DELETE", f"/binaries/{app}")
    assert (refused.status_code, refused.json()) == (
        403,
        {"status": "ERROR", "result": f"Binary is in use by job(s): {job_id}"},
    )
    assert stack.call("DELETE", f"/jobs/{job_id}").json() == {"status": "KILLED"}
    assert stack.call("DELETE", f"/binaries/{app}").status_code == 200
