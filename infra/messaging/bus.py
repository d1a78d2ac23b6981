"""Publishes lifecycle events (events/lifecycle.py) on the project's EventBridge bus, and words a
job's end as its event, from the job's record as stored, whoever ended it (its host, a kill, a
context that went away), so every ended job has exactly one end event of the same shape."""

import json
import logging

from events.lifecycle import (
    SOURCE,
    JobEndEvent,
    JobFailed,
    JobFinished,
    JobKilled,
    LifecycleEvent,
    S3Location,
)
from events.states import JobStatus
from infra.aws import client
from infra.clock import seconds_between
from infra.stores.jobs import JobRecord

log = logging.getLogger(__name__)


class EventPublisher:
    def __init__(self, bus_name: str, results_bucket: str):
        self._bus = bus_name
        self._results_bucket = results_bucket  # where the results too large for an event are
        self._events = client("events")

    def publish(self, event: LifecycleEvent) -> None:
        entry = {
            "Source": SOURCE,
            "DetailType": event.DETAIL_TYPE,
            "Detail": event.model_dump_json(),
            "EventBusName": self._bus,
        }
        failed = self._events.put_events(Entries=[entry]).get("FailedEntryCount", 0)
        if failed:
            raise RuntimeError(f"EventBridge refused {event.DETAIL_TYPE} for the bus {self._bus}")

    def tell(self, event: LifecycleEvent) -> None:
        """Publish, for callers whose own work is done and stored whether or not the bus takes it."""
        try:
            self.publish(event)
        except Exception:
            log.exception("publishing %s failed", event.DETAIL_TYPE)

    def tell_job_end(self, record: JobRecord) -> None:
        self.tell(self.job_end(record))

    def job_end(self, record: JobRecord) -> JobEndEvent:
        """The end event of an ended job, from its record."""
        identity = {
            "jobId": record.jobId,
            "context": record.context,
            "appName": record.appName,
            "classPath": record.classPath,
            "status": record.status,
            "startTime": record.startTime,
            "endTime": record.endTime,
            "duration": seconds_between(record.startTime, record.endTime) if record.endTime else None,
            "callback": record.callbackUrl is not None,
        }
        if record.status is JobStatus.FINISHED:
            return JobFinished(
                **identity,
                result=json.loads(record.result) if record.result is not None else None,
                resultLocation=S3Location(bucket=self._results_bucket, key=record.resultKey)
                if record.resultKey
                else None,
            )
        if record.status is JobStatus.KILLED:
            return JobKilled(**identity)
        error = record.error
        return JobFailed(
            **identity,
            message=error.message if error else "failed",
            errorClass=error.errorClass if error else "Unknown",
            phase=record.phase,
        )
