"""Each kind of JVM job through prepare, validate and run; the three failure phases; results as JSON."""

import base64

from tests.jvm.conftest import submit

WORDCOUNT = "spark.jobserver.WordCountExample"


def test_the_classic_word_count_counts_the_words_of_its_input_string(bridge, jobs_jar):
    outcome = submit(bridge, [jobs_jar], WORDCOUNT, {"input": {"string": "a b c a b see"}})
    assert outcome == {"kind": "SparkJob", "result": {"a": 2, "b": 2, "c": 1, "see": 1}}


def test_a_session_job_runs_sql_on_the_context_session(bridge, jobs_jar):
    outcome = submit(
        bridge, [jobs_jar], "example.jobs.SqlJob", {"sql": "select id, id * id as sq from range(3)"}
    )
    assert outcome == {
        "kind": "JSessionJob",
        "result": [{"id": 0, "sq": 0}, {"id": 1, "sq": 1}, {"id": 2, "sq": 4}],
    }


def test_a_java_spark_job_gets_a_java_spark_context(bridge, test_jar):
    outcome = submit(bridge, [test_jar], "bridge.tests.VersionJob")
    assert outcome == {
        "kind": "JSparkJob",
        "result": {"driver": "1", "executors": ["1:1", "1:2", "1:3", "1:4"]},
    }


def test_a_scala_object_is_run_as_its_one_instance_not_its_forwarders_main(bridge, test_jar):
    assert submit(bridge, [test_jar], "bridge.tests.ScalaStyleJob") == {
        "kind": "SparkJob",
        "result": "the one object",
    }


def test_an_invalid_classic_request_fails_validation_with_its_reason(bridge, jobs_jar):
    outcome = submit(bridge, [jobs_jar], WORDCOUNT, {"input": {"strings": ["a"]}})
    assert outcome == {
        "phase": "validate",
        "error": {
            "message": "No input.string config param",
            "errorClass": "spark.jobserver.SparkJobInvalid",
            "stack": [],
        },
    }


def test_a_throwing_verify_fails_validation_with_the_exception(bridge, jobs_jar):
    outcome = submit(bridge, [jobs_jar], "example.jobs.FailingJob", {})
    assert outcome["phase"] == "validate"
    error = outcome["error"]
    assert (error["message"], error["errorClass"]) == (
        "config message not found",
        "spark.jobserver.japi.SingleJavaValidationException",
    )
    assert any("example.jobs.FailingJob.verify" in line for line in error["stack"])


def test_an_exception_in_run_reports_the_java_class_message_and_stack(bridge, jobs_jar):
    outcome = submit(bridge, [jobs_jar], "example.jobs.FailingJob", {"message": "deliberate"})
    error = outcome["error"]
    assert (error["message"], error["errorClass"]) == ("deliberate", "java.lang.IllegalStateException")
    assert error["stack"][0] == "java.lang.IllegalStateException: deliberate"
    assert any("example.jobs.FailingJob.run(FailingJob.java" in line for line in error["stack"])


def test_load_errors_name_the_class_and_why(bridge, jobs_jar, udf_jar, tmp_path):
    missing = submit(bridge, [jobs_jar], "example.jobs.NoSuchJob")
    assert missing["phase"] == "load"
    assert missing["error"]["errorClass"] == "java.lang.ClassNotFoundException"
    assert missing["error"]["message"] == "classPath example.jobs.NoSuchJob not found in the binary"
    not_a_job = submit(bridge, [udf_jar], "example.udf.PlusOne")
    assert not_a_job["error"]["errorClass"] == "java.lang.IllegalArgumentException"
    assert not_a_job["error"]["message"].startswith("example.udf.PlusOne is not a job")
    no_jar = submit(bridge, [tmp_path / "gone.jar"], WORDCOUNT)
    assert no_jar["error"]["errorClass"] == "java.nio.file.NoSuchFileException"


def test_run_without_prepare_and_validate_is_refused(bridge):
    assert bridge.run("never-prepared")["error"]["errorClass"] == "java.lang.IllegalStateException"


def test_results_become_json_by_their_shape(bridge, test_jar):
    outcome = submit(
        bridge, [test_jar], "bridge.tests.ResultShapesJob", {}, {"context-name": "shapes"}, "job-7"
    )
    shapes = outcome["result"]
    assert shapes == {
        "jobId": "job-7",
        "contextName": "shapes",
        "null": None,
        "string": "text",
        "long": 1 << 40,
        "double": 2.5,
        "nan": "NaN",
        "decimal": 12.5,
        "boolean": True,
        "ints": [1, 2, 3],
        "bytes": base64.b64encode(bytes([1, 2, 3])).decode(),
        "nested": {"list": [1, {"deep": "yes"}]},
        "intKeys": {"7": "seven"},
        "date": "2024-02-29",
        "instant": "2024-02-29T12:00:00Z",
        "timestamp": shapes["timestamp"],
        "scalaList": ["a", "b"],
        "scalaMap": {"k": 1},
        "tuple": ["left", 2],
        "record": {"x": 1, "y": 2},
        "other": "opaque!",
        "rows": [{"id": 1, "name": "x", "xs": [1, 2], "s": {"a": 1}}],
        "dataset": [{"id": 0}, {"id": 1}, {"id": 2}],
        "javaRdd": [1, 2],
        "rdd": [1, 2],
    }
    assert shapes["timestamp"].startswith("2024-02-29T12:00:00")
