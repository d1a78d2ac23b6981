"""How Python jobs are found and loaded, through the real stack: every binary of `cp` on the
path in its order, SJS's dependent-jar-uris (names, s3:// and allowed http(s):// packages, never
the server's files), a context's own packages, classes behind aliases and in compiled-only
eggs, and SJS's Hive factories."""

import io
import py_compile
import zipfile
from pathlib import Path

import pytest

from tests.integration.conftest import unique

TAG_JOB = (
    "from sparkjobserver.api import SparkJob\nimport shared_name\n\n\n"
    "class TagJob(SparkJob):\n    def validate(self, context, runtime, config):\n        return None\n\n"
    "    def run_job(self, context, runtime, data):\n        return shared_name.TAG\n"
)


def zipped(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def library(tag: str) -> bytes:
    return zipped({"shared_name.py": f"TAG = {tag!r}\n"})


@pytest.fixture(scope="module")
def tagged(stack) -> dict[str, str]:
    """A job package and two libraries that both define `shared_name`, uploaded as binaries."""
    names = {"job": unique("tagger"), "a": unique("libs-a"), "b": unique("libs-b")}
    for role, data in (
        ("job", zipped({"tagging/__init__.py": TAG_JOB})),
        ("a", library("a")),
        ("b", library("b")),
    ):
        answer = stack.call("POST", f"/binaries/{names[role]}", data=data)
        assert answer.status_code == 201, answer.text
    return names


def run(stack, query: str, config: str = "", context: str = "shared") -> dict:
    answer = stack.call("POST", f"/jobs?{query}&context={context}&sync=true", data=config)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_every_binary_of_cp_is_on_the_path_in_its_order(stack, context, tagged):
    job, a, b = tagged["job"], tagged["a"], tagged["b"]
    assert run(stack, f"cp={job},{a},{b}&mainClass=tagging.TagJob")["result"] == "a"
    assert run(stack, f"cp={b},{job},{a}&mainClass=tagging.TagJob")["result"] == "b"
    # SJS: appName goes after the job config's dependent-jar-uris
    by_config = run(stack, f"appName={job}&classPath=tagging.TagJob", f'dependent-jar-uris = ["{b}", "{a}"]')
    assert by_config["result"] == "b" and by_config["appName"] == job


def test_a_contexts_packages_are_on_every_one_of_its_jobs_paths(stack, tagged):
    name = unique("with-libs")
    stack.create_context(name, "num-cpu-cores=1", f'dependent-jar-uris = ["{tagged["a"]}"]')
    try:
        assert run(stack, f"appName={tagged['job']}&classPath=tagging.TagJob", context=name)["result"] == "a"
        chosen = run(stack, f"cp={tagged['job']},{tagged['b']}&mainClass=tagging.TagJob", context=name)
        assert chosen["result"] == "b"  # the job's own path comes first
    finally:
        stack.call("DELETE", f"/contexts/{name}")


def test_packages_by_uri_come_from_the_stacks_bucket_or_allowed_servers(stack, context, tagged, packages):
    key = f"binaries/{unique('pydeps')}/libs_a.zip"
    stack.aws("s3").put_object(Bucket=stack.bucket, Key=key, Body=library("a"))
    job = f"appName={tagged['job']}&classPath=tagging.TagJob"
    assert run(stack, job, f'dependent-jar-uris = ["s3://{stack.bucket}/{key}"]')["result"] == "a"
    served = packages.publish("libs_b.zip", library("b"))
    assert run(stack, job, f'dependent-jar-uris = ["{served}"]')["result"] == "b"
    for refused in (
        "file:///etc/passwd",
        "/etc/passwd",
        f"s3://{stack.bucket}/results/{context}/anything.json",
        served.replace("/packages/", "/elsewhere/"),
    ):
        answer = stack.call(
            "POST", f"/jobs?{job}&context={context}", data=f'dependent-jar-uris = ["{refused}"]'
        )
        assert answer.status_code == 400, (refused, answer.text)
        assert answer.json()["status"] == "ERROR"


def test_a_package_uri_that_is_no_package_fails_loading(stack, context, tagged, packages):
    served = packages.publish("not_a_package.zip", b"plain text")
    answer = stack.call(
        "POST",
        f"/jobs?appName={tagged['job']}&classPath=tagging.TagJob&context={context}&sync=true",
        data=f'dependent-jar-uris = ["{served}"]',
    )
    assert answer.status_code == 400, answer.text
    assert "not a valid jar, egg or wheel" in answer.json()["result"]["message"]


def test_classes_behind_aliases_and_in_compiled_only_eggs_are_found(stack, context, tmp_path: Path):
    source = tmp_path / "aliased.py"
    source.write_text(
        TAG_JOB.replace("import shared_name\n", "").replace("shared_name.TAG", "'compiled'")
        + "\nAliasJob = TagJob\n"
    )
    compiled = tmp_path / "aliased.pyc"
    py_compile.compile(str(source), str(compiled), doraise=True)
    name = unique("compiled")
    egg = zipped({"aliased/__init__.pyc": compiled.read_bytes(), "EGG-INFO/PKG-INFO": "Name: aliased\n"})
    assert stack.call("POST", f"/binaries/{name}", data=egg).status_code == 201
    assert run(stack, f"appName={name}&classPath=aliased.AliasJob")["result"] == "compiled"
    missing = stack.call(
        "POST", f"/jobs?appName={name}&classPath=aliased.Missing&context={context}&sync=true"
    )
    assert missing.status_code == 400 and "aliased.Missing" in missing.json()["result"]["message"]


HIVE_JOB = """
from pyspark.sql import HiveContext
from sparkjobserver.api import SparkJob, build_problems


class HiveTableJob(SparkJob):
    def validate(self, context, runtime, config):
        return None if isinstance(context, HiveContext) else build_problems(["expected a HiveContext"])

    def run_job(self, context, runtime, data):
        context.sql("CREATE TABLE IF NOT EXISTS visits (page STRING, n INT) USING hive")
        context.sql("INSERT INTO visits VALUES ('home', 3), ('docs', 4)")
        total = context.sql("SELECT SUM(n) FROM visits").collect()[0][0]
        return {"total": total, "catalog": context.sparkSession.conf.get("spark.sql.catalogImplementation")}
"""


def test_hive_factories_give_a_hive_context_with_a_metastore_of_its_own(stack):
    name, app = unique("hive"), unique("hive-jobs")
    assert stack.call("POST", f"/binaries/{app}", data=zipped({"hive_jobs.py": HIVE_JOB})).status_code == 201
    stack.create_context(
        name, "num-cpu-cores=1&context-factory=spark.jobserver.python.PythonHiveContextFactory"
    )
    try:
        result = run(stack, f"appName={app}&classPath=hive_jobs.HiveTableJob", context=name)["result"]
        assert result == {"total": 7, "catalog": "hive"}
    finally:
        stack.call("DELETE", f"/contexts/{name}")
