"""Operational metrics in CloudWatch's embedded metric format (EMF), made by Powertools' EMF
provider: CloudWatch Logs turns such log lines into metrics, from a function's log (Lambda) and
from a host's (the awslogs driver), so recording one costs no AWS call.

Namespace SparkJobServer, dimension `service` (POWERTOOLS_SERVICE_NAME). The metrics:
- JobsFinished, JobsFailed, JobsKilled (Count): jobs by outcome, where every job ends (infra/job_end.py);
- JobLatency (Milliseconds): from a job's submission to its end;
- QueueWait (Milliseconds): from a job's submission to its host taking it off the queue;
- ContextsStarting, ContextsRunning, ContextsStopping, SlotsInUse (Count): gauges the reconciler
  records on each run, from the summary GET /metricz shows.

Recording appends a value to a list in memory (Powertools' own add_metric formats the metric's
whole value list into a debug message on every call, 90 µs a job at 100 values, so values are
buffered here and handed to the provider to serialize); they go out as one line per flush: at the
end of each function invocation, every FLUSH_SECONDS on a host, and when a metric holds
MAX_VALUES (EMF's limit per line). Lines go
to stdout (what Lambda and the awslogs driver collect) or, when `write_to` names one, to a file
(the local stack's .sjs/logs/metrics.log, so its terminal stays quiet). POWERTOOLS_METRICS_DISABLED
turns recording off, as for Powertools' own Metrics; it is read when the process's composition root
calls `write_to` (reading it on every record cost more than the rest of recording)."""

import functools
import json
import logging
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.metric_properties import MetricUnit

from events.states import ContextState, JobStatus

NAMESPACE = "SparkJobServer"
FLUSH_SECONDS = 60.0  # a host's flush interval: CloudWatch's standard resolution
MAX_VALUES = 100  # values of one metric in one line: EMF's limit
JOB_OUTCOMES = {
    JobStatus.FINISHED: "JobsFinished",
    JobStatus.ERROR: "JobsFailed",
    JobStatus.KILLED: "JobsKilled",
}
CONTEXT_GAUGES = {
    ContextState.STARTED: "ContextsStarting",
    ContextState.RUNNING: "ContextsRunning",
    ContextState.STOPPING: "ContextsStopping",
}

Handler = TypeVar("Handler", bound=Callable[..., Any])
log = logging.getLogger(__name__)


class Metrics:
    def __init__(self, namespace: str = NAMESPACE):
        self._namespace = namespace
        self._emf = AmazonCloudWatchEMFProvider(namespace=namespace)
        self._pending: dict[str, dict[str, Any]] = {}  # name → the provider's metric shape
        self._lock = threading.Lock()
        self._path = ""
        self._disabled = is_metrics_disabled()

    def write_to(self, path: str) -> None:
        """Lines go to this file from now on (empty: to stdout), unless metrics are turned off."""
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._disabled = is_metrics_disabled()

    def job_ended(self, status: JobStatus, submitted_iso: str, ended_iso: str) -> None:
        if status in JOB_OUTCOMES:
            self._add(JOB_OUTCOMES[status], MetricUnit.Count, 1)
        self._add("JobLatency", MetricUnit.Milliseconds, _ms_between(submitted_iso, ended_iso))

    def job_received(self, submitted_iso: str) -> None:
        self._add("QueueWait", MetricUnit.Milliseconds, _ms_between(submitted_iso, None))

    def gauges(self, contexts_by_state: dict[str, int], slots_in_use: int) -> None:
        for state, name in CONTEXT_GAUGES.items():
            self._add(name, MetricUnit.Count, contexts_by_state.get(state, 0))
        self._add("SlotsInUse", MetricUnit.Count, slots_in_use)

    def flush(self) -> None:
        with self._lock:
            self._flush()

    def flushed_after(self, handler: Handler) -> Handler:
        """A Lambda handler that writes what it recorded before it returns (Lambda may freeze it after)."""

        @functools.wraps(handler)
        def handle(*args: Any, **kwargs: Any) -> Any:
            try:
                return handler(*args, **kwargs)
            finally:
                self.flush()

        return handle  # type: ignore[return-value]

    def flush_periodically(self, stop: threading.Event, seconds: float = FLUSH_SECONDS) -> threading.Thread:
        """A long-running process's flusher, until `stop` is set (then it flushes once more)."""

        def run() -> None:
            while not stop.wait(seconds):
                self.flush()
            self.flush()

        thread = threading.Thread(target=run, name="metrics", daemon=True)
        thread.start()
        return thread

    def _add(self, name: str, unit: MetricUnit, value: float) -> None:
        if self._disabled:
            return
        with self._lock:
            metric = self._pending.setdefault(
                name, {"Unit": unit.value, "StorageResolution": 60, "Value": []}
            )
            metric["Value"].append(float(value))
            if len(metric["Value"]) >= MAX_VALUES:
                self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        line = json.dumps(self._emf.serialize_metric_set(metrics=self._pending), separators=(",", ":"))
        self._pending = {}
        if not self._path:
            print(line, file=sys.stdout, flush=True)
            return
        try:
            with open(self._path, "a") as lines:
                lines.write(line + "\n")
        except OSError:  # metrics never fail the call that recorded them
            log.warning("writing metrics to %s failed", self._path, exc_info=True)


def _ms_between(start_iso: str, end_iso: str | None) -> float:
    end = (
        datetime.fromisoformat(end_iso) if end_iso else datetime.now(datetime.fromisoformat(start_iso).tzinfo)
    )
    return max(0.0, (end - datetime.fromisoformat(start_iso)).total_seconds() * 1000)


metrics = Metrics()  # one per process, as Powertools' own Metrics
