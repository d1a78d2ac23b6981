"""A job's identity, the same in every message, event and record about it, and how a job ended,
as every party that ends one writes it (events/messages.JobEnded carries it to a waiting caller;
infra/stores/jobs.py lays it over the job's record)."""

from pydantic import BaseModel

from events.states import FailurePhase, JobStatus


class JobIdentity(BaseModel):
    jobId: str
    context: str
    appName: str
    classPath: str


class JobError(BaseModel):
    """A failed job's exception as SJS shows it."""

    message: str
    errorClass: str
    stack: list[str] = []


class JobEnd(BaseModel):
    """What ending a job writes; laid over the job's record it gives the record as stored."""

    status: JobStatus
    endTime: str
    result: str | None = None  # JSON text, when small enough for the record
    resultKey: str | None = None  # the S3 key of a larger result
    error: JobError | None = None
    phase: FailurePhase | None = None
