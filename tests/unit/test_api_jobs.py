"""/jobs answers that need no running host: refusals, listing, kill, results, dead contexts."""

import io
import json
import threading
import uuid
import zipfile

from events.messages import JobRequested, KillRequested, host_message
from events.states import ContextState, JobStatus
from infra.aws import client
from infra.clock import now_ms
from infra.messaging.host_queues import HostQueues
from infra.stores.contexts import ContextStore
from infra.stores.jobs import JobRecord, JobStore
from infra.stores.results import ResultStore
from tests.unit.test_api_contexts import live_context

WORDCOUNT = "example_jobs.word_count.WordCountSparkJob"


def job_on(aws, context: str, status=JobStatus.STARTED, start="2026-11-21T04:00:00.000+00:00") -> JobRecord:
    job = JobRecord(
        jobId=str(uuid.uuid4()),
        context=context,
        appName="app",
        classPath=WORDCOUNT,
        status=JobStatus.STARTED,
        startTime=start,
    )
    store = JobStore(aws.jobs_table)
    store.create(job)
    if status is not JobStatus.STARTED:
        store.finish(job.jobId, status)
    return store.get(job.jobId)


def test_unknown_app_class_and_context_are_404s(api, app_name):
    assert api("POST", f"/jobs?appName=nope&classPath={WORDCOUNT}").body == {
        "status": "ERROR",
        "result": "appName nope not found",
    }
    missing_class = api("POST", f"/jobs?appName={app_name}&classPath=example_jobs.word_count.Nope")
    assert missing_class.status == 404
    assert missing_class.body["result"] == "classPath example_jobs.word_count.Nope not found"
    no_context = api("POST", f"/jobs?appName={app_name}&classPath={WORDCOUNT}&context=ghost")
    assert no_context.status == 404 and no_context.body["result"] == "context ghost not found"


def test_malformed_config_and_missing_parameters_are_400s(api, app_name):
    malformed = api("POST", f"/jobs?appName={app_name}&classPath={WORDCOUNT}", 'input.strings = ["a"')
    assert malformed.status == 400 and malformed.body["result"].startswith("Cannot parse config")
    assert api("POST", f"/jobs?appName={app_name}").status == 400
    assert api("POST", "/jobs?classPath=x.Y").status == 400
    assert api("POST", f"/jobs?appName={app_name}&classPath={WORDCOUNT}&timeout=0").status == 400
    for odd in ("mainClass { a = 1 }", "mainClass = 5", "mainClass = [x]"):
        answer = api("POST", f"/jobs?appName={app_name}", odd)
        assert (
            answer.status == 400 and "mainClass in the config must be a class name" in answer.body["result"]
        )


def test_a_jar_is_indexed_by_its_classes_and_cp_finds_a_class_in_any_of_its_binaries(api, app_name):
    classes = ["spark/jobserver/WordCountExample.class", "spark/jobserver/WordCountExample$1.class"]
    jar = io.BytesIO()
    with zipfile.ZipFile(jar, "w") as archive:
        for name in ["META-INF/MANIFEST.MF", *classes]:
            archive.writestr(name, b"\xca\xfe\xba\xbe")
    uploaded = api("POST", "/binaries/a-jar", jar.getvalue(), {"Content-Type": "application/java-archive"})
    assert uploaded.status == 201
    nested = "spark.jobserver.WordCountExample$1"
    missing = api("POST", f"/jobs?appName=a-jar&classPath={nested}")
    assert (missing.status, missing.body["result"]) == (404, f"classPath {nested} not found")
    for query in (
        "appName=a-jar&classPath=spark.jobserver.WordCountExample",
        f"cp=a-jar,{app_name}&classPath={WORDCOUNT}",
    ):
        found = api("POST", f"/jobs?{query}&context=nowhere")  # the class is found; the context is not
        assert found.body["result"] == "context nowhere not found", query


def test_a_full_context_answers_503_and_records_nothing(api, aws, app_name):
    context = live_context(aws, f"full-{uuid.uuid4().hex[:4]}", max_jobs=1)
    contexts = ContextStore(aws.contexts_table)
    contexts.take_slot(context.name)  # the one slot, as a running job holds it
    answer = api("POST", f"/jobs?appName={app_name}&classPath={WORDCOUNT}&context={context.name}")
    assert answer.status == 503
    assert answer.body == {
        "status": "NO SLOTS AVAILABLE",
        "result": f"Too many running jobs (1) for job context '{context.name}'",
    }
    assert JobStore(aws.jobs_table).count_active(context.name) == 0
    assert contexts.get(context.name).activeJobs == 1


def test_a_refused_submit_gives_its_slot_back(api, aws):
    context = live_context(aws, f"back-{uuid.uuid4().hex[:4]}", max_jobs=1)
    assert api("POST", f"/jobs?appName=nope&classPath={WORDCOUNT}&context={context.name}").status == 404
    assert ContextStore(aws.contexts_table).get(context.name).activeJobs == 0


def test_kill_marks_killed_at_once_and_tells_the_host(api, aws):
    context = live_context(aws, f"kill-{uuid.uuid4().hex[:4]}")
    job = job_on(aws, context.name)
    assert api("DELETE", f"/jobs/{job.jobId}").body == {"status": "KILLED"}
    assert api("GET", f"/jobs/{job.jobId}").body["status"] == "KILLED"
    messages = client("sqs").receive_message(QueueUrl=context.queueUrl, WaitTimeSeconds=1)["Messages"]
    assert host_message.validate_json(messages[0]["Body"]) == KillRequested(jobId=job.jobId)
    again = api("DELETE", f"/jobs/{job.jobId}")
    assert again.status == 404 and again.body["result"] == f"No running job with ID {job.jobId}"


