"""A kill stops even a busy Java loop; a spark-submit style main runs warm and cannot exit the JVM."""

import threading

from functions.domain.waiting import wait_until
from tests.jvm.conftest import new_job_id, submit

WORDCOUNT = "spark.jobserver.WordCountExample"
MAIN = "example.jobs.SubmitStyleMain"


def test_kill_stops_a_job_spinning_in_plain_java_within_its_bound(bridge, jobs_jar):
    job_id = new_job_id()
    assert bridge.prepare(job_id, [jobs_jar], "example.jobs.LongJob") == {"kind": "JSparkJob"}
    assert bridge.validate(job_id, {"seconds": 600}, {}) == {"valid": True}
    outcome: dict = {}
    runner = threading.Thread(target=lambda: outcome.update(bridge.run(job_id)))
    runner.start()
    _, running = wait_until(lambda: bridge.is_running(job_id), bool, 30)
    assert running
    assert bridge.kill(job_id, grace_seconds=1.0), "still running after the kill's grace and stop"
    runner.join(30)
    assert not runner.is_alive()
    assert outcome["error"]["errorClass"] == "java.lang.ThreadDeath"
    assert not bridge.is_running(job_id)


def test_a_killed_job_that_has_not_started_does_not_run(bridge, jobs_jar):
    job_id = new_job_id()
    bridge.prepare(job_id, [jobs_jar], "example.jobs.LongJob")
    assert bridge.kill(job_id)
    assert bridge.validate(job_id, {}, {})["error"]["message"].startswith(f"job {job_id} is not prepared")


def test_a_main_class_runs_on_the_context_session_with_its_args(bridge, spark, jobs_jar, tmp_path):
    out = tmp_path / "out.txt"
    assert submit(bridge, [jobs_jar], MAIN, {"args": [100, str(out)]}) == {"kind": "main", "result": None}
    count, application = out.read_text().split()
    assert (count, application) == ("100", spark.sparkContext.applicationId)


def test_system_exit_in_a_job_is_refused_and_the_context_goes_on(bridge, jobs_jar):
    assert bridge.exit_contained  # Java 17 allows the guard
    failed = submit(bridge, [jobs_jar], MAIN, {"args": ["exit", "3"]})
    assert failed["error"]["errorClass"] == "jobserver.host.ExitGuard$ExitRefused"
    assert failed["error"]["message"].startswith("System.exit(3) called by job")
    assert submit(bridge, [jobs_jar], MAIN, {"args": ["exit", "0"]}) == {"kind": "main", "result": None}
    assert submit(bridge, [jobs_jar], WORDCOUNT, {"input": {"string": "still here"}})["result"] == {
        "still": 1,
        "here": 1,
    }
