"""Supervised contexts and the gateway's bound on the real local stack: kill -9 of a supervised
context's host, and separately of its JVM, brings it back RUNNING under the same name (a new
incarnation, a `Context Restarted` event, its running job ended ERROR) and a job runs on it; its
attempts are bounded; it stays listed while it restarts; a POST /contexts or a sync job that
outlives gateway.max-wait-seconds is answered 202 and goes on. A context's warm-up job (Python or
JVM) builds its named objects before its first job, and again in each new incarnation; a failing
one ends the start ERROR with its reason."""

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from functions.domain.waiting import wait_until
from tests.integration.conftest import FAILING, SLOW, WORDCOUNT, Stack, running_stack, unique
from tests.integration.test_isolation import jvm_of
from tests.jvm.jars import REPO, compile_classes, jar, java_sources
from tests.support.receivers import BusSubscription, subscribe

STACK = "sjs-sup"
ENVIRONMENT = "example_jobs.environment.EnvironmentJob"
CACHED = "example_jobs.lifecycle.CachedTotalJob"  # finds or makes the named DataFrame `name`
NUMBERS = {"reused": True, "total": 499500}  # what it answers when the DataFrame was there (range 1000)
BACK_WITHIN_SECONDS = 30.0  # the promise: RUNNING again within 30 s of the death (with a warm spare)
COLD_START_SECONDS = 120.0  # a JVM's cold start on this shared 2-core machine: 6 s idle, 50 s seen busy


@pytest.fixture(scope="module")
def supervised_stack(tmp_path_factory: pytest.TempPathFactory, example_egg: bytes) -> Iterator[Stack]:
    """A stack of its own: a gateway bound short enough for a cold context start to outlive it,
    and short liveness timings (the mechanism is the one `make up` runs)."""
    config = tmp_path_factory.mktemp("config") / "server.conf"
    config.write_text("gateway { max-wait-seconds = 2 }\n")
    with running_stack(
        STACK_NAME=STACK,
        API_WORKERS="3",
        SERVER_CONFIG=str(config),
        HEARTBEAT_SECONDS="1",
        HEARTBEAT_TIMEOUT_SECONDS="5",
        RECONCILE_SECONDS="1",
    ) as stack:
        answer = stack.call("POST", "/binaries/examples", data=example_egg)
        assert answer.status_code == 201, answer.text
        yield stack


class Watch:
    """Calls `look` again and again on a thread of its own until stopped."""

    def __init__(self, look: Callable[[], object]):
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(look,), daemon=True)
        self._thread.start()

    def _run(self, look: Callable[[], object]) -> None:
        while not self._stopped.wait(0.05):
            look()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()


def context_events(stack: Stack, name: str) -> BusSubscription:
    pattern = {"source": ["sjs.jobserver"], "detail": {"context": [name]}}
    return subscribe(stack.aws("events"), stack.aws("sqs"), f"{STACK}-events", pattern)


def spare_ready(stack: Stack) -> None:
    """A warm spare is there to adopt (the pool starts one behind each adoption)."""
    table = f"{STACK}-contexts"

    def ready() -> list[dict]:
        items = stack.aws("dynamodb").scan(TableName=table)["Items"]
        return [i for i in items if i["state"]["S"] == "SPARE" and "endpoint" in i and "takenBy" not in i]

    _, ok = wait_until(ready, bool, COLD_START_SECONDS)
    assert ok, "no warm spare"


def running(
    stack: Stack, name: str, other_than: str | None = None, timeout: float = COLD_START_SECONDS
) -> dict:
    """The context once RUNNING (as an incarnation other than `other_than`)."""
    details, ok = wait_until(
        lambda: stack.call("GET", f"/contexts/{name}").json(),
        lambda c: c.get("state") == "RUNNING" and c["id"] != other_than,
        timeout,
    )
    assert ok, f"context {name} is not RUNNING again after {timeout} s: {details}"
    return details


def start_supervised(stack: Stack, name: str, query: str = "") -> dict:
    answer = stack.call("POST", f"/contexts/{name}?restart=on-failure{query}")
    assert answer.status_code in (200, 202), answer.text
    details = running(stack, name)
    stack.host_groups.add(int(details["host"].removeprefix("local:")))
    return details


