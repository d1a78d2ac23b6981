"""Job records in DynamoDB.

Indexes (template.yaml): `by-status` (status, startTime) answers GET /jobs newest first without a
scan; `active-by-context` is sparse: `activeContext` is set only while a job is STARTED or RUNNING,
so counting a context's running jobs, or failing them when it dies, reads just those items."""

import json
from typing import Any

from events.jobs import JobEnd, JobError, JobIdentity, Progress
from events.states import FailurePhase, JobStatus
from infra.clock import epoch_seconds_after, now_iso
from infra.errors import Conflict, NoSuchJob
from infra.stores.dynamo import Table, Write

BY_STATUS = "by-status"
ACTIVE_BY_CONTEXT = "active-by-context"
_STATUS = {"#s": "status"}
_ACTIVE = {":started": JobStatus.STARTED.value, ":running": JobStatus.RUNNING.value}
_IS_ACTIVE = "#s IN (:started, :running)"


class JobRecord(JobIdentity):
    contextId: str | None = None  # the incarnation of `context` it was sent to
    dependencies: list[str] = []  # the other binaries (app names) on its path, as `cp` named them
    status: JobStatus
    startTime: str
    endTime: str | None = None
    config: dict[str, Any] = {}
    result: str | None = None  # JSON text, when it fits in the item
    resultKey: str | None = None  # S3 key, when it did not
    error: JobError | None = None
    phase: FailurePhase | None = None
    hostId: str | None = None
    callbackUrl: str | None = None  # where the job's end is POSTed (functions/callbacks)
    replyTo: str | None = None  # the reply queue of a sync caller waiting on it (infra/messaging/replies.py)
    progress: Progress | None = None  # JSON text in the item (DynamoDB takes no floats)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> "JobRecord":
        item = dict(item)
        item["config"] = json.loads(item.get("config", "{}"))
        if isinstance(item.get("progress"), str):
            item["progress"] = json.loads(item["progress"])
        return cls.model_validate(item)

    def ended(self, end: JobEnd) -> "JobRecord":
        return self.model_copy(update=dict(end))

    def as_end(self) -> JobEnd:
        """What ending this (ended) job wrote."""
        return JobEnd.model_validate(self.model_dump(include=set(JobEnd.model_fields)))


def context_terminated(context: str, reason: str | None = None) -> JobError:
    """The error of a job whose context ended under it, worded as SJS words it."""
    message = f"Context ({context}) for this job was terminated" + (f": {reason}" if reason else "")
    return JobError(message=message, errorClass="ContextTerminated")


