"""A host's job runner on a real context engine and real job workers: results, the three
failure phases, kills that stop any job, workers that die, large results, duplicate deliveries,
binary versions side by side, context flavours, named objects."""

import io
import json
import zipfile

from events.lifecycle import JobFailed, JobFinished, JobStarted
from events.settings import ContextFlavour
from events.states import FailurePhase, JobStatus
from functions.domain.waiting import wait_until
from infra.stores.results import INLINE_LIMIT_BYTES
from tests.runner.conftest import RunnerHarness

WORDCOUNT = "example_jobs.word_count.WordCountSparkJob"
NO_ACK = lambda: None  # noqa: E731  (no queue in these tests)


def test_word_count_finishes_with_its_counts_and_events(harness, examples):
    record = harness.run(examples, WORDCOUNT, {"input": {"strings": ["a", "b", "a"]}})
    assert record.status is JobStatus.FINISHED
    assert json.loads(record.result) == {"a": 2, "b": 1}
    kinds = [type(e) for e in harness.events if getattr(e, "jobId", None) == record.jobId]
    assert kinds == [JobStarted, JobFinished]


def test_validation_problems_fail_in_the_validate_phase(harness, examples):
    record = harness.run(examples, WORDCOUNT, {})
    assert record.status is JobStatus.ERROR and record.phase is FailurePhase.VALIDATE
    assert record.error.message == "config input.strings not found"


def test_a_raising_validate_and_run_job_report_the_exception(harness, examples):
    validate = harness.run(examples, "example_jobs.lifecycle.FailingValidationJob")
    assert (validate.phase, validate.error.errorClass) == (FailurePhase.VALIDATE, "RuntimeError")
    run = harness.run(examples, "example_jobs.lifecycle.FailingJob", {"message": "boom"})
    assert (run.status, run.phase) == (JobStatus.ERROR, FailurePhase.RUN)
    assert (run.error.message, run.error.errorClass) == ("boom", "ValueError")
    assert any("raise ValueError(data)" in line for line in run.error.stack)
    failed = [e for e in harness.events if isinstance(e, JobFailed) and e.jobId == run.jobId]
    assert failed[0].message == "boom"


def test_a_class_missing_from_the_binary_fails_in_the_load_phase(harness, examples):
    record = harness.run(examples, "example_jobs.word_count.NoSuchJob")
    assert record.phase is FailurePhase.LOAD and "not found in the binary" in record.error.message


def test_the_host_hears_of_jobs_whose_own_code_failed_and_only_of_those(harness, examples):
    """What stop-context-on-job-error acts on: failures in validate or run, not in loading."""
    invalid = harness.run(examples, WORDCOUNT, {})
    raised = harness.run(examples, "example_jobs.lifecycle.FailingJob")
    missing = harness.run(examples, "example_jobs.word_count.NoSuchJob")
    finished = harness.run(examples, WORDCOUNT, {"input": {"strings": ["a"]}})
    assert invalid.jobId in harness.failed and raised.jobId in harness.failed
    assert missing.jobId not in harness.failed and finished.jobId not in harness.failed


def test_a_duplicate_delivery_runs_once(harness, examples, aws, engine, sandbox, state_dir):
    request = harness.request(examples, WORDCOUNT, {"input": {"strings": ["x"]}})
    other_host = RunnerHarness(aws, engine, sandbox, state_dir)  # a second host that got the same message
    assert harness.runner.submit(request, NO_ACK)
    assert not harness.runner.submit(request, NO_ACK)
    other_host.runner.submit(request, NO_ACK)
    assert harness.wait_ended(request.jobId).status is JobStatus.FINISHED
    assert other_host.runner.wait_idle(10)
    started = [
        e
        for e in harness.events + other_host.events
        if isinstance(e, JobStarted) and e.jobId == request.jobId
    ]
    assert len(started) == 1
    other_host.close()


def kill_while_running(harness: RunnerHarness, binary, class_path: str, config: dict) -> str:
    """Start a job, wait until it runs, then kill it as DELETE /jobs/{id} does; its id."""
    request = harness.request(binary, class_path, config)
    harness.runner.submit(request, NO_ACK)
    _, running = wait_until(lambda: harness.jobs.get(request.jobId).status, JobStatus.RUNNING.__eq__, 30)
    assert running
    harness.kill(request.jobId)
    return request.jobId