def back_after(
    stack: Stack,
    name: str,
    before: dict,
    kill: int,
    events: BusSubscription,
    within: float = BACK_WITHIN_SECONDS,
) -> tuple[dict, float]:
    """Kill -9 process `kill`; the context once RUNNING again (within `within` s), and how long it took."""
    died = time.monotonic()
    os.kill(kill, signal.SIGKILL)
    again = running(stack, name, other_than=before["id"], timeout=within)
    took = time.monotonic() - died
    stack.host_groups.add(int(again["host"].removeprefix("local:")))
    restarted = events.wait_for(lambda e: e["detail-type"] == "Context Restarted", timeout=10)["detail"]
    assert (restarted["previousContextId"], restarted["contextId"]) == (before["id"], again["id"])
    return again, took


def runs_a_job(
    stack: Stack, name: str, class_path: str = WORDCOUNT, config: str = 'input.strings = ["back"]'
):
    """A sync job's result (followed by GET when it outlives this stack's short gateway bound)."""
    answer = stack.submit("examples", class_path, config, context=name, sync="true")
    assert answer.status_code in (200, 202), answer.text
    job = answer.json()
    if answer.status_code == 202:
        job = stack.wait_job(job["jobId"], lambda j: j["status"] not in ("STARTED", "RUNNING"), timeout=60)
    assert job["status"] == "FINISHED", job
    return job["result"]


def test_a_supervised_context_whose_host_is_killed_comes_back(supervised_stack):
    stack, name = supervised_stack, unique("sup-host")
    before = start_supervised(stack, name)
    events = context_events(stack, name)
    job_id = stack.start_slow_job("examples", name, seconds=120)
    spare_ready(stack)
    listed = []
    watching = Watch(lambda: listed.append(name in stack.call("GET", "/contexts").json()))
    again, took = back_after(stack, name, before, int(before["host"].removeprefix("local:")), events)
    watching.stop()
    assert listed and all(listed), "it left GET /contexts while it restarted"
    print(f"\nhost kill -9 → {name} RUNNING again in {took:.1f} s")
    assert again["name"] == name and again["restarts"] == 1 and again["restart"] == {"attempts": 3}
    failed = stack.wait_job(job_id, lambda j: j["status"] == "ERROR", timeout=10)
    assert "stopped responding" in failed["result"]["message"]
    assert runs_a_job(stack, name) == {"back": 1}
    assert stack.call("DELETE", f"/contexts/{name}").status_code == 200


def test_a_supervised_context_whose_jvm_is_killed_comes_back_with_its_settings(supervised_stack):
    stack, name = supervised_stack, unique("sup-jvm")
    before = start_supervised(stack, name, "&owner=team-a&spark.sql.shuffle.partitions=3")
    events = context_events(stack, name)
    jvm = jvm_of(int(before["host"].removeprefix("local:")))
    spare_ready(stack)
    again, took = back_after(stack, name, before, jvm, events)
    assert again["restarts"] == 1
    print(f"\nJVM kill -9 → {name} RUNNING again in {took:.1f} s")
    failed = events.wait_for(lambda e: e["detail-type"] == "Context Failed", timeout=10)["detail"]
    assert failed["state"] == "RESTARTING" and "JVM exited" in failed["message"]
    seen = runs_a_job(stack, name, ENVIRONMENT)
    assert seen["contextConfig"]["owner"] == "team-a" and seen["contextConfig"]["restart"] == "on-failure"
    assert seen["contextConfig"]["spark"]["sql"]["shuffle"]["partitions"] in (3, "3")
    assert stack.call("DELETE", f"/contexts/{name}").status_code == 200


def test_a_warm_up_job_builds_named_objects_before_the_first_job_and_in_each_incarnation(
    supervised_stack,
):
    stack, name = supervised_stack, unique("warm")
    body = f'warm-up {{ app = examples, classPath = "{CACHED}", config {{ name = numbers }} }}'
    answer = stack.call("POST", f"/contexts/{name}?restart=on-failure", data=body)
    assert answer.status_code in (200, 202), answer.text
    before = running(stack, name)
    stack.host_groups.add(int(before["host"].removeprefix("local:")))
    warm_up = stack.wait_job(before["warmUpJobId"], lambda j: j["status"] == "FINISHED", timeout=5)
    assert warm_up["result"] == {"reused": False, "total": 499500} and warm_up["context"] == name
    assert runs_a_job(stack, name, CACHED, "name = numbers") == NUMBERS  # the first job finds it

    events = context_events(stack, name)
    spare_ready(stack)
    host = int(before["host"].removeprefix("local:"))
    again, took = back_after(stack, name, before, host, events, within=COLD_START_SECONDS)
    print(f"\nhost kill -9 → {name} (with its warm-up) RUNNING again in {took:.1f} s")
    assert again["warmUpJobId"] not in (None, before["warmUpJobId"])
    assert stack.call("GET", f"/jobs/{again['warmUpJobId']}").json()["status"] == "FINISHED"
    assert runs_a_job(stack, name, CACHED, "name = numbers") == NUMBERS  # rebuilt in the new JVM
    assert stack.call("DELETE", f"/contexts/{name}").status_code == 200


