"""The host's watch over its running jobs: progress written to the record when it changed and only
while the job runs, Job Progress events only when asked for and at a bounded rate, the log saved
as it grows and once more at the end."""

import uuid

import pytest

from context_host.engine import JobSample
from context_host.progress import JobWatch
from events.jobs import Counts, Progress
from events.lifecycle import JobProgress, LifecycleEvent
from events.messages import BinaryRef, JobRequested
from events.states import JobStatus
from functions.domain.waiting import wait_until
from infra.clock import now_iso
from infra.server_config import ProgressSection
from infra.stores.job_logs import JobLogStore
from infra.stores.jobs import JobRecord, JobStore


def progress(done: int, total: int = 4) -> Progress:
    return Progress(
        percent=100 * done / total,
        jobs=Counts(done=0, total=1),
        stages=Counts(done=0, total=1),
        tasks=Counts(done=done, total=total),
    )


class SparkSide:
    """What the context's JVM answers for a job's progress and log events: set by the test, as
    Spark moves on."""

    def __init__(self) -> None:
        self.now = progress(0)
        self.events: list[str] = []  # the JVM's log events for the job, taken by the next sample
        self.forgotten: list[str] = []

    def sample_of(self, job_id: str, last: bool = False) -> JobSample:
        events, self.events = self.events, []
        return JobSample(self.now, events)

    def forget(self, job_id: str) -> list[str]:
        self.forgotten.append(job_id)
        events, self.events = self.events, []
        return events


@pytest.fixture
def running_job(aws) -> JobRequested:
    jobs = JobStore(aws.jobs_table)
    job = JobRecord(
        jobId=str(uuid.uuid4()),
        context="watched",
        appName="app",
        classPath="a.B",
        status=JobStatus.STARTED,
        startTime=now_iso(),
    )
    jobs.create(job)
    assert jobs.claim(job.jobId, "test-host")
    return JobRequested(
        **job.model_dump(include={"jobId", "context", "appName", "classPath", "startTime"}),
        contextId="c-1",
        binary=BinaryRef(key="versions/app/x.egg", digest="x"),
    )


def watch_of(aws, spark: SparkSide, events: list[LifecycleEvent], event_seconds: float) -> JobWatch:
    return JobWatch(
        sample_of=spark.sample_of,
        forget=spark.forget,
        jobs=JobStore(aws.jobs_table),
        logs=JobLogStore(aws.binaries_bucket),
        publish=events.append,
        settings=ProgressSection(sample_seconds=0.2, event_seconds=event_seconds),
    )


def test_a_running_jobs_progress_and_log_follow_it_and_end_with_it(aws, running_job):
    spark, events = SparkSide(), []
    watch = watch_of(aws, spark, events, event_seconds=0.2)
    jobs, logs = JobStore(aws.jobs_table), JobLogStore(aws.binaries_bucket)
    log = watch.follow(running_job)
    log.add("started")
    spark.events = ["WARN CacheManager: Asked to cache already cached data."]
    job_id = running_job.jobId

    written, ok = wait_until(lambda: jobs.get(job_id).progress, lambda p: p == progress(0), 10)
    assert ok, written
    spark.now = progress(2)
    written, ok = wait_until(lambda: jobs.get(job_id).progress, lambda p: p == progress(2), 10)
    assert ok, written
    saved, ok = wait_until(lambda: logs.load("watched", job_id), lambda text: "cached data" in text, 10)
    assert ok, saved
    assert saved.index(" started\n") < saved.index(" WARN CacheManager: Asked to cache already cached data.")
    told = [e for e in events if isinstance(e, JobProgress)]
    assert told and told[0].jobId == job_id and told[0].status is JobStatus.RUNNING

    spark.now = progress(4)
    assert watch.last_progress(job_id) == progress(4)
    jobs.finish(job_id, JobStatus.FINISHED, result="1")
    log.add("last words")
    spark.events = ["ERROR Executor: the JVM's last words"]
    watch.ended(job_id)
    saved, ok = wait_until(lambda: logs.load("watched", job_id), lambda text: "JVM's last" in text, 10)
    assert ok, saved
    assert " last words\n" in saved
    _, forgotten = wait_until(lambda: spark.forgotten, lambda f: f == [job_id], 10)
    assert forgotten
    assert jobs.get(job_id).progress == progress(2)  # what the sampler wrote while it ran, untouched


def test_no_job_progress_events_unless_asked_for(aws, running_job):
    spark, events = SparkSide(), []
    watch = watch_of(aws, spark, events, event_seconds=0)
    watch.follow(running_job)
    spark.now = progress(3)
    jobs = JobStore(aws.jobs_table)
    _, ok = wait_until(lambda: jobs.get(running_job.jobId).progress, lambda p: p == progress(3), 10)
    assert ok
    watch.ended(running_job.jobId)
    assert events == []


def test_nothing_is_told_of_a_job_before_its_spark_work(aws, running_job):
    spark, events = SparkSide(), []
    spark.now = Progress(
        percent=0, jobs=Counts(done=0, total=0), stages=Counts(done=0, total=0), tasks=Counts(done=0, total=0)
    )
    watch = watch_of(aws, spark, events, event_seconds=0.2)
    watch.follow(running_job)
    assert watch.last_progress(running_job.jobId) is None
    watch.ended(running_job.jobId)
    assert JobStore(aws.jobs_table).get(running_job.jobId).progress is None and events == []
