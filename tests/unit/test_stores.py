"""The stores' guarantees: conditional state changes, no half-written binaries, no lost results."""

import time
import uuid

import pytest

from events.jobs import JobError
from events.settings import ContextSettings
from events.states import ContextState, FailurePhase, JobStatus
from infra.aws import client
from infra.errors import Conflict, ContextExists, NoSuchBinary, NoSuchJob
from infra.stores.binaries import BinaryRecord, BinaryStore
from infra.stores.contexts import ContextRecord, ContextStore, RunningHost
from infra.stores.jobs import JobRecord, JobStore
from infra.stores.results import INLINE_LIMIT_BYTES, ResultStore


def new_job(context: str = "ctx", start: str = "2026-11-21T04:00:00.000+00:00", **fields) -> JobRecord:
    return JobRecord(
        jobId=str(uuid.uuid4()),
        context=context,
        appName="app",
        classPath="m.C",
        status=JobStatus.STARTED,
        startTime=start,
        **fields,
    )


def new_context(name: str, **fields) -> ContextRecord:
    defaults = {"state": ContextState.RUNNING, "queueUrl": "http://queue", "settings": ContextSettings()}
    return ContextRecord(
        name=name, contextId=uuid.uuid4().hex, startTime="2026-11-21T04:00:00+00:00", **{**defaults, **fields}
    )


def test_a_job_is_claimed_once(aws):
    jobs = JobStore(aws.jobs_table)
    job = new_job()
    jobs.create(job)
    assert jobs.claim(job.jobId, "host-1")
    assert not jobs.claim(job.jobId, "host-2")
    assert jobs.get(job.jobId).hostId == "host-1"


def test_finishing_is_conditional_on_being_active(aws):
    jobs = JobStore(aws.jobs_table)
    job = new_job()
    jobs.create(job)
    killed = jobs.finish(job.jobId, JobStatus.KILLED)
    assert killed.status is JobStatus.KILLED and killed.endTime
    assert job.ended(killed) == jobs.get(job.jobId)  # what finish returns is what was stored
    assert jobs.finish(job.jobId, JobStatus.FINISHED, result="1") is None
    assert jobs.get(job.jobId).status is JobStatus.KILLED


def test_active_jobs_of_a_context_are_counted_and_terminated(aws):
    jobs = JobStore(aws.jobs_table)
    context = f"ctx-{uuid.uuid4().hex[:6]}"
    running, queued, done = new_job(context), new_job(context), new_job(context)
    for job in (running, queued, done):
        jobs.create(job)
    jobs.claim(running.jobId, "h")
    jobs.finish(done.jobId, JobStatus.FINISHED, result="null")
    assert jobs.count_active(context) == 2
    assert set(jobs.active_ids(context)) == {running.jobId, queued.jobId}
    ended = jobs.terminate(running.jobId, context, "gone")
    failed = jobs.get(running.jobId)
    assert ended == failed  # the record as ended, for its end event
    assert failed.status is JobStatus.ERROR and failed.phase is FailurePhase.CONTEXT
    assert failed.error == JobError(
        message=f"Context ({context}) for this job was terminated: gone", errorClass="ContextTerminated"
    )
    assert jobs.terminate(running.jobId, context) is None
    assert jobs.count_active(context) == 1


def test_recent_jobs_are_newest_first_per_status(aws):
    jobs = JobStore(aws.jobs_table)
    stamps = [f"2100-01-01T00:00:0{i}.000+00:00" for i in range(4)]  # newer than other tests' jobs
    created = [new_job(start=stamp) for stamp in stamps]
    for job in created:
        jobs.create(job)
    jobs.finish(created[1].jobId, JobStatus.ERROR, error=JobError(message="x", errorClass="E"))
    newest = jobs.recent(2, JobStatus.STARTED)
    assert [j.jobId for j in newest] == [created[3].jobId, created[2].jobId]
    assert [j.jobId for j in jobs.recent(1)] == [created[3].jobId]  # across statuses too
    assert jobs.recent(1, JobStatus.ERROR)[0].jobId == created[1].jobId
    with pytest.raises(NoSuchJob):
        jobs.get("missing")


