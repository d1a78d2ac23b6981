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


class Counts(BaseModel):
    done: int
    total: int


class StreamingProgress(BaseModel):
    """The streaming queries a job started: batches run, rows read, the last batch's rows/s."""

    batches: int
    inputRows: int
    rowsPerSecond: float


class Progress(BaseModel):
    """How far a job's Spark work has got, from Spark's status tracker: the Spark jobs, stages and
    tasks it has started so far (a later action adds more, so `percent` can fall back), and its
    streaming queries when it started any."""

    percent: float
    jobs: Counts
    stages: Counts
    tasks: Counts
    streaming: StreamingProgress | None = None


class JobEnd(BaseModel):
    """What ending a job writes; laid over the job's record it gives the record as stored."""

    status: JobStatus
    endTime: str
    result: str | None = None  # JSON text, when small enough for the record
    resultKey: str | None = None  # the S3 key of a larger result
    error: JobError | None = None
    phase: FailurePhase | None = None
    progress: Progress | None = None  # as the job's host saw it last, when the job ran on one
