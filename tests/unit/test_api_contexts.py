"""/contexts answers without starting hosts: names, duplicates, unknown contexts, liveness."""

import uuid

from events.settings import ContextSettings
from events.states import ContextState
from infra.aws import client
from infra.clock import now_ms
from infra.stores.contexts import ContextRecord, ContextStore


def queue_count(prefix: str) -> int:
    return len(client("sqs").list_queues(QueueNamePrefix=prefix).get("QueueUrls", []))


def live_context(aws, name: str, heartbeat_ms: int | None = None, max_jobs: int = 8) -> ContextRecord:
    record = ContextRecord(
        name=name,
        contextId=uuid.uuid4().hex,
        state=ContextState.RUNNING,
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
