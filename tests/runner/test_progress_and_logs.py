"""What a host tells of a job while it runs and after: its Spark progress (as Spark's own status
tracker counts it), its streaming batches, its own output and Spark's log events about its work,
kept apart from its neighbours'; and what a job that did not finish leaves running: nothing."""

import time
from collections.abc import Callable

import pytest
from py4j.java_gateway import GatewayParameters, JavaGateway

from events.jobs import Progress
from events.messages import JobRequested
from events.states import JobStatus
from functions.domain.waiting import wait_until
from infra.stores.jobs import JobRecord
from tests.runner.conftest import SAMPLE_SECONDS, RunnerHarness

NO_ACK = lambda: None  # noqa: E731  (no queue in these tests)
ENDLESS = "example_jobs.progress.EndlessStreamJob"


@pytest.fixture(scope="module")
def session(engine):
    """The context's SparkSession in its JVM, reached over a py4j connection of the test's own."""
    assert engine.access is not None
    gateway = JavaGateway(
        gateway_parameters=GatewayParameters(port=engine.access.port, auth_token=engine.access.secret)
    )
    yield gateway.jvm.org.apache.spark.sql.classic.SparkSession.getDefaultSession().get()
    gateway.close()


@pytest.fixture(scope="module")
def tracker(session):
    """Spark's status tracker in the context's JVM."""
    return session.sparkContext().statusTracker()


def spark_counts(tracker, group: str) -> dict[str, int]:
    """What Spark's status tracker says of a job group: its Spark jobs, their stages and tasks."""
    job_ids = list(tracker.getJobIdsForGroup(group))
    stages = {stage for job in job_ids for stage in tracker.getJobInfo(job).get().stageIds()}
    tasks = sum(tracker.getStageInfo(stage).get().numTasks() for stage in stages)
    return {"jobs": len(job_ids), "stages": len(stages), "tasks": tasks}


def follow(harness: RunnerHarness, job_id: str, timeout: float = 120) -> tuple[JobRecord, list[Progress]]:
    """Read the job's record until it ends: the record as ended, and each progress seen meanwhile."""
    seen: list[Progress] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = harness.jobs.get(job_id)
        if not record.status.is_active:
            return record, seen
        if record.progress is not None and record.progress not in seen:
            seen.append(record.progress)
        time.sleep(SAMPLE_SECONDS / 3)
    raise AssertionError(f"job {job_id} still running after {timeout} s")


def test_a_multi_stage_job_goes_to_100_percent_with_sparks_own_counts(harness, examples, tracker):
    request = harness.request(
        examples, "example_jobs.progress.ShuffleJob", {"seconds-per-task": 1.0, "partitions": 4}
    )
    assert harness.runner.submit(request, NO_ACK)
    record, seen = follow(harness, request.jobId)

    assert record.status is JobStatus.FINISHED, record.error
    assert any(p.percent < 100 for p in seen), f"no progress seen while it ran: {seen}"
    final = record.progress
    assert final is not None and final.percent == 100.0
    counts = spark_counts(tracker, request.jobId)
    assert counts == {"jobs": 2, "stages": 4, "tasks": 16}  # the second job skips the first's map stage
    assert (final.jobs.done, final.jobs.total) == (counts["jobs"], counts["jobs"])
    assert (final.stages.done, final.stages.total) == (counts["stages"], counts["stages"])
    assert (final.tasks.done, final.tasks.total) == (counts["tasks"], counts["tasks"])
    assert final.streaming is None


def test_a_streaming_job_shows_its_batches(harness, examples):
    record = harness.run(examples, "example_jobs.progress.RateStreamJob", {"batches": 4})
    assert record.status is JobStatus.FINISHED, record.error
    streaming = record.progress.streaming
    assert streaming is not None and streaming.batches >= 4
    assert streaming.inputRows > 0


def test_a_quick_job_ends_with_its_progress_and_no_log(harness, examples):
    record = harness.run(examples, "example_jobs.word_count.WordCountSparkJob", {"input": {"strings": ["a"]}})
    assert record.progress is not None and record.progress.percent == 100.0
    assert record.progress.jobs.total == 1
    assert harness.logs.load(record.context, record.jobId) == ""  # it wrote nothing: nothing was saved