def test_a_kill_stops_any_job_within_two_seconds_and_its_worker_comes_back(harness, examples, engine):
    for name in ("SlowJob", "SpinJob", "SleepJob"):  # Spark work, a Python loop, a blocking call
        class_path = f"example_jobs.lifecycle.{name}"
        job_id = kill_while_running(harness, examples, class_path, {"seconds": 600})
        assert harness.runner.wait_idle(2.0), f"{class_path} still ran 2 s after its kill"
        assert harness.jobs.get(job_id).status is JobStatus.KILLED
        _, cancelled = wait_until(
            lambda job=job_id: engine.spark_job_ids(job, active=True), lambda ids: not ids, 5
        )
        assert cancelled
    after = harness.run(examples, WORDCOUNT, {"input": {"strings": ["still", "serving"]}})
    assert after.status is JobStatus.FINISHED


def test_a_job_that_ends_its_worker_fails_alone(harness, package_with, examples):
    crashes = {
        "exits": "import os\nos._exit(3)",
        "segfaults": "import ctypes\nctypes.string_at(0)",
        "eats_memory": "hog = []\nwhile True:\n    hog.append(bytearray(64 << 20))",
    }
    sources = {
        f"example_jobs/{name}.py": (
            "from sparkjobserver.api import SparkJob\n\n\nclass Job(SparkJob):\n"
            "    def validate(self, context, runtime, config):\n        return None\n\n"
            "    def run_job(self, context, runtime, data):\n"
            + "".join(f"        {line}\n" for line in body.split("\n"))
        )
        for name, body in crashes.items()
    }
    binary = harness.upload(package_with(sources))
    outcomes = {name: harness.run(binary, f"example_jobs.{name}.Job") for name in crashes}
    assert {name: (r.status, r.phase) for name, r in outcomes.items()} == {
        name: (JobStatus.ERROR, FailurePhase.RUN) for name in crashes
    }
    assert "exited with code 3" in outcomes["exits"].error.message
    assert "SIGSEGV" in outcomes["segfaults"].error.message
    assert outcomes["eats_memory"].error.errorClass == "MemoryError"
    after = harness.run(examples, WORDCOUNT, {"input": {"strings": ["a"]}})
    assert json.loads(after.result) == {"a": 1}


def test_a_result_larger_than_an_item_is_kept_whole_in_s3(harness, examples):
    record = harness.run(examples, "example_jobs.dataframes.BigResultJob", {"rows": 500, "width": 1000})
    assert record.result is None and record.resultKey == f"results/tests/{record.jobId}.json"
    stored = harness.results.load(record.resultKey)
    assert len(stored) > INLINE_LIMIT_BYTES
    assert json.loads(stored) == [["x" * 1000]] * 500


def test_two_versions_of_a_binary_never_share_modules(harness, package_with):
    def version(tag: str):
        source = (
            "from sparkjobserver.api import SparkJob\nfrom example_jobs.helper import TAG\n\n\n"
            "class WordCountSparkJob(SparkJob):\n"
            "    def validate(self, c, r, config):\n        return None\n\n"
            "    def run_job(self, c, r, data):\n        return TAG\n"
        )
        return harness.upload(
            package_with({"example_jobs/word_count.py": source, "example_jobs/helper.py": f"TAG = {tag!r}\n"})
        )

    first, second = version("v1"), version("v2")
    results = [json.loads(harness.run(binary, WORDCOUNT).result) for binary in (first, second, first)]
    assert results == ["v1", "v2", "v1"]


def test_context_flavours_hand_jobs_what_the_factory_asked_for(aws, engine, sandbox, state_dir, examples):
    for flavour, expected in [
        (ContextFlavour.SPARK_CONTEXT, "SparkContext"),
        (ContextFlavour.SQL_CONTEXT, "SQLContext"),
        (ContextFlavour.SESSION, "SparkSession"),
    ]:
        harness = RunnerHarness(aws, engine, sandbox, state_dir, flavour=flavour)
        record = harness.run(examples, "example_jobs.lifecycle.ContextTypeJob")
        harness.close()
        assert json.loads(record.result)["context"] == expected


def test_named_objects_outlive_the_job_that_made_them(harness, examples):
    first = json.loads(
        harness.run(examples, "example_jobs.lifecycle.CachedTotalJob", {"name": "nums"}).result
    )
    second = json.loads(
        harness.run(examples, "example_jobs.lifecycle.CachedTotalJob", {"name": "nums"}).result
    )
    assert first == {"reused": False, "total": 499500}
    assert second == {"reused": True, "total": 499500}