def test_a_jvm_warm_up_job_builds_a_named_object_that_python_jobs_find(
    supervised_stack, tmp_path_factory: pytest.TempPathFactory
):
    stack, name, app = supervised_stack, unique("warm-jvm"), unique("jvm-jobs")
    classes = compile_classes(java_sources(REPO / "examples" / "jvm" / "jobs"), tmp_path_factory.mktemp("c"))
    stack.client.upload_binary(
        app, jar(classes, tmp_path_factory.mktemp("jar") / "jobs.jar", "example", "spark")
    )
    query = f"warm-up.app={app}&warm-up.classPath=example.jobs.NamedRangeJob&warm-up.config.name=jvm-numbers"
    answer = stack.call("POST", f"/contexts/{name}?{query}")
    assert answer.status_code in (200, 202), answer.text
    details = running(stack, name)
    stack.host_groups.add(int(details["host"].removeprefix("local:")))
    warm_up = stack.call("GET", f"/jobs/{details['warmUpJobId']}").json()
    assert warm_up["status"] == "FINISHED" and "jvm-numbers" in warm_up["result"], warm_up
    assert runs_a_job(stack, name, CACHED, "name = jvm-numbers") == NUMBERS
    assert stack.call("DELETE", f"/contexts/{name}").status_code == 200


def test_jobs_wait_for_the_warm_up_and_a_delete_meanwhile_stops_the_context(supervised_stack):
    stack, name = supervised_stack, unique("warm-slow")
    body = f'warm-up {{ app = examples, classPath = "{SLOW}", config.seconds = 15 }}'
    answer = stack.call("POST", f"/contexts/{name}", data=body)
    assert answer.status_code == 202, answer.text  # the warm-up outlives this stack's 2 s bound
    warm_up_id = answer.json()["context"]["warmUpJobId"]
    stack.wait_job(warm_up_id, lambda j: j["status"] == "RUNNING", timeout=COLD_START_SECONDS)
    stack.host_group(name)
    job = stack.submit("examples", WORDCOUNT, 'input.strings = ["w"]', context=name).json()["jobId"]
    waiting = stack.client.job(job).as_json()
    warming = stack.client.job(warm_up_id).as_json()  # read after: the job waited while it ran
    assert (waiting["status"], warming["status"]) == ("STARTED", "RUNNING"), (waiting, warming)
    assert stack.call("GET", f"/contexts/{name}").json()["state"] == "STARTED"
    assert stack.wait_job(job, lambda j: j["status"] == "FINISHED", timeout=60)["result"] == {"w": 1}
    assert stack.client.job(warm_up_id).as_json()["status"] == "FINISHED"
    assert stack.call("DELETE", f"/contexts/{name}").status_code == 200

    other = unique("warm-slow")
    answer = stack.call("POST", f"/contexts/{other}", data=body.replace("15", "120"))
    assert answer.status_code == 202, answer.text
    warm_up_id = answer.json()["context"]["warmUpJobId"]
    stack.wait_job(warm_up_id, lambda j: j["status"] == "RUNNING", timeout=COLD_START_SECONDS)
    stack.host_group(other)
    deleted = stack.call("DELETE", f"/contexts/{other}")
    assert deleted.status_code == 200, deleted.text
    ended = stack.call("GET", f"/contexts/{other}").json()
    assert ended["state"] == "FINISHED", ended  # stopped by its host, not given up on
    warm_up = stack.client.job(warm_up_id).as_json()
    assert warm_up["status"] == "ERROR" and "terminated" in warm_up["result"]["message"], warm_up


