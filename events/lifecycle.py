"""Lifecycle events on the project's EventBridge bus: the contract with users' rules and our own
consumers. One detail model per detail-type; `envelope` gives the whole EventBridge event as a
Powertools Parser model, which is also what events/schemas/*.json are exported from.

Every event of a job carries jobId, context, appName, classPath and status, and every event of a
context carries context and state, so an ordinary event pattern can select by any of them:
    {"source": ["sjs.jobserver"], "detail-type": ["Job Finished"], "detail": {"context": ["etl"]}}"""

from functools import cache
from typing import Any, ClassVar, Literal

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel, SqsRecordModel
from pydantic import BaseModel, Field, Json, create_model

from events.jobs import JobIdentity, Progress
from events.states import ContextState, FailurePhase, JobStatus

SOURCE = "sjs.jobserver"


class LifecycleEvent(BaseModel):
    DETAIL_TYPE: ClassVar[str]


class JobEvent(JobIdentity, LifecycleEvent):
    status: JobStatus
    startTime: str | None = None


class JobStarted(JobEvent):
    """A host claimed the job: it passed `validate` and `run_job` is starting."""

    DETAIL_TYPE = "Job Started"


class JobProgress(JobEvent):
    """How far a running job's Spark work has got. Sent only when the server config asks for it
    (`progress.event-seconds`), at most once per job in that many seconds, when it changed."""

    DETAIL_TYPE = "Job Progress"
    progress: Progress


class JobEndEvent(JobEvent):
    endTime: str
    duration: float | None = Field(None, description="seconds from submit to end")
    callback: bool = Field(False, description="the job has a callbackUrl (kept in its record, not here)")


class S3Location(BaseModel):
    bucket: str
    key: str


class JobFinished(JobEndEvent):
    DETAIL_TYPE = "Job Finished"
    result: Any = Field(None, description="the job's result, when small enough for an event")
    resultLocation: S3Location | None = Field(None, description="where the result is, when it is not")


class JobFailed(JobEndEvent):
    DETAIL_TYPE = "Job Failed"
    message: str
    errorClass: str
    phase: FailurePhase | None = None


class JobKilled(JobEndEvent):
    DETAIL_TYPE = "Job Killed"


class ContextEvent(LifecycleEvent):
    context: str
    contextId: str
    state: ContextState


class ContextStarted(ContextEvent):
    DETAIL_TYPE = "Context Started"
    host: str
    sparkUiUrl: str | None = None


class ContextStopped(ContextEvent):
    DETAIL_TYPE = "Context Stopped"


class ContextFailed(ContextEvent):
    DETAIL_TYPE = "Context Failed"
    message: str


class ContextRestarted(ContextEvent):
    """A supervised context (restart=on-failure) whose host or JVM died is starting again: same
    name and settings, a new incarnation; `Context Started` follows once it is usable."""

    DETAIL_TYPE = "Context Restarted"
    previousContextId: str = Field(description="the incarnation that failed")
    attempt: int = Field(description="restarts in a row, this one included")
    attempts: int = Field(description="the most restarts in a row its policy allows")
    reason: str = Field(description="why the previous incarnation ended")


class BinaryEvent(LifecycleEvent):
    appName: str
    sourceKey: str | None = Field(None, description="the S3 key it was uploaded to; None for API uploads")


class BinaryDeployed(BinaryEvent):
    DETAIL_TYPE = "Binary Deployed"
    uploadTime: str
    binaryType: str
    key: str = Field(description="the S3 key of the stored version")
    digest: str
    size: int


class BinaryRejected(BinaryEvent):
    DETAIL_TYPE = "Binary Rejected"
    reason: str
    rejectedKey: str | None = Field(None, description="where the object was moved aside to")


DETAILS: tuple[type[LifecycleEvent], ...] = (
    JobStarted,
    JobProgress,
    JobFinished,
    JobFailed,
    JobKilled,
    ContextStarted,
    ContextStopped,
    ContextFailed,
    ContextRestarted,
    BinaryDeployed,
    BinaryRejected,
)
BY_DETAIL_TYPE = {detail.DETAIL_TYPE: detail for detail in DETAILS}


@cache
def envelope(detail: type[LifecycleEvent]) -> type[EventBridgeModel]:
    """The whole EventBridge event carrying `detail`, as Powertools' Parser reads it."""
    return create_model(
        f"{detail.__name__}BusEvent",
        __base__=EventBridgeModel,
        __doc__=f"{detail.DETAIL_TYPE}: {(detail.__doc__ or '').strip()}".rstrip(": "),
        source=(Literal[SOURCE], ...),  # type: ignore[valid-type]
        detail_type=(Literal[detail.DETAIL_TYPE], Field(alias="detail-type")),  # type: ignore[valid-type]
        detail=(detail, ...),
    )


def detail_of(event: EventBridgeModel) -> LifecycleEvent:
    """The detail of one of our bus events, validated against its detail-type's model."""
    detail = BY_DETAIL_TYPE.get(event.detail_type)
    if detail is None or event.source != SOURCE:
        raise ValueError(f"not a {SOURCE} lifecycle event: {event.source} / {event.detail_type}")
    return detail.model_validate(event.detail)


class DeliveredBusEvent(EventBridgeModel):
    """A bus event as a rule delivers it; moto's deliveries leave out `account`, which AWS sends."""

    account: str | None = None  # type: ignore[assignment]


class BusQueueRecord(SqsRecordModel):
    """An SQS message an EventBridge rule delivered: its body is the whole event."""

    body: Json[DeliveredBusEvent]  # type: ignore[assignment]


def slug(detail: type[LifecycleEvent]) -> str:
    """'Job Finished' → 'job-finished': the file name of its schema and sample."""
    return detail.DETAIL_TYPE.lower().replace(" ", "-")