class JobStore:
    def __init__(self, table_name: str, retention_days: float = 30):
        self._table = Table(table_name)
        self._retention_days = retention_days  # an ended job's record expires then (the table's TTL)

    def create(self, job: JobRecord) -> None:
        self._table.apply(self.create_write(job))

    def create_write(self, job: JobRecord) -> Write:
        """Recording a new job, as one write of a transaction (e.g. with taking its slot)."""
        item = job.model_dump(exclude_none=True, mode="json")
        item["config"] = json.dumps(job.config)
        item["activeContext"] = job.context
        return self._table.put_write(item, condition="attribute_not_exists(jobId)")

    def delete(self, job_id: str) -> None:
        """Forget a job that never was (recorded, then refused before anything ran)."""
        self._table.delete({"jobId": job_id})

    def get(self, job_id: str) -> JobRecord:
        item = self._table.get({"jobId": job_id})
        if item is None:
            raise NoSuchJob(job_id)
        return JobRecord.from_item(item)

    def claim(self, job_id: str, host_id: str) -> bool:
        """STARTED → RUNNING for exactly one host; False for a duplicate delivery or a killed job."""
        return self._update_when(
            job_id,
            JobStatus.STARTED,
            "SET #s = :running, hostId = :host",
            {":running": JobStatus.RUNNING.value, ":host": host_id},
        )

    def write_progress(self, job_id: str, progress: Progress) -> bool:
        """Record how far a running job has got; False when it is not running (any more)."""
        return self._update_when(
            job_id, JobStatus.RUNNING, "SET progress = :progress", {":progress": progress.model_dump_json()}
        )

    def _update_when(self, job_id: str, status: JobStatus, update: str, values: dict[str, Any]) -> bool:
        """Apply `update` to the job if it is in `status`; False when it is not."""
        try:
            self._table.update(
                {"jobId": job_id},
                update,
                condition="#s = :when",
                names=_STATUS,
                values={":when": status.value, **values},
                returning=False,
            )
        except Conflict:
            return False
        return True

    def finish(
        self,
        job_id: str,
        status: JobStatus,
        *,
        result: str | None = None,
        result_key: str | None = None,
        error: JobError | None = None,
        phase: FailurePhase | None = None,
    ) -> JobEnd | None:
        """Move an active job to its end state and return what was written; None when it had
        already ended (killed, reaped)."""
        end = JobEnd(
            status=status, endTime=now_iso(), result=result, resultKey=result_key, error=error, phase=phase
        )
        return end if self.write_end(job_id, end) else None

    def write_end(self, job_id: str, end: JobEnd) -> bool:
        """Write `end` if the job is still active; False when it had ended already."""
        return self._write_end(job_id, end, returning=False) is not None

    def terminate(self, job_id: str, context: str, reason: str | None = None) -> JobRecord | None:
        """End an active job whose context has ended; its record as ended, or None when it had
        ended already."""
        end = JobEnd(
            status=JobStatus.ERROR,
            endTime=now_iso(),
            error=context_terminated(context, reason),
            phase=FailurePhase.CONTEXT,
        )
        item = self._write_end(job_id, end, returning=True)
        return JobRecord.from_item(item) if item else None

    def end_write(self, job_id: str, end: JobEnd) -> Write:
        """Ending an active job as `end` says, as one write of a transaction (e.g. with giving
        its slot back)."""
        return self._table.update_write({"jobId": job_id}, **self._end_expression(end))

    def _end_expression(self, end: JobEnd) -> dict[str, Any]:
        """The update that ends an active job as `end` says (and drops it from the active index)."""
        present = end.model_dump(mode="json", exclude_none=True, exclude={"status"})
        if end.progress is not None:
            present["progress"] = end.progress.model_dump_json()
        assignments = ", ".join(["#s = :status", "expiresAt = :expires", *(f"#{k} = :{k}" for k in present)])
        return {
            "update": f"SET {assignments} REMOVE activeContext",
            "condition": _IS_ACTIVE,
            "names": {**_STATUS, **{f"#{name}": name for name in present}},  # some are reserved words
            "values": {
                **_ACTIVE,
                ":status": end.status.value,
                ":expires": epoch_seconds_after(self._retention_days),
                **{f":{key}": value for key, value in present.items()},
            },
        }

    def _write_end(self, job_id: str, end: JobEnd, returning: bool) -> dict[str, Any] | None:
        """The item as ended ({} unless `returning`), or None when the job was not active."""
        try:
            return self._table.update({"jobId": job_id}, returning=returning, **self._end_expression(end))
        except Conflict:
            return None

    def count_active(self, context: str) -> int:
        return self._table.query(
            "activeContext = :c", index=ACTIVE_BY_CONTEXT, count_only=True, values={":c": context}
        )

    def active_ids(self, context: str) -> list[str]:
        items = self._table.query("activeContext = :c", index=ACTIVE_BY_CONTEXT, values={":c": context})
        return [item["jobId"] for item in items]

    def all_active_ids(self) -> list[str]:
        """Every job still STARTED or RUNNING, on any context (few: each holds a job slot)."""
        return [
            item["jobId"]
            for status in (JobStatus.STARTED, JobStatus.RUNNING)
            for item in self._table.query(
                "#s = :s", index=BY_STATUS, names=_STATUS, values={":s": status.value}
            )
        ]

    def count_since(
        self, status: JobStatus, since_iso: str, context_prefixes: tuple[str, ...] | None = None
    ) -> int:
        """Jobs in `status` submitted at `since_iso` or later (one index query, counted by DynamoDB);
        with `context_prefixes`, only those of contexts named so."""
        if context_prefixes == ():
            return 0
        names, values, in_contexts = _in_contexts(context_prefixes)
        return self._table.query(
            "#s = :s AND startTime >= :since",
            index=BY_STATUS,
            count_only=True,
            filter_expression=in_contexts,
            names=names,
            values={":s": status.value, ":since": since_iso, **values},
        )

    def recent(
        self, limit: int, status: JobStatus | None = None, context_prefixes: tuple[str, ...] | None = None
    ) -> list[JobRecord]:
        """Newest first; one index query per status asked for, merged (RESTARTING is never written).
        With `context_prefixes`, only jobs of contexts named so (a filter, so pages go on until
        `limit` of those are found)."""
        if context_prefixes == ():
            return []
        statuses = [status] if status else [s for s in JobStatus if s is not JobStatus.RESTARTING]
        names, values, in_contexts = _in_contexts(context_prefixes)
        items: list[dict[str, Any]] = []
        for each in statuses:
            items += self._table.query(
                "#s = :s",
                index=BY_STATUS,
                limit=limit,
                newest_first=True,
                filter_expression=in_contexts,
                names=names,
                values={":s": each.value, **values},
            )
        items.sort(key=lambda item: item["startTime"], reverse=True)
        return [JobRecord.from_item(item) for item in items[:limit]]


def _in_contexts(
    context_prefixes: tuple[str, ...] | None,
) -> tuple[dict[str, str], dict[str, str], str | None]:
    """Expression names, values and the filter that keep jobs of contexts named with these prefixes."""
    names: dict[str, str] = dict(_STATUS)
    if not context_prefixes:
        return names, {}, None
    names["#c"] = "context"
    values = {f":p{i}": prefix for i, prefix in enumerate(context_prefixes)}
    return names, values, " OR ".join(f"begins_with(#c, {key})" for key in values)
