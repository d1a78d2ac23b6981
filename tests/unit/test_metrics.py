"""infra/metrics.py: EMF lines CloudWatch can read, written per flush and never per record; each
ended job counted once, by outcome, with its latency, whoever ends it; the reconciler's gauges."""

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from events.states import ContextState, JobStatus
from functions.reconciler.app import lambda_handler as reconcile
from functions.wiring import services
from infra.clock import now_iso
from infra.local.lambda_runtime import LocalLambdaContext
from infra.metrics import MAX_VALUES, NAMESPACE, metrics
from infra.stores.contexts import ContextStore
from tests.unit.test_job_end import context_with_jobs, ending

Lines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def emf_lines(tmp_path: Path) -> Iterator[Lines]:
    """Metrics written to a file of this test's; calling it flushes and reads every line so far."""
    path = tmp_path / "logs" / "metrics.log"
    metrics.flush()  # what earlier tests recorded goes where it went before
    metrics.write_to(str(path))

    def read() -> list[dict[str, Any]]:
        metrics.flush()
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    yield read
    metrics.flush()
    metrics.write_to("")


def values(lines: list[dict[str, Any]], name: str) -> list[float]:
    found: list[float] = []
    for line in lines:
        value = line.get(name, [])
        found += value if isinstance(value, list) else [value]
    return found


def test_a_flush_writes_one_line_in_cloudwatchs_embedded_metric_format(emf_lines: Lines):
    metrics.job_ended(JobStatus.FINISHED, "2026-01-01T00:00:00.000+00:00", "2026-01-01T00:00:01.250+00:00")
    metrics.job_received(now_iso())
    [line] = emf_lines()
    [directive] = line["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == NAMESPACE
    units = {metric["Name"]: metric["Unit"] for metric in directive["Metrics"]}
    assert units == {"JobsFinished": "Count", "JobLatency": "Milliseconds", "QueueWait": "Milliseconds"}
    assert values([line], "JobLatency") == [1250.0]
    assert isinstance(line["_aws"]["Timestamp"], int)


def test_recording_writes_nothing_until_a_flush(emf_lines: Lines, tmp_path: Path, capsys):
    metrics.job_received(now_iso())
    assert not (tmp_path / "logs" / "metrics.log").exists()
    assert capsys.readouterr().out == ""
    assert len(values(emf_lines(), "QueueWait")) == 1
    assert emf_lines() == [
        json.loads(line) for line in (tmp_path / "logs" / "metrics.log").read_text().splitlines()
    ]


def test_a_busy_metric_goes_out_in_lines_of_at_most_a_hundred_values(emf_lines: Lines, capsys):
    for _ in range(250):
        metrics.job_received(now_iso())
    lines = emf_lines()
    assert sum(len(values([line], "QueueWait")) for line in lines) == 250
    assert all(len(values([line], "QueueWait")) <= MAX_VALUES for line in lines)
    assert capsys.readouterr().out == ""  # none went around the file (Powertools prints at 100)


def test_metrics_turned_off_record_nothing(emf_lines: Lines, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    metrics.write_to(str(tmp_path / "logs" / "metrics.log"))  # as a composition root does at its start
    metrics.job_received(now_iso())
    assert emf_lines() == []
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED")
    metrics.write_to(str(tmp_path / "logs" / "metrics.log"))


def test_each_ended_job_is_counted_once_by_outcome_whoever_ends_it(aws, emf_lines: Lines):
    one_way = ending(aws, [])
    context, jobs = context_with_jobs(aws, 4)
    parties = [
        lambda job: one_way.end(job, JobStatus.FINISHED, result="1"),
        lambda job: one_way.end(job, JobStatus.KILLED),
    ]
    threads = [threading.Thread(target=party, args=(job,)) for job in jobs for party in parties]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = emf_lines()
    assert len(values(lines, "JobsFinished")) + len(values(lines, "JobsKilled")) == 4
    assert len(values(lines, "JobLatency")) == 4 and min(values(lines, "JobLatency")) >= 0
    ContextStore(aws.contexts_table).end(context.name, context.contextId, ContextState.FINISHED)


def test_the_reconciler_records_the_gauges_of_contexts_and_slots(aws, configure, tmp_path: Path):
    path = tmp_path / "metrics.log"
    configure(METRICS_LOG=str(path))  # as the local stack sets it
    context, _ = context_with_jobs(aws, 2)  # a running context with both slots taken
    ContextStore(aws.contexts_table).beat(context.name, context.contextId)  # its host is alive
    reconcile({}, LocalLambdaContext("ReconcilerFunction", "metrics"))
    expected = services().overview.live_contexts()  # as the sweep left them
    [line] = [json.loads(text) for text in path.read_text().splitlines()]
    assert values([line], "ContextsRunning") == [expected.by_state["RUNNING"]]
    assert values([line], "SlotsInUse") == [expected.slots_in_use] and expected.slots_in_use >= 2
    ContextStore(aws.contexts_table).end(context.name, context.contextId, ContextState.FINISHED)
    metrics.write_to("")
