"""python-sjsclient, the PyPI client of spark-jobserver, works unchanged against this server: a
user's session with it, and the client's own functional suite (shipped in its package) for
Python jobs, apps and contexts, run as its run_functional_tests.sh does.

The client predates Python 3.10, which moved MutableMapping to collections.abc: on a newer
Python a user aliases it once before importing the client (the README says so), as these do."""

import collections
import collections.abc
import os
import subprocess
import sys
from pathlib import Path

from tests.integration.conftest import WORDCOUNT, unique
from tests.jvm.jars import compile_classes, jar, java_sources

collections.MutableMapping = collections.abc.MutableMapping  # the client predates Python 3.10

from sjsclient import client as sjs  # noqa: E402
from sjsclient.app import AppType  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
# The suite's job tests of Scala/Java jobs need SJS's own job-server-tests jar (VeryShortDoubleJob,
# LongPiJob, JavaHelloWorldJob), which is no Python job: every other test of the suite runs.
FUNCTIONAL = "sjsclient.tests.functional"
SUITE = [
    f"{FUNCTIONAL}.test_app",
    f"{FUNCTIONAL}.test_context",
    *(
        f"{FUNCTIONAL}.test_job.TestFunctionalJob.{name}"
        for name in ("test_py_job_create", "test_py_job_result", "test_job_delete_non_existing")
    ),
]
RUN_SUITE = """
import collections, collections.abc, sys, unittest
collections.MutableMapping = collections.abc.MutableMapping
from sjsclient.tests.functional import base
base.bootstrap_testbed()
unittest.main(module=None, argv=["functional", "-v", *sys.argv[1:]])
"""


def test_python_sjsclient_session(stack, example_egg):
    server = sjs.Client(stack.url)
    app = server.apps.create(unique("client"), example_egg, AppType.PYTHON)
    assert app.name in [a.name for a in server.apps.list()]
    context = server.contexts.create(unique("client"), {"num-cpu-cores": 1})
    stack.host_group(context.name)
    job = server.jobs.create(app, WORDCOUNT, conf='input.strings = ["x", "y", "x"]', ctx=context, sync=True)
    assert job.result == {"x": 2, "y": 1}
    fetched = server.jobs.get(job.jobId)
    assert fetched.status == "FINISHED" and fetched.result == {"x": 2, "y": 1}
    assert fetched.get_config() == {"input": {"strings": ["x", "y", "x"]}}
    context.delete()
    assert context.name not in [c.name for c in server.contexts.list()]


def test_python_sjsclients_functional_suite(stack, example_egg, tmp_path):
    """The client's suite uploads an egg of SJS's examples (ours has WordCountSparkSessionJob too;
    SJS_PYTHON_EXAMPLES_EGG picks SJS's own) and a jar, from its artifact folder."""
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    egg = Path(os.environ.get("SJS_PYTHON_EXAMPLES_EGG") or artifacts / "sjs_python_examples.egg")
    if not egg.exists():
        egg.write_bytes(example_egg)
    (artifacts / egg.name).write_bytes(egg.read_bytes())
    examples = compile_classes(java_sources(ROOT / "examples" / "jvm" / "jobs"), tmp_path / "classes")
    jvm_jobs = jar(examples, artifacts / "jvm_jobs.jar")  # what `make examples` builds
    test_context = f"sjsclient{unique('ft').replace('-', '')}"
    env = {
        **os.environ,
        "TESTSJS_SPARKJOB_SERVER_URL": stack.url,
        "TESTSJS_SPARK_TEST_CTX": test_context,
        "TESTSJS_SPARKJOB_ARTIFACT_DIR": str(artifacts),
        "TESTSJS_SPARKJOB_JAR_URL": jvm_jobs.as_uri(),
        "TESTSJS_SPARKJOB_EGG_URL": egg.as_uri(),
    }
    try:
        run = subprocess.run(
            [sys.executable, "-c", RUN_SUITE, *SUITE],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        for suffix in ("", "_py", "_java"):
            stack.call("DELETE", f"/contexts/{test_context}{suffix}")
    assert run.returncode == 0, run.stderr[-5000:]
    assert "Ran 12 tests" in run.stderr, run.stderr[-3000:]
