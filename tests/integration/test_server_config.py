"""SJS's config semantics and an operator's server config on a stack of their own: contexts
preloaded at start, a job's config over its context's over the server's job defaults, a
context's whole config for its jobs, passthrough and hadoop settings in the context's Spark,
spark.context-settings for an ad-hoc job, stop-context-on-job-error, PUT /contexts?reset=reboot."""

from collections.abc import Iterator

import pytest

from functions.domain.waiting import wait_until
from tests.integration.conftest import FAILING, Stack, running_stack, unique

ENVIRONMENT = "example_jobs.environment.EnvironmentJob"
PRELOADED = "warm-reports"
SERVER_CONFIG = f"""
spark {{
  jobserver {{ port = 8090, max-jobs-per-context = 3 }}  # SJS's port key: read without complaint
  contexts {{
    {PRELOADED} {{ num-cpu-cores = 1, memory-per-node = 512m, owner = operator, db.schema = reports }}
  }}
  job-defaults {{
    db {{ url = "jdbc:postgresql://db/sales", schema = public }}
    who = server
  }}
}}
"""


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory, example_egg: bytes) -> Iterator[tuple[Stack, str]]:
    """The stack and the example jobs uploaded to it."""
    config = tmp_path_factory.mktemp("server-config") / "jobserver.conf"
    config.write_text(SERVER_CONFIG)
    with running_stack(STACK_NAME="sjs-conf", API_WORKERS="3", SERVER_CONFIG=str(config)) as stack:
        answer = stack.call("POST", "/binaries/examples", data=example_egg)
        assert answer.status_code == 201, answer.text
        yield stack, "examples"


def running(stack: Stack, name: str, other_than: str | None = None) -> dict:
    """The context once it is RUNNING (and, given an id, a new incarnation)."""
    details, ok = wait_until(
        lambda: stack.call("GET", f"/contexts/{name}").json(),
        lambda c: c.get("state") == "RUNNING" and c.get("id") != other_than,
        120,
    )
    assert ok, details
    stack.host_group(name)
    return details


def environment(stack: Stack, app: str, config: str, **params) -> dict:
    """What EnvironmentJob saw, with the job's id."""
    answer = stack.submit(app, ENVIRONMENT, config, sync="true", timeout=120, **params)
    assert answer.status_code == 200 and answer.json()["status"] == "FINISHED", answer.text
    return {**answer.json()["result"], "jobId": answer.json()["jobId"]}


def test_preloaded_contexts_start_with_the_stack_and_jobs_see_their_config_below_their_own(configured):
    stack, app = configured
    details = running(stack, PRELOADED)  # started by the stack itself, after it was ready
    assert details["numCpuCores"] == 1
    seen = environment(stack, app, 'who = me\nspark-keys = ["spark.executor.memory"]', context=PRELOADED)
    config = seen["config"]
    assert config["who"] == "me"  # posted
    assert config["owner"] == "operator"  # the context's config
    assert config["db"] == {"schema": "reports", "url": "jdbc:postgresql://db/sales"}  # context, then server
    assert seen["contextConfig"]["context"] == {"name": PRELOADED}
    assert seen["contextConfig"]["memory-per-node"] == "512m"
    assert seen["master"] == "local[1]"
    assert seen["spark"] == {"spark.executor.memory": "512m"}
    assert stack.call("GET", f"/jobs/{seen['jobId']}/config").json() == {
        "who": "me",
        "spark-keys": ["spark.executor.memory"],
    }


def test_a_query_made_context_hands_its_jobs_its_whole_config_and_its_spark_and_hadoop_settings(configured):
    stack, app = configured
    name = unique("queried")
    query = "num-cpu-cores=1&memory-per-node=512m&spark.ui.showConsoleProgress=false"
    body = """
    spark.context-settings {
      passthrough { es.nodes = "10.0.0.1" }
      hadoop { mapreduce.framework.name = Foo }
    }
    """
    stack.create_context(name, query, body)
    seen = environment(
        stack,
        app,
        'spark-keys = ["es.nodes"]\nhadoop-keys = ["mapreduce.framework.name"]',
        context=name,
    )
    assert seen["contextConfig"]["num-cpu-cores"] == "1"  # query values are text, as SJS's
    assert seen["contextConfig"]["memory-per-node"] == "512m"
    assert seen["contextConfig"]["hadoop"] == {"mapreduce": {"framework": {"name": "Foo"}}}
    assert seen["contextConfig"]["spark"] == {"ui": {"showConsoleProgress": "false"}}
    assert seen["spark"] == {"es.nodes": "10.0.0.1"}  # a key Spark's own files would drop
    assert seen["hadoop"] == {"mapreduce.framework.name": "Foo"}
    assert seen["config"]["who"] == "server"  # nothing posted, nothing in the context: the server's
    assert stack.call("DELETE", f"/contexts/{name}").status_code == 200


def test_an_adhoc_jobs_context_settings_set_up_its_transient_context(configured):
    stack, app = configured
    seen = environment(stack, app, "spark.context-settings { num-cpu-cores = 1 }")
    assert seen["master"] == "local[1]"
    assert seen["contextConfig"]["is-adhoc"] is True


def test_stop_context_on_job_error_stops_the_context_at_its_first_failed_job(configured):
    stack, app = configured
    fragile = unique("fragile")
    stack.create_context(fragile, "num-cpu-cores=1&stop-context-on-job-error=true")
    kept = stack.submit(app, FAILING, context=PRELOADED, sync="true")  # the flag is not set there
    assert kept.json()["status"] == "ERROR"
    failed = stack.submit(app, FAILING, 'message = "bad input"', context=fragile, sync="true")
    assert failed.json()["status"] == "ERROR" and failed.json()["result"]["message"] == "bad input"
    stopped, ok = wait_until(
        lambda: stack.call("GET", f"/contexts/{fragile}").json(), lambda c: c["state"] == "KILLED", 30
    )
    assert ok, stopped
    assert "stop-context-on-job-error" in stopped["message"]
    assert fragile not in stack.call("GET", "/contexts").json()
    assert stack.call("GET", f"/contexts/{PRELOADED}").json()["state"] == "RUNNING"


def test_reset_reboot_stops_every_context_and_starts_the_preloaded_ones(configured):
    stack, _ = configured
    before = running(stack, PRELOADED)
    extra = unique("extra")
    stack.create_context(extra, "num-cpu-cores=1")
    answer = stack.call("PUT", "/contexts?reset=reboot")
    assert answer.status_code == 200
    assert answer.json() == {"status": "SUCCESS", "result": "Context reset"}
    assert stack.call("GET", f"/contexts/{extra}").json()["state"] == "FINISHED"
    after = running(stack, PRELOADED, other_than=before["id"])
    assert stack.call("GET", "/contexts").json() == [PRELOADED]
    assert after["numCpuCores"] == 1
