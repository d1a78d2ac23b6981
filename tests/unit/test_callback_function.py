"""callbackUrl, on moto in-process with a real HTTP receiver: a job's end event (as the callback
queue hands it to the callback function) is POSTed as {jobId, status, result}, retried with
backoff, and reported failed when the receiver keeps failing."""

import json
import uuid

import pytest

from events.jobs import JobError
from events.sample_events import load_event
from events.states import JobStatus
from infra.clock import now_iso
from infra.local.replay import invoke
from infra.stores.jobs import JobRecord, JobStore
from tests.support.receivers import LOOPBACK_CALLBACKS, callback_receiver


@pytest.fixture(autouse=True)
def loopback_receivers(configure):
    configure(LOOPBACK_CALLBACKS)


def ended_job(aws, callback_url: str, status: JobStatus, **end) -> JobRecord:
    jobs = JobStore(aws.jobs_table)
    job = JobRecord(
        jobId=str(uuid.uuid4()),
        context="etl",
        appName="examples",
        classPath="example_jobs.word_count.WordCountSparkJob",
        status=JobStatus.STARTED,
        startTime=now_iso(),
        callbackUrl=callback_url,
    )
    jobs.create(job)
    jobs.finish(job.jobId, status, **end)
    return job


def delivery_of(job: JobRecord, sample: str) -> dict:
    event = load_event(f"CallbackFunction/{sample}")
    body = json.loads(event["Records"][0]["body"])
    body["detail"]["jobId"] = job.jobId
    event["Records"][0]["body"] = json.dumps(body)
    return event


def test_a_finished_job_posts_its_result(aws):
    with callback_receiver() as receiver:
        job = ended_job(aws, receiver.url, JobStatus.FINISHED, result='{"a": 2}')
        assert invoke("CallbackFunction", delivery_of(job, "job_finished")) == {"batchItemFailures": []}
        assert receiver.received == [{"jobId": job.jobId, "status": "FINISHED", "result": {"a": 2}}]


def test_a_failed_job_posts_its_error_after_a_retry(aws):
    error = JobError(message="bad data", errorClass="ValueError", stack=["Traceback", "ValueError: bad data"])
    with callback_receiver() as receiver:
        receiver.statuses = [503]
        job = ended_job(aws, receiver.url, JobStatus.ERROR, error=error)
        assert invoke("CallbackFunction", delivery_of(job, "job_failed")) == {"batchItemFailures": []}
        expected = {"jobId": job.jobId, "status": "ERROR", "result": error.model_dump()}
        assert receiver.received == [expected, expected]


def test_a_receiver_that_keeps_failing_leaves_the_event_for_sqs_to_retry(aws):
    with callback_receiver() as receiver:
        receiver.statuses = [500] * 10
        job = ended_job(aws, receiver.url, JobStatus.FINISHED, result="1")
        event = delivery_of(job, "job_finished")
        answer = invoke("CallbackFunction", event)
        assert answer == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
        assert len(receiver.received) == 4  # the first try and three quick retries


def test_a_job_without_callback_url_posts_nothing(aws):
    with callback_receiver() as receiver:
        job = ended_job(aws, "", JobStatus.FINISHED, result="1")
        assert invoke("CallbackFunction", delivery_of(job, "job_finished")) == {"batchItemFailures": []}
        assert receiver.received == []


def test_the_post_keeps_the_urls_path_query_and_host(aws):
    with callback_receiver() as receiver:
        url = receiver.url.replace("127.0.0.1", "localhost") + "?team=etl"
        job = ended_job(aws, url, JobStatus.FINISHED, result="1")
        assert invoke("CallbackFunction", delivery_of(job, "job_finished")) == {"batchItemFailures": []}
        port = receiver.url.split(":")[2].split("/")[0]
        assert receiver.addressed == [("/hooks/jobs?team=etl", f"localhost:{port}")]


def test_a_redirect_is_not_followed(aws):
    with callback_receiver() as receiver, callback_receiver() as elsewhere:
        receiver.statuses, receiver.location = [307], elsewhere.url
        job = ended_job(aws, receiver.url, JobStatus.FINISHED, result="1")
        event = delivery_of(job, "job_finished")
        answer = invoke("CallbackFunction", event)
        assert answer == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
        assert len(receiver.received) == 1 and elsewhere.received == []


def test_an_address_no_longer_allowed_at_delivery_is_not_called(aws, configure):
    """The host is resolved again when the job ends: what passed at submit (here under an
    allowance since withdrawn; with DNS, a name that now resolves elsewhere) is checked anew."""
    with callback_receiver() as receiver:
        job = ended_job(aws, receiver.url, JobStatus.FINISHED, result="1")
        configure("")  # the operator's allowance of 127.0.0.0/8 is gone
        event = delivery_of(job, "job_finished")
        answer = invoke("CallbackFunction", event)
        assert answer == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
        assert receiver.received == []
