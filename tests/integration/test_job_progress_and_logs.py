"""A job's progress and its own log through the API, the client and `sjs`, on the real stack."""

import pytest

from functions.domain.waiting import wait_until
from jobserver_client import Job, JobStatus
from tests.integration.conftest import unique
from tests.jvm.jars import REPO, compile_classes, jar, java_sources
from tests.support.sjs_command import sjs

SHUFFLE = "example_jobs.progress.ShuffleJob"
CHATTY = "example_jobs.progress.ChattyJob"
ENDLESS = "example_jobs.progress.EndlessStreamJob"


def test_get_job_shows_progress_while_it_runs_and_100_percent_at_its_end(stack, app, context):
    job = stack.client.submit(app, SHUFFLE, {"seconds-per-task": 1.5, "partitions": 4}, context=context)
    seen: list[Job] = []
    done = stack.client.wait(job.job_id, timeout=120, on_update=seen.append, poll=0.2)
    assert done.status is JobStatus.FINISHED, done.result
    running = [j.progress for j in seen if j.status is JobStatus.RUNNING and j.progress is not None]
    assert running and any(p.percent < 100 for p in running), seen
    final = done.progress
    assert final is not None and final.percent == 100
    assert (final.jobs.done, final.jobs.total, final.stages.total, final.tasks.total) == (2, 2, 4, 16)
    listed = {j.job_id: j for j in stack.client.jobs(limit=20)}
    assert listed[job.job_id].progress == final  # the list shows it too (the web UI's bars)


def test_a_jobs_log_through_the_api_the_client_and_sjs(stack, app, context):
    done = stack.client.submit(
        app, CHATTY, {"marker": "hello", "lines": 4, "interval": 0}, context=context, sync=True
    )
    assert done.status is JobStatus.FINISHED
    lines, saved = wait_until(lambda: stack.client.job_logs(done.job_id), lambda got: len(got) == 8, 30)
    assert saved, lines  # the last save follows the end closely
    texts = [line.split(" ", 1)[1] for line in lines]
    assert texts == [text for i in range(4) for text in (f"hello print {i}", f"INFO chatty: hello log {i}")]
    assert stack.client.job_logs(done.job_id, tail=2) == lines[-2:]
    assert stack.client.job_logs(done.job_id, since="6") == lines[6:]
    stamp = lines[3].split(" ", 1)[0]
    assert stack.client.job_logs(done.job_id, since=stamp) == [line for line in lines if line >= stamp]
    printed = sjs(stack, "jobs", "logs", done.job_id, "--tail", "1")
    assert printed.returncode == 0 and printed.stdout.strip() == lines[-1]
    refused = stack.call("GET", f"/jobs/{done.job_id}/logs?since=last-tuesday")
    assert refused.status_code == 400 and refused.json()["status"] == "ERROR"


def test_a_killed_streaming_jobs_query_stops_and_its_neighbours_runs_on(stack, app, context):
    def active() -> list[str]:
        done = stack.client.submit(app, "example_jobs.progress.ActiveQueriesJob", context=context, sync=True)
        assert done.status is JobStatus.FINISHED, done.result
        return done.result

    killed, neighbour = (
        stack.client.submit(app, ENDLESS, {"name": name}, context=context)
        for name in ("killed_query", "neighbour_query")
    )
    names, started = wait_until(active, lambda names: {"killed_query", "neighbour_query"} <= set(names), 60)
    assert started, names
    assert stack.client.kill(killed.job_id) is JobStatus.KILLED
    names, stopped = wait_until(active, lambda names: "killed_query" not in names, 30)
    assert stopped and "neighbour_query" in names, names
    assert stack.client.kill(neighbour.job_id) is JobStatus.KILLED
    names, stopped = wait_until(active, lambda names: "neighbour_query" not in names, 30)
    assert stopped, names


@pytest.fixture(scope="module")
def jvm_examples(stack, tmp_path_factory) -> str:
    """The example JVM jobs, compiled by the test (a fresh clone has no examples/dist) and uploaded."""
    classes = compile_classes(
        java_sources(REPO / "examples" / "jvm" / "jobs"), tmp_path_factory.mktemp("classes")
    )
    app = unique("jvm-logs")
    stack.client.upload_binary(
        app, jar(classes, tmp_path_factory.mktemp("jar") / "jobs.jar", "example", "spark")
    )
    return app


def test_a_jvm_jobs_progress(stack, jvm_examples, context):
    done = stack.client.submit(
        jvm_examples,
        "spark.jobserver.WordCountExample",
        {"input": {"string": "a b a"}},
        context=context,
        sync=True,
    )
    assert done.status is JobStatus.FINISHED and done.progress is not None
    assert done.progress.percent == 100 and done.progress.jobs.total >= 1


def test_what_a_jvm_job_prints_and_logs_is_in_its_log(stack, jvm_examples, context):
    config = {"marker": "java", "lines": 2}
    done = stack.client.submit(jvm_examples, "example.jobs.ChattyJob", config, context=context, sync=True)
    assert (done.status, done.result) == (JobStatus.FINISHED, 2)
    lines, saved = wait_until(lambda: stack.client.job_logs(done.job_id), lambda got: len(got) == 7, 30)
    assert saved, lines
    texts = sorted(line.split(" ", 1)[1] for line in lines)
    assert texts == [
        "WARN chatty: java log 0",
        "WARN chatty: java log 1",
        "java err 0",
        "java err 1",
        "java from a thread it started",
        "java out 0",
        "java out 1",
    ]
