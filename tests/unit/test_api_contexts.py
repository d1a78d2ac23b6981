"""/contexts answers without starting hosts: names, duplicates, unknown contexts, liveness, SJS's
details, and what DELETE asks of a host (a stand-in ends the context as a host would)."""

import threading
import uuid

from events.messages import HostMessage, StopRequested
from events.settings import ContextSettings
from events.states import ContextState
from infra.aws import client
from infra.clock import now_ms
from infra.messaging.host_queues import HostQueues
from infra.stores.contexts import ContextRecord, ContextStore, RunningHost


def queue_count(prefix: str) -> int:
    return len(client("sqs").list_queues(QueueNamePrefix=prefix).get("QueueUrls", []))


def live_context(
    aws, name: str, heartbeat_ms: int | None = None, max_jobs: int = 8, state=ContextState.RUNNING
) -> ContextRecord:
    record = ContextRecord(
        name=name,
        contextId=uuid.uuid4().hex,
        state=state,
        startTime="2026-11-21T04:00:00+00:00",
        queueUrl=client("sqs").create_queue(QueueName=f"{aws.queue_prefix}{name}-x")["QueueUrl"],
        settings=ContextSettings(maxJobs=max_jobs),
        heartbeatAt=now_ms() if heartbeat_ms is None else heartbeat_ms,
    )
    ContextStore(aws.contexts_table).create(record)
    return record


def test_names_must_start_with_a_letter(api, aws):
    before = queue_count(aws.queue_prefix)
    for bad in ("1ctx", "has.dot", "x" * 65):
        answer = api("POST", f"/contexts/{bad}")
        assert answer.status == 400, bad
        assert "must start with a letter" in answer.body["result"]
    assert queue_count(aws.queue_prefix) == before


def test_a_duplicate_live_context_is_a_400_and_leaves_no_queue(api, aws):
    live_context(aws, "dup")
    before = queue_count(aws.queue_prefix)
    answer = api("POST", "/contexts/dup")
    assert answer.status == 400
    assert answer.body == {"status": "ERROR", "result": "context dup exists"}
    assert queue_count(aws.queue_prefix) == before


def test_bad_settings_and_bodies_are_400s(api):
    assert api("POST", "/contexts/fine?num-cpu-cores=0").status == 400
    assert api("POST", "/contexts/fine?context-factory=com.acme.Factory").status == 400
    malformed = api("POST", "/contexts/fine", "spark { executor.memory = ")
    assert malformed.status == 400 and malformed.body["result"].startswith("Cannot parse config")
    for odd in ("context-factory = {}", "context-factory = 5", "context-factory = [x]"):
        answer = api("POST", "/contexts/fine", odd)
        assert answer.status == 400 and "context-factory must be a name" in answer.body["result"], odd


def test_unknown_contexts_are_404s(api):
    assert api("GET", "/contexts/nope").body == {"status": "ERROR", "result": "context nope not found"}
    assert api("DELETE", "/contexts/nope").status == 404


def test_a_context_whose_host_stopped_beating_is_not_reported_running(api, aws):
    live_context(aws, "alive")
    dead = live_context(aws, "silent", heartbeat_ms=now_ms() - 60_000)
    names = api("GET", "/contexts").body
    assert "alive" in names and "silent" not in names
    shown = api("GET", "/contexts/silent").body
    assert shown["state"] == "ERROR"
    assert "stopped responding" in shown["message"]
    assert queue_count(f"{aws.queue_prefix}silent") == 0
    assert dead.contextId == shown["id"]


def running_context(aws, name: str) -> ContextRecord:
    """A context whose host has marked it running, as a real host does."""
    record = live_context(aws, name, state=ContextState.STARTED)
    running = RunningHost("http://127.0.0.1:4041", "local-1764567890123", "process", "http://h:9", "s")
    ContextStore(aws.contexts_table).mark_running(name, record.contextId, running)
    return record


def host_that_stops(aws, record: ContextRecord, received: list[HostMessage]) -> threading.Thread:
    """Stands in for the context's host: takes the stop message and ends the context."""

    def stop() -> None:
        [delivery] = HostQueues(aws.queue_prefix, aws.dead_letter_queue_url).receive(record.queueUrl)
        received.append(delivery.message)
        ContextStore(aws.contexts_table).end(record.name, record.contextId, ContextState.FINISHED, "deleted")

    thread = threading.Thread(target=stop, daemon=True)
    thread.start()
    return thread


def test_context_details_carry_sjs_fields_and_the_end_time_once_ended(api, aws):
    record = running_context(aws, f"shown-{uuid.uuid4().hex[:6]}")
    shown = api("GET", f"/contexts/{record.name}").body
    assert {
        key: shown[key] for key in ("id", "name", "state", "startTime", "endTime", "applicationId", "url")
    } == {
        "id": record.contextId,
        "name": record.name,
        "state": "RUNNING",
        "startTime": record.startTime,
        "endTime": "Empty",  # SJS's word for a context that has not ended
        "applicationId": "local-1764567890123",
        "url": "http://127.0.0.1:4041",
    }
    assert {"host", "transient", "numCpuCores", "contextFactory", "isolation"} <= set(shown)  # ours

    received: list[HostMessage] = []
    host = host_that_stops(aws, record, received)
    assert api("DELETE", f"/contexts/{record.name}").body == {
        "status": "SUCCESS",
        "result": "Context stopped",
    }
    host.join()
    ended = api("GET", f"/contexts/{record.name}").body
    assert ended["state"] == "FINISHED"
    assert ended["endTime"] >= ended["startTime"]  # an ISO time, set as it ended


def test_delete_stops_gracefully_and_force_kills(api, aws):
    for query, force in (("", False), ("?force=true", True), ("?force=false", False)):
        record = live_context(aws, f"stopped-{uuid.uuid4().hex[:6]}")
        received: list[HostMessage] = []
        host = host_that_stops(aws, record, received)
        assert api("DELETE", f"/contexts/{record.name}{query}").status == 200
        host.join()
        assert received == [StopRequested(force=force)], query
    assert api("DELETE", "/contexts/whatever?force=maybe").status == 400
