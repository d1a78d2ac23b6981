"""Observability on the real stack: GET /metricz counts what happened, a host's log is JSON lines
naming its context and the job a line is about, and metrics go to the state dir's metrics log as
EMF lines, never to the stack's own log."""

import json
from pathlib import Path

from functions.domain.waiting import wait_until
from tests.integration.conftest import WORDCOUNT, unique


def json_lines(path: Path) -> list[dict]:
    """The JSON lines of a log (a host's also holds Spark's own plain lines)."""
    text = path.read_text() if path.exists() else ""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def gauge(summary: dict, group: str, name: str) -> int:
    return summary[group][name]["value"]


def test_metricz_host_logs_and_metrics_of_a_context_and_its_jobs(stack, app):
    name = unique("observed")
    before = stack.call("GET", "/metricz").json()
    stack.create_context(name, "num-cpu-cores=1")
    during = stack.call("GET", "/metricz").json()
    assert gauge(during, "contexts", "RUNNING") == gauge(before, "contexts", "RUNNING") + 1
    assert gauge(during, "slots", "offered") > gauge(before, "slots", "offered")

    finished = stack.submit(app, WORDCOUNT, 'input.strings = ["a"]', context=name, sync="true")
    assert finished.status_code == 200, finished.text
    assert (
        stack.submit(app, WORDCOUNT, "", context=name, sync="true").status_code == 400
    )  # logged by its host
    after = stack.call("GET", "/metricz").json()
    assert gauge(after, "jobs-last-hour", "FINISHED") >= gauge(before, "jobs-last-hour", "FINISHED") + 1
    assert gauge(after, "jobs-last-hour", "ERROR") >= gauge(before, "jobs-last-hour", "ERROR") + 1

    host_log = stack.state_dir / "logs" / f"{name}.log"

    def failures(lines: list[dict]) -> list[dict]:  # the host logs it just after the caller is answered
        return [line for line in lines if "failed (validate)" in line["message"]]

    lines, logged = wait_until(lambda: json_lines(host_log), failures, 10)
    assert logged, lines
    assert all(line["context"] == name and line["service"] == "sjs-host" for line in lines)
    [failure] = failures(lines)
    assert failure["message"].startswith(f"job {failure['jobId']} failed")

    assert stack.call("DELETE", f"/contexts/{name}").status_code == 200
    metrics_log = stack.state_dir / "logs" / "metrics.log"

    def host_flushed(lines: list[dict]) -> bool:  # a host writes its metrics as it exits
        return any("JobsFinished" in line and "QueueWait" in line for line in lines)

    lines, flushed = wait_until(lambda: json_lines(metrics_log), host_flushed, 30)
    assert flushed, lines[-3:]
    assert all(line["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "SparkJobServer" for line in lines)
    assert any("SlotsInUse" in line for line in lines)  # the reconciler's gauges
    assert "CloudWatchMetrics" not in (stack.state_dir / "stack.log").read_text()
