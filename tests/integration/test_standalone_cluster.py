"""A context on a real Spark standalone cluster (master and worker from pyspark's own spark-class,
on loopback): `spark.master` in the context's body points it there."""

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyspark
import pytest

from functions.domain.waiting import wait_until
from infra.local.child import free_port
from infra.local.processes import signal_group, wait_groups_gone
from tests.integration.conftest import WORDCOUNT, unique

SPARK_CLASS = Path(pyspark.__file__).parent / "bin" / "spark-class"


def spark_daemon(log: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "SPARK_HOME": str(SPARK_CLASS.parents[1])}
    with open(log, "wb") as out:
        return subprocess.Popen(
            [str(SPARK_CLASS), *args], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    logs = tmp_path_factory.mktemp("cluster")
    url = f"spark://127.0.0.1:{free_port()}"
    port = url.rsplit(":", 1)[1]
    master = spark_daemon(
        logs / "master.log",
        "org.apache.spark.deploy.master.Master",
        "--host",
        "127.0.0.1",
        "--port",
        port,
        "--webui-port",
        str(free_port()),
    )
    worker = spark_daemon(
        logs / "worker.log",
        "org.apache.spark.deploy.worker.Worker",
        url,
        "--host",
        "127.0.0.1",
        "--cores",
        "2",
        "--memory",
        "2g",
        "--webui-port",
        str(free_port()),
    )
    try:
        _, registered = wait_until(
            lambda: (logs / "worker.log").read_text(),
            lambda text: "Successfully registered with master" in text,
            60,
        )
        assert registered, (logs / "worker.log").read_text()[-2000:]
        yield url
    finally:
        for daemon in (worker, master):  # each leads its own group; the worker's executors join it
            signal_group(daemon.pid, signal.SIGTERM)
        for daemon in (worker, master):
            try:
                daemon.wait(30)
            except subprocess.TimeoutExpired:
                signal_group(daemon.pid, signal.SIGKILL)
                daemon.wait()
        groups = [worker.pid, master.pid]
        for group in wait_groups_gone(groups, 20):
            signal_group(group, signal.SIGKILL)
        assert not wait_groups_gone(groups, 10)


def test_a_context_runs_its_jobs_on_a_standalone_cluster(stack, app, cluster):
    name = unique("cluster")
    details = stack.create_context(name, "num-cpu-cores=1", f'spark.master = "{cluster}"')
    assert details["state"] == "RUNNING"
    answer = stack.submit(app, WORDCOUNT, 'input.strings = ["x", "y", "x"]', context=name, sync="true")
    assert answer.json()["result"] == {"x": 2, "y": 1}, answer.text
    aggregated = stack.submit(
        app, "example_jobs.dataframes.AggregateJob", "rows = 100000, groups = 3", context=name, sync="true"
    ).json()["result"]
    assert [bucket for bucket, _ in aggregated] == [0, 1, 2]  # rows are lists of values, as in SJS
    assert sum(total for _, total in aggregated) == sum(range(100000))
    assert stack.call("DELETE", f"/contexts/{name}").status_code == 200
