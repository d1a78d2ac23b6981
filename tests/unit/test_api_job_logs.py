"""GET /jobs/{id}/logs: a job's own lines, as its host saved them, with tail and since; and the
progress GET /jobs/{id} shows once a host has written it."""

import uuid

import pytest

from events.jobs import Counts, Progress
from events.states import JobStatus
from functions.api.app import lambda_handler
from infra.local.api_gateway import api_gateway_event
from infra.local.lambda_runtime import LocalLambdaContext
from infra.stores.job_logs import JobLogStore
from infra.stores.jobs import JobStore
from tests.unit.test_api_contexts import live_context
from tests.unit.test_api_jobs import job_on

LINES = [
    "2026-12-01T08:00:00.000+00:00 first line",
    "2026-12-01T08:00:01.000+00:00 INFO chatty: second line",
    "2026-12-01T08:00:02.500+00:00 third line",
]


def get_text(path: str) -> tuple[int, str, str]:
    """GET `path` from the API function: status, content type, body as text."""
    response = lambda_handler(
        api_gateway_event("GET", path, {}, b"", "127.0.0.1"), LocalLambdaContext("ApiFunction", "t")
    )
    headers = {key.lower(): value for key, value in (response.get("headers") or {}).items()}
    return response["statusCode"], headers.get("content-type", ""), response["body"]


@pytest.fixture
def logged_job(aws, api):
    job = job_on(aws, "logs-ctx", JobStatus.FINISHED)
    JobLogStore(aws.binaries_bucket).save(
        job.context, job.jobId, "".join(f"{line}\n" for line in LINES).encode()
    )
    return job


def test_the_log_of_a_job_is_plain_text_lines(logged_job):
    status, content_type, body = get_text(f"/jobs/{logged_job.jobId}/logs")
    assert (status, content_type) == (200, "text/plain; charset=utf-8")
    assert body.splitlines() == LINES


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tail=1", LINES[2:]),
        ("tail=5", LINES),
        ("since=1", LINES[1:]),
        ("since=3", []),
        ("since=2026-12-01T08:00:01Z", LINES[1:]),
        ("since=2026-12-01T08:00:01.001%2B00:00", LINES[2:]),
        ("since=1&tail=1", LINES[2:]),
    ],
)
def test_tail_and_since_choose_lines(logged_job, query, expected):
    status, _, body = get_text(f"/jobs/{logged_job.jobId}/logs?{query}")
    assert status == 200 and body.splitlines() == expected


@pytest.mark.parametrize(
    "query",
    ["tail=0", "tail=-1", "tail=x", "since=yesterday", "since=2026-12-01T08:00:00", f"since={'1' * 50}"],
)
def test_bad_tail_or_since_is_a_400(api, logged_job, query):
    answer = api("GET", f"/jobs/{logged_job.jobId}/logs?{query}")
    assert answer.status == 400 and answer.body["status"] == "ERROR", query


def test_logs_of_an_unknown_job_are_a_404(api):
    answer = api("GET", f"/jobs/{uuid.uuid4()}/logs")
    assert answer.status == 404 and answer.body["status"] == "ERROR"


def test_a_job_that_wrote_nothing_has_an_empty_log(aws, api):
    job = job_on(aws, "logs-ctx", JobStatus.FINISHED)
    answer = get_text(f"/jobs/{job.jobId}/logs")
    assert answer[::2] == (200, ""), answer


def test_a_job_shows_its_progress_once_its_host_wrote_it(aws, api):
    live_context(aws, "progress-ctx")
    job = job_on(aws, "progress-ctx")
    assert "progress" not in api("GET", f"/jobs/{job.jobId}").body
    jobs = JobStore(aws.jobs_table)
    assert jobs.claim(job.jobId, "test-host")
    progress = Progress(
        percent=37.5,
        jobs=Counts(done=0, total=1),
        stages=Counts(done=1, total=2),
        tasks=Counts(done=3, total=8),
    )
    assert jobs.write_progress(job.jobId, progress)
    assert api("GET", f"/jobs/{job.jobId}").body["progress"] == {
        "percent": 37.5,
        "jobs": {"done": 0, "total": 1},
        "stages": {"done": 1, "total": 2},
        "tasks": {"done": 3, "total": 8},
    }
    jobs.finish(job.jobId, JobStatus.FINISHED, result="1")
    assert not jobs.write_progress(
        job.jobId, progress
    )  # an ended job's progress is the one written with its end