def test_functions_of_the_binary_run_on_spark_workers(harness, package_with):
    """Python workers are other processes: the binary's own functions must reach them."""
    source = (
        "from sparkjobserver.api import SparkJob\n\n\ndef shout(word):\n    return word.upper() + '!'\n\n\n"
        "class ShoutJob(SparkJob):\n"
        "    def validate(self, context, runtime, config):\n        return ['a', 'b']\n\n"
        "    def run_job(self, context, runtime, data):\n"
        "        return context.sparkContext.parallelize(data, 2).map(shout).collect()\n"
    )
    binary = harness.upload(package_with({"example_jobs/shout.py": source}))
    record = harness.run(binary, "example_jobs.shout.ShoutJob")
    assert record.status is JobStatus.FINISHED, record.error
    assert json.loads(record.result) == ["A!", "B!"]


def test_a_job_that_exits_the_interpreter_only_ends_itself(harness, package_with):
    source = (
        "import sys\nfrom sparkjobserver.api import SparkJob\n\n\nclass Quitter(SparkJob):\n"
        "    def validate(self, context, runtime, config):\n        return None\n\n"
        "    def run_job(self, context, runtime, data):\n        sys.exit(3)\n"
    )
    record = harness.run(
        harness.upload(package_with({"example_jobs/quitter.py": source})), "example_jobs.quitter.Quitter"
    )
    assert (record.status, record.phase, record.error.errorClass) == (
        JobStatus.ERROR,
        FailurePhase.RUN,
        "SystemExit",
    )


def test_every_package_of_the_path_is_importable_and_the_first_wins_a_name(harness):
    job = (
        "from sparkjobserver.api import SparkJob\nfrom shared_name import TAG\nimport only_in_second\n\n\n"
        "class TagJob(SparkJob):\n    def validate(self, c, r, config):\n        return None\n\n"
        "    def run_job(self, c, r, data):\n        return [TAG, only_in_second.VALUE]\n"
    )
    first = harness.upload(zipped({"tagging/__init__.py": job, "shared_name.py": "TAG = 'first'\n"}))
    second = harness.upload(
        zipped({"shared_name.py": "TAG = 'second'\n", "only_in_second.py": "VALUE = 2\n"})
    )
    in_order = harness.run(first, "tagging.TagJob", path=[first, second])
    reversed_order = harness.run(first, "tagging.TagJob", path=[second, first])
    assert in_order.result is not None, in_order.error
    assert json.loads(in_order.result) == ["first", 2]
    assert reversed_order.result is not None, reversed_order.error
    assert json.loads(reversed_order.result) == ["second", 2]


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_a_build_context_hook_wraps_the_context_as_in_sjs(aws, engine, sandbox, state_dir, package_with):
    """SJS's custom-context jobs build a SparkContext subclass around the JVM context they get."""
    source = (
        "from pyspark import SparkContext\nfrom sparkjobserver.api import SparkJob\n\n\n"
        "class CountingContext(SparkContext):\n"
        "    def __init__(self, gateway, jvm_context, conf):\n"
        "        SparkContext.__init__(self, gateway=gateway, jsc=jvm_context, conf=conf)\n\n"
        "    def greeting(self):\n        return 'Hello'\n\n\n"
        "class CustomContextJob(SparkJob):\n"
        "    def build_context(self, gateway, jvm_context, conf):\n"
        "        return CountingContext(gateway, jvm_context, conf)\n\n"
        "    def validate(self, context, runtime, config):\n        return config.get('input.strings')\n\n"
        "    def run_job(self, context, runtime, data):\n"
        "        return context.greeting() + ' ' + str(context.parallelize(data).count())\n"
    )
    harness = RunnerHarness(aws, engine, sandbox, state_dir, flavour=ContextFlavour.SPARK_CONTEXT)
    try:
        binary = harness.upload(package_with({"example_jobs/custom.py": source}))
        config = {"input": {"strings": ["a", "b", "a"]}}
        runs = [  # built once per worker, then reused
            harness.run(binary, "example_jobs.custom.CustomContextJob", config) for _ in range(2)
        ]
        plain = harness.run(binary, WORDCOUNT, {"input": {"strings": ["a"]}})  # no hook: the plain context
    finally:
        harness.close()
    assert [json.loads(run.result) for run in runs] == ["Hello 3", "Hello 3"], runs[0].error
    assert json.loads(plain.result) == {"a": 1}, plain.error