def test_a_job_without_spark_work_has_no_progress(harness, examples):
    record = harness.run(examples, "example_jobs.progress.ChattyJob", {"lines": 1, "interval": 0})
    assert record.status is JobStatus.FINISHED and record.progress is None


def test_two_jobs_at_once_on_one_context_each_log_only_their_own_lines(harness, examples):
    lines = 15
    first, second = (
        harness.request(
            examples, "example_jobs.progress.ChattyJob", {"marker": marker, "lines": lines, "interval": 0.05}
        )
        for marker in ("first-job", "second-job")
    )
    assert harness.runner.submit(first, NO_ACK) and harness.runner.submit(second, NO_ACK)
    for request in (first, second):
        assert harness.wait_ended(request.jobId).status is JobStatus.FINISHED

    def saved_log(job_id: str) -> str:
        text, complete = wait_until(
            lambda: harness.logs.load("tests", job_id), lambda t: t.count("\n") >= 2 * lines, 30
        )
        assert complete, f"log of {job_id} incomplete: {text!r}"
        return text

    for request, mine, theirs in ((first, "first-job", "second-job"), (second, "second-job", "first-job")):
        text = saved_log(request.jobId)
        assert theirs not in text
        for i in range(lines):
            assert f" {mine} print {i}\n" in text
            assert f" INFO chatty: {mine} log {i}\n" in text


def saved_log(harness: RunnerHarness, job_id: str, complete: Callable[[str], bool]) -> str:
    """The job's log as its host saved it, once `complete` (its last save follows its end closely)."""
    text, done = wait_until(lambda: harness.logs.load("tests", job_id), complete, 30)
    assert done, f"log of {job_id} incomplete: {text!r}"
    return text


def test_sparks_warnings_about_a_jobs_work_are_in_its_log_and_not_its_neighbours(harness, examples):
    warned = harness.request(examples, "example_jobs.progress.SparkWarningJob", {"marker": "warned-job"})
    neighbour = harness.request(
        examples, "example_jobs.progress.ChattyJob", {"marker": "neighbour", "lines": 20, "interval": 0.05}
    )
    assert harness.runner.submit(neighbour, NO_ACK) and harness.runner.submit(warned, NO_ACK)
    for request in (warned, neighbour):
        assert harness.wait_ended(request.jobId).status is JobStatus.FINISHED

    cached_twice = " WARN CacheManager: Asked to cache already cached data.\n"
    text = saved_log(harness, warned.jobId, lambda t: cached_twice in t and "failing task" in t)
    failed_task = next(line for line in text.splitlines() if " ERROR Executor: Exception in task" in line)
    assert text.index(failed_task) < text.index("ValueError: warned-job failing task")  # its stack follows it

    theirs = saved_log(harness, neighbour.jobId, lambda t: t.count(" neighbour print ") == 20)
    assert "CacheManager" not in theirs and "Executor" not in theirs and "warned-job" not in theirs
    assert all(" neighbour " in line for line in theirs.splitlines())


def test_a_killed_or_failed_jobs_streaming_queries_stop_and_a_neighbours_run_on(harness, examples, session):
    def active() -> set[str]:
        return {query.name() for query in session.streams().active()}

    def started(request: JobRequested, name: str) -> None:
        assert harness.runner.submit(request, NO_ACK)
        _, running = wait_until(active, lambda names: name in names, 60)
        assert running, f"query {name} did not start"

    neighbour = harness.request(examples, ENDLESS, {"name": "neighbours_query"})
    started(neighbour, "neighbours_query")
    killed = harness.request(examples, ENDLESS, {"name": "killed_jobs_query"})
    started(killed, "killed_jobs_query")
    harness.kill(killed.jobId)
    names, stopped = wait_until(active, lambda names: "killed_jobs_query" not in names, 30)
    assert stopped, names

    failed = harness.run(examples, ENDLESS, {"name": "failed_jobs_query", "fail": True})
    assert failed.status is JobStatus.ERROR and "still running" in failed.error.message
    names, stopped = wait_until(active, lambda names: "failed_jobs_query" not in names, 30)
    assert stopped, names

    assert "neighbours_query" in active()  # untouched, and its job still running
    assert harness.jobs.get(neighbour.jobId).status is JobStatus.RUNNING
    harness.kill(neighbour.jobId)
    names, stopped = wait_until(active, lambda names: not names, 30)
    assert stopped, names
