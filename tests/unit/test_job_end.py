"""infra/job_end.py's promise: every ended job has exactly one end, one end event and its slot
back, whoever ends it and however many try at once; a waiting sync caller is woken with what
was written; a result stored for a job that ended meanwhile is removed."""

import json
import threading
import uuid

from events.jobs import JobError
from events.settings import ContextSettings
from events.states import ContextState, JobStatus
from infra.aws import client
from infra.clock import now_iso
from infra.job_end import JobEnding
from infra.messaging.replies import Replies
from infra.stores.contexts import ContextRecord, ContextStore
from infra.stores.jobs import JobRecord, JobStore
from infra.stores.results import INLINE_LIMIT_BYTES, ResultStore


def ending(aws, told: list[JobRecord]) -> JobEnding:
    return JobEnding(
        JobStore(aws.jobs_table),
        ContextStore(aws.contexts_table),
        ResultStore(aws.binaries_bucket),
        Replies(aws.queue_prefix),
        told.append,
    )


def context_with_jobs(aws, count: int) -> tuple[ContextRecord, list[JobRecord]]:
    contexts, jobs = ContextStore(aws.contexts_table), JobStore(aws.jobs_table)
    context = ContextRecord(
        name=f"ends-{uuid.uuid4().hex[:6]}",
        contextId=uuid.uuid4().hex,
        state=ContextState.RUNNING,
        startTime=now_iso(),
        queueUrl="http://queue",
        settings=ContextSettings(maxJobs=count),
    )
    contexts.create(context)
    created = []
    for _ in range(count):
        contexts.take_slot(context.name)
        job = JobRecord(
            jobId=str(uuid.uuid4()),
            context=context.name,
            contextId=context.contextId,
            appName="app",
            classPath="m.C",
            status=JobStatus.STARTED,
            startTime=now_iso(),
        )
        jobs.create(job)
        created.append(job)
    return context, created


def test_every_ended_job_has_one_end_one_event_and_its_slot_back(aws):
    told: list[JobRecord] = []
    one_way = ending(aws, told)
    context, jobs = context_with_jobs(aws, 6)
    parties = [
        lambda job: one_way.end(job, JobStatus.FINISHED, result="1"),  # its host
        lambda job: one_way.end(job, JobStatus.KILLED),  # DELETE /jobs/{id}
        lambda job: one_way.end(job, JobStatus.ERROR, error=JobError(message="x", errorClass="X")),
        lambda job: one_way.end(job, JobStatus.FINISHED, result="2"),  # a second delivery's host
    ]
    threads = [
        threading.Thread(target=party, args=(job,)) for job in jobs for party in parties
    ]  # every party tries to end every job, all at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(record.jobId for record in told) == sorted(job.jobId for job in jobs)
    stored = {job.jobId: JobStore(aws.jobs_table).get(job.jobId) for job in jobs}
    for record in told:
        assert record.status is stored[record.jobId].status  # the event says what was stored
    assert ContextStore(aws.contexts_table).get(context.name).activeJobs == 0


def test_jobs_of_an_ended_context_end_once_each(aws):
    told: list[JobRecord] = []
    one_way = ending(aws, told)
    context, jobs = context_with_jobs(aws, 3)
    one_way.end(jobs[0], JobStatus.FINISHED, result="1")
    ended = one_way.end_with_context(context.name, "its host died")
    assert sorted(record.jobId for record in ended) == sorted(job.jobId for job in jobs[1:])
    assert one_way.end_with_context(context.name) == []
    assert sorted(record.jobId for record in told) == sorted(job.jobId for job in jobs)
    assert all(r.error.message.endswith("terminated: its host died") for r in ended if r.error)


def test_a_sync_caller_is_woken_with_the_end_and_a_result_stored_in_vain_is_removed(aws):
    told: list[JobRecord] = []
    one_way = ending(aws, told)
    replies = Replies(aws.queue_prefix)
    _, (job,) = context_with_jobs(aws, 1)
    job = job.model_copy(update={"replyTo": replies.address()})
    killed = one_way.end(job, JobStatus.KILLED)
    woken = replies.wait(job.jobId, 5)
    assert woken is not None and woken.end is not None and woken.end.status is JobStatus.KILLED
    assert killed is not None and killed.endTime == woken.end.endTime

    results = ResultStore(aws.binaries_bucket)
    _, key = results.save(job.context, job.jobId, json.dumps("x" * INLINE_LIMIT_BYTES).encode())
    assert one_way.end(job, JobStatus.FINISHED, result_key=key) is None  # killed first
    listed = client("s3").list_objects_v2(Bucket=aws.binaries_bucket, Prefix=key)
    assert "Contents" not in listed
    assert len(told) == 1
    client("sqs").delete_queue(QueueUrl=replies.address())  # other tests count reply queues