def test_a_live_context_name_cannot_be_taken_but_an_ended_one_can(aws):
    contexts = ContextStore(aws.contexts_table)
    first = new_context("taken")
    contexts.create(first)
    with pytest.raises(ContextExists):
        contexts.create(new_context("taken"))
    assert contexts.end("taken", first.contextId, ContextState.FINISHED)
    second = new_context("taken")
    contexts.create(second)
    assert contexts.get("taken").contextId == second.contextId


def test_an_ended_incarnation_cannot_beat_or_come_back(aws):
    contexts = ContextStore(aws.contexts_table)
    record = new_context("beating", state=ContextState.STARTED)
    contexts.create(record)
    contexts.beat("beating", record.contextId)
    contexts.end("beating", record.contextId, ContextState.ERROR, "declared dead")
    with pytest.raises(Conflict):
        contexts.beat("beating", record.contextId)
    with pytest.raises(Conflict):
        contexts.mark_running("beating", record.contextId, RunningHost(None, "app", "user", "http://h", "s"))
    assert contexts.get("beating").message == "declared dead"


def test_a_binary_whose_record_fails_leaves_no_object(aws):
    store = BinaryStore(aws.binaries_table, aws.binaries_bucket)
    record = BinaryRecord(
        appName="clash",
        uploadTime="2026-11-21T04:00:00.000+00:00",
        binaryType="Egg",
        key="versions/clash/a.egg",
        digest="d",
        size=1,
    )
    store.add(record, b"1")
    clash = record.model_copy(update={"key": "versions/clash/b.egg"})
    with pytest.raises(Conflict):
        store.add(clash, b"2")
    keys = [
        o["Key"]
        for o in client("s3")
        .list_objects_v2(Bucket=aws.binaries_bucket, Prefix="versions/clash/")
        .get("Contents", [])
    ]
    assert keys == ["versions/clash/a.egg"]
    store.delete("clash")
    with pytest.raises(NoSuchBinary):
        store.latest("clash")
    assert "Contents" not in client("s3").list_objects_v2(
        Bucket=aws.binaries_bucket, Prefix="versions/clash/"
    )


def test_large_results_go_to_s3_and_come_back_whole(aws):
    results = ResultStore(aws.binaries_bucket)
    assert results.save("ctx", "small", b"[1]") == ("[1]", None)
    big = '"' + "x" * INLINE_LIMIT_BYTES + '"'
    inline, key = results.save("ctx", "big", big.encode())
    assert inline is None and key == "results/ctx/big.json"  # under its context: all its host may write
    assert results.load(key) == big


def test_an_ended_job_expires_after_the_retention(aws):
    jobs = JobStore(aws.jobs_table, retention_days=2)
    job = new_job()
    jobs.create(job)
    assert (
        "expiresAt"
        not in client("dynamodb").get_item(TableName=aws.jobs_table, Key={"jobId": {"S": job.jobId}})["Item"]
    )  # a live job never expires
    before = int(time.time())
    jobs.finish(job.jobId, JobStatus.FINISHED, result="1")
    after = time.time()
    item = client("dynamodb").get_item(TableName=aws.jobs_table, Key={"jobId": {"S": job.jobId}})["Item"]
    assert before + 2 * 86400 <= int(item["expiresAt"]["N"]) <= after + 2 * 86400


def test_a_started_context_is_marked_running_with_its_ui_application_and_isolation(aws):
    contexts = ContextStore(aws.contexts_table)
    record = new_context(f"marked-{uuid.uuid4().hex[:6]}", state=ContextState.STARTED)
    contexts.create(record)
    running = RunningHost("http://127.0.0.1:4040", "local-1764", "user", "http://127.0.0.1:5000", "secret")
    contexts.mark_running(record.name, record.contextId, running)
    marked = contexts.get(record.name)
    assert (marked.state, marked.sparkUiUrl, marked.applicationId, marked.isolation, marked.endpoint) == (
        ContextState.RUNNING,
        "http://127.0.0.1:4040",
        "local-1764",
        "user",
        "http://127.0.0.1:5000",
    )
