"""A spark-submit style main that stops the session it was given stops its context: said plainly."""

from tests.jvm.clients import run_on_own_context


def test_a_main_that_stops_its_session_fails_and_says_the_context_is_stopped(jobs_jar):
    job = {"jars": [jobs_jar], "classPath": "example.jobs.SubmitStyleMain", "config": {"args": ["stop"]}}
    ran = run_on_own_context("local[1]", [job])
    error = ran["outcomes"][0]["error"]
    assert error["errorClass"] == "java.lang.IllegalStateException"
    assert "stopped its context's SparkContext" in error["message"]
    assert ran["contextStopped"]