def test_a_failing_warm_up_ends_the_start_error_and_an_unknown_one_is_refused(supervised_stack):
    stack, name = supervised_stack, unique("warm-bad")
    unknown = stack.call("POST", f"/contexts/{name}?warm-up.app=examples&warm-up.classPath=example_jobs.Nope")
    assert unknown.status_code == 400 and "Invalid warm-up job" in unknown.json()["result"], unknown.text
    assert stack.call("GET", f"/contexts/{name}").status_code == 404  # nothing made
    failing = f'warm-up {{ app = examples, classPath = "{FAILING}", config.message = "no data" }}'
    answer = stack.call("POST", f"/contexts/{name}", data=failing)
    assert answer.status_code in (202, 500), answer.text  # 500: CONTEXT INIT FAILED, failed within the bound
    ended, ok = wait_until(
        lambda: stack.call("GET", f"/contexts/{name}").json(),
        lambda c: c["state"] != "STARTED",
        COLD_START_SECONDS,
    )
    assert ok and ended["state"] == "ERROR", ended
    assert f"its warm-up job {ended['warmUpJobId']} failed: no data" in ended["message"]
    warm_up = stack.call("GET", f"/jobs/{ended['warmUpJobId']}").json()
    assert warm_up["status"] == "ERROR" and warm_up["result"]["message"] == "no data"
    assert name not in stack.call("GET", "/contexts").json()


def test_a_warm_up_that_outlasts_the_start_timeout_ends_the_start(supervised_stack):
    stack, name = supervised_stack, unique("warm-long")
    body = f'warm-up {{ app = examples, classPath = "{SLOW}", config.seconds = 600 }}'
    answer = stack.call("POST", f"/contexts/{name}", data=body)
    assert answer.status_code == 202, answer.text
    stack.host_group(name)
    ended, ok = wait_until(  # the start timeout is the default 60 s, counted from the context's start
        lambda: stack.call("GET", f"/contexts/{name}").json(), lambda c: c["state"] != "STARTED", 90
    )
    assert ok and ended["state"] == "ERROR", ended
    warm_up = ended["warmUpJobId"]
    assert f"its warm-up job {warm_up} did not finish within the start timeout (60 s)" in ended["message"]
    assert stack.client.job(warm_up).as_json()["status"] == "ERROR"


def test_restarts_are_bounded(supervised_stack):
    stack, name = supervised_stack, unique("sup-bound")
    before = start_supervised(stack, name, "&restart-attempts=1")
    events = context_events(stack, name)
    host = int(before["host"].removeprefix("local:"))
    again, _ = back_after(stack, name, before, host, events, within=COLD_START_SECONDS)  # may start cold
    os.kill(int(again["host"].removeprefix("local:")), signal.SIGKILL)
    ended, ok = wait_until(
        lambda: stack.call("GET", f"/contexts/{name}").json(), lambda c: c["state"] == "ERROR", 30
    )
    assert ok and ended["id"] == again["id"], ended
    later, restarted = wait_until(  # a few reconciler runs: nothing starts it again
        lambda: stack.call("GET", f"/contexts/{name}").json(), lambda c: c["id"] != again["id"], 5
    )
    assert not restarted and later["state"] == "ERROR", later


def test_a_context_not_ready_within_the_bound_is_answered_202_then_runs(supervised_stack):
    stack, name = supervised_stack, unique("slow")
    answer = stack.call("POST", f"/contexts/{name}?num-cpu-cores=1")  # not a warm spare's: a cold start
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "STARTING" and answer.json()["context"]["state"] == "STARTED"
    details = running(stack, name)
    stack.host_groups.add(int(details["host"].removeprefix("local:")))
    sync = stack.submit("examples", SLOW, "seconds = 6", context=name, sync="true", timeout="60")
    assert sync.status_code == 202, sync.text
    job = sync.json()
    assert job["status"] == "STARTED" and f"GET /jobs/{job['jobId']}" in job["message"]
    done = stack.wait_job(job["jobId"], lambda j: j["status"] == "FINISHED", timeout=30)
    assert done["status"] == "FINISHED"
    short = stack.submit("examples", SLOW, "seconds = 6", context=name, sync="true", timeout="1")
    assert short.status_code == 504  # the caller's own timeout, shorter than the bound: as before
    followed = stack.client.submit("examples", SLOW, "seconds = 4", context=name, sync=True, timeout=60)
    assert followed.status.value == "FINISHED"  # the client follows a 202 to the job's end
    assert stack.call("DELETE", f"/contexts/{name}").status_code == 200
    other = stack.client.create_context(unique("followed"), num_cpu_cores=1)  # 202, followed to RUNNING
    stack.host_group(other.name)
    assert other.state == "RUNNING"
    assert stack.call("DELETE", f"/contexts/{other.name}").status_code == 200
