"""A job's own classes in closures on a `spark://` standalone cluster: two versions of one class,
run from one context, each on its own executor class loader (one executor runs both)."""

from tests.integration.test_standalone_cluster import cluster  # noqa: F401  (the master and worker)
from tests.jvm.clients import run_on_own_context


def test_two_versions_of_a_jobs_closure_classes_run_on_one_executor(cluster, version_jar):  # noqa: F811
    jobs = [{"jars": [version_jar(v)], "classPath": "bridge.tests.VersionJob"} for v in ("1", "2")]
    outcomes = run_on_own_context(cluster, jobs)["outcomes"]
    assert outcomes == [
        {"kind": "JSparkJob", "result": {"driver": v, "executors": [f"{v}:{i}" for i in range(1, 5)]}}
        for v in ("1", "2")
    ]