def test_unknown_jobs_are_404s(api):
    for method, path in (("GET", "/jobs/x"), ("GET", "/jobs/x/config"), ("DELETE", "/jobs/x")):
        answer = api(method, path)
        assert answer.status == 404 and answer.body == {"status": "ERROR", "result": "No such job ID x"}


def test_job_list_is_newest_first_and_filters_by_status(api, aws):
    assert api("GET", "/jobs?status=BOGUS").status == 400
    assert api("GET", "/jobs?limit=0").status == 400
    killed = [job_on(aws, "listed", JobStatus.KILLED, f"2099-01-01T00:00:0{i}.000+00:00") for i in range(3)]
    listed = api("GET", "/jobs?status=KILLED&limit=2").body
    assert [job["jobId"] for job in listed] == [killed[2].jobId, killed[1].jobId]
    assert api("GET", "/jobs?status=killed&limit=2").body == listed  # any case, as SJS reads it
    assert api("GET", "/jobs?status=Killed&limit=2").body == listed
    assert set(listed[0]) == {"jobId", "status", "classPath", "appName", "context", "startTime", "duration"}


def test_a_large_result_is_read_back_from_s3(api, aws):
    job = job_on(aws, "done")
    big = ["x" * 1000] * 500
    inline, key = ResultStore(aws.binaries_bucket).save(job.context, job.jobId, json.dumps(big).encode())
    JobStore(aws.jobs_table).finish(job.jobId, JobStatus.FINISHED, result=inline, result_key=key)
    shown = api("GET", f"/jobs/{job.jobId}").body
    assert shown["status"] == "FINISHED" and shown["result"] == big
    assert api("GET", f"/jobs/{job.jobId}/config").body == {}


def test_a_job_on_a_dead_context_is_reported_as_error(api, aws):
    context = live_context(aws, f"dead-{uuid.uuid4().hex[:4]}", heartbeat_ms=now_ms() - 60_000)
    job = job_on(aws, context.name)
    shown = api("GET", f"/jobs/{job.jobId}").body
    assert shown["status"] == "ERROR"
    assert shown["result"]["message"].startswith(f"Context ({context.name}) for this job was terminated")
    assert shown["result"]["errorClass"] == "ContextTerminated"


def test_a_job_left_on_an_ended_context_is_reported_ended(api, aws):
    context = live_context(aws, f"gone-{uuid.uuid4().hex[:4]}")
    ContextStore(aws.contexts_table).end(context.name, context.contextId, ContextState.FINISHED)
    stranded = job_on(aws, context.name)  # slipped in as the context stopped
    shown = api("GET", f"/jobs/{stranded.jobId}").body
    assert shown["status"] == "ERROR"
    assert shown["result"]["message"] == f"Context ({context.name}) for this job was terminated"


def test_a_malformed_queue_message_is_dropped_alone(aws):
    queues = HostQueues(aws.queue_prefix, aws.dead_letter_queue_url)
    url = queues.create("mixed", uuid.uuid4().hex)
    client("sqs").send_message(QueueUrl=url, MessageBody='{"kind": "reboot"}')
    queues.send(url, KillRequested(jobId="j"))
    received = []
    for _ in range(3):  # moto may hand the two out in separate receives
        received += [d.message for d in queues.receive(url)]
        if received:
            break
    assert received == [KillRequested(jobId="j")]
    assert "Messages" not in client("sqs").receive_message(QueueUrl=url, WaitTimeSeconds=0)


def host_that_claims(aws, queue_url: str, then: JobStatus | None = None) -> threading.Thread:
    """Stands in for a context's host: takes the next job off the queue and claims it, as a host
    does once `validate` passed (STARTED → RUNNING), then, with `then`, ends it so."""

    def claim() -> None:
        queues, jobs = HostQueues(aws.queue_prefix, aws.dead_letter_queue_url), JobStore(aws.jobs_table)
        [delivery] = queues.receive(queue_url)
        assert isinstance(delivery.message, JobRequested)
        assert jobs.claim(delivery.message.jobId, "stand-in")
        if then is not None:
            jobs.finish(delivery.message.jobId, then, result="{}")

    thread = threading.Thread(target=claim, daemon=True)
    thread.start()
    return thread


def test_an_async_job_is_answered_202_started_as_sjs_answers(api, aws, app_name):
    for then in (None, JobStatus.FINISHED):  # still running, or done before the answer: STARTED either way
        context = live_context(aws, f"async-{uuid.uuid4().hex[:4]}")
        host = host_that_claims(aws, context.queueUrl, then)
        answer = api(
            "POST", f"/jobs?appName={app_name}&classPath={WORDCOUNT}&context={context.name}", "a = 1"
        )
        host.join()
        assert answer.status == 202
        assert answer.body["status"] == "STARTED"
        assert answer.body["duration"] == "Job not done yet"
        assert answer.body["context"] == context.name
        shown = api("GET", f"/jobs/{answer.body['jobId']}").body
        assert shown["status"] == (then or JobStatus.RUNNING).value


def test_package_uris_the_server_may_not_fetch_are_400s(api, app_name):
    for config in ('dependent-jar-uris = ["file:///etc/passwd"]', 'dependent-jar-uris = ["s3://else/x.egg"]'):
        refused = api("POST", f"/jobs?appName={app_name}&classPath={WORDCOUNT}", config)
        assert refused.status == 400 and refused.body["status"] == "ERROR", refused.body
    by_cp = api("POST", f"/jobs?cp={app_name},https://example.com/x.whl&mainClass={WORDCOUNT}")
    assert by_cp.status == 400 and "http-prefixes" in by_cp.body["result"]
    missing = api("POST", f"/jobs?cp={app_name},nope&mainClass={WORDCOUNT}")
    assert missing.status == 404 and missing.body["result"] == "appName nope not found"
