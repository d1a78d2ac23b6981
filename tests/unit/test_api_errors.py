"""An error nobody foresaw answers 500 in SJS's shape with a request id, and the stack goes to
the log under that id, never to the caller."""

import re

from events.states import JobStatus
from infra.stores.jobs import JobError, JobStore
from tests.unit.test_api_jobs import job_on


def test_an_unexpected_error_answers_500_without_the_servers_stack(api, configure, caplog):
    configure(JOBS_TABLE="sjs-unit-no-such-table")  # every job read now fails inside boto3
    answer = api("GET", "/jobs/some-job")
    assert answer.status == 500
    assert answer.body["status"] == "ERROR"
    found = re.fullmatch(
        r"Internal server error \(request id ([0-9a-f-]{36})\); the server's log has the details",
        answer.body["result"],
    )
    assert found, answer.body
    [logged] = [r for r in caplog.records if found.group(1) in r.getMessage()]
    assert logged.exc_info is not None and "ResourceNotFoundException" in str(logged.exc_info[1])


def test_a_failed_jobs_own_stack_is_still_shown(api, aws):
    job = job_on(aws, "etl")
    error = JobError(message="bad data", errorClass="ValueError", stack=["Traceback", "ValueError: bad data"])
    JobStore(aws.jobs_table).finish(job.jobId, JobStatus.ERROR, error=error)
    assert api("GET", f"/jobs/{job.jobId}").body["result"] == error.model_dump()
