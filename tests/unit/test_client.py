"""The typed client against the API function (on moto): answers become models, SJS-shaped
errors become typed exceptions, Basic and bearer credentials reach the server's auth, and waits
are bounded."""

import socket

import pytest

from events.jobs import JobError as RecordedError
from events.states import JobStatus as RecordedStatus
from infra.credentials import hash_api_key, hash_password
from infra.stores.jobs import JobStore
from jobserver_client import (
    BadRequest,
    Forbidden,
    JobServer,
    JobStatus,
    NotAuthenticated,
    NotFound,
    Unreachable,
    WaitTimeout,
)
from jobserver_client.models import Job
from tests.support.api_transport import api_function_transport
from tests.unit.test_api_contexts import live_context
from tests.unit.test_api_jobs import WORDCOUNT, job_on


@pytest.fixture
def server(aws):
    with JobServer("http://sjs.test", transport=api_function_transport()) as client:
        yield client


def test_binaries_upload_list_show_delete(server, example_egg):
    uploaded = server.upload_binary("client-app", example_egg)
    assert uploaded.binary_type == "Egg"
    assert server.binaries()["client-app"].upload_time == uploaded.upload_time
    details = server.binary("client-app")
    assert details.app_name == "client-app" and len(details.versions) == 1
    assert details.versions[0].size == len(example_egg)
    server.delete_binary("client-app")
    assert "client-app" not in server.binaries()


def test_an_error_answer_is_a_typed_exception_with_sjs_fields(server, example_egg):
    with pytest.raises(NotFound) as unknown:
        server.binary("nope")
    assert (unknown.value.status_code, unknown.value.label) == (404, "ERROR")
    assert unknown.value.message == "appName nope not found"
    with pytest.raises(BadRequest) as not_a_package:
        server.upload_binary("broken", b"not a zip")
    assert not_a_package.value.status_code == 400
    server.upload_binary("jobs-app", example_egg)
    with pytest.raises(BadRequest) as malformed:
        server.submit("jobs-app", WORDCOUNT, "input.strings = [", context="nowhere")
    assert malformed.value.message.startswith("Cannot parse config")


def test_contexts_and_jobs_are_typed(server, aws):
    live_context(aws, "typed")
    assert "typed" in server.contexts()
    assert server.context("typed").state == "RUNNING"
    finished = job_on(aws, "typed", RecordedStatus.FINISHED)
    running = job_on(aws, "typed")
    job = server.job(finished.jobId)
    assert job.status is JobStatus.FINISHED and job.class_path == WORDCOUNT and job.context == "typed"
    assert job.as_json()["jobId"] == finished.jobId  # the server's own names for scripts
    assert [j.job_id for j in server.jobs(limit=1000, status="FINISHED")].count(finished.jobId) == 1
    assert running.jobId not in [j.job_id for j in server.jobs(limit=1000, status=JobStatus.FINISHED)]
    assert server.kill(running.jobId) is JobStatus.KILLED
    assert server.job(running.jobId).status is JobStatus.KILLED
    with pytest.raises(NotFound):
        server.context("never-started")


def test_a_failed_job_carries_its_exception(server, aws):
    job = job_on(aws, "failing")
    error = RecordedError(message="bad data", errorClass="ValueError", stack=["File job.py", "raise"])
    JobStore(aws.jobs_table).finish(job.jobId, RecordedStatus.ERROR, error=error)
    failed = server.wait(job.jobId, timeout=5)
    assert failed.status is JobStatus.ERROR
    assert failed.error is not None
    assert (failed.error.error_class, failed.error.message) == ("ValueError", "bad data")
    assert failed.error.stack == ["File job.py", "raise"]


def test_a_wait_is_bounded_and_reports_each_state(server, aws):
    live_context(aws, "waiting")
    job = job_on(aws, "waiting")  # no host runs it: it stays STARTED
    seen: list[JobStatus] = []
    with pytest.raises(WaitTimeout) as waited:
        server.wait(job.jobId, timeout=0.3, on_update=lambda j: seen.append(j.status), poll=0.05)
    assert waited.value.job.job_id == job.jobId and waited.value.job.status is JobStatus.STARTED
    assert seen and set(seen) == {JobStatus.STARTED}


def test_progress_when_the_server_reports_it():
    job = Job.model_validate(
        {
            "jobId": "j",
            "status": "RUNNING",
            "progress": {"percent": 40, "stages": {"done": 1, "total": 3}, "tasks": {"done": 4, "total": 10}},
        }
    )
    assert job.progress is not None and job.progress.fraction == pytest.approx(0.4)
    assert job.progress.stages is not None and job.progress.stages.total == 3
    by_tasks = Job.model_validate(
        {"jobId": "j", "status": "RUNNING", "progress": {"tasks": {"done": 1, "total": 4}}}
    )
    assert by_tasks.progress is not None and by_tasks.progress.fraction == pytest.approx(0.25)
    assert Job.model_validate({"jobId": "j", "status": "STARTED"}).progress is None


def test_basic_and_bearer_credentials(configure, example_egg):
    key = "sjs_client_test_key"
    configure(
        f"""auth {{ enabled = true, users {{
              alice {{ password-hash = "{hash_password("alice-secret")}", permissions = ["*"] }}
              ci {{ api-keys = ["{hash_api_key(key)}"], permissions = ["binaries:read"] }}
        }} }}"""
    )
    transport = api_function_transport()
    with JobServer("http://sjs.test", auth=("alice", "alice-secret"), transport=transport) as alice:
        alice.upload_binary("secured-app", example_egg)
    with JobServer("http://sjs.test", api_key=key, transport=transport) as ci:
        assert "secured-app" in ci.binaries()
        with pytest.raises(Forbidden) as refused:
            ci.delete_binary("secured-app")
        assert refused.value.message == "User ci lacks the permission binaries:delete"
    with JobServer("http://sjs.test", transport=transport) as anonymous, pytest.raises(NotAuthenticated):
        anonymous.binaries()
    with pytest.raises(ValueError):
        JobServer("http://sjs.test", auth=("alice", "x"), api_key=key)


def test_no_answer_is_unreachable():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with JobServer(f"http://127.0.0.1:{port}") as server, pytest.raises(Unreachable) as unreachable:
        server.contexts()
    assert f"127.0.0.1:{port}" in str(unreachable.value)


def test_a_mapping_config_is_sent_as_json(server, aws, example_egg):
    server.upload_binary("mapped", example_egg)
    with pytest.raises(NotFound) as no_context:  # refused after its body parsed (a bad one is a 400)
        server.submit("mapped", WORDCOUNT, {"input": {"strings": ["a"]}}, context="absent")
    assert no_context.value.message == "context absent not found"
