"""The API's answers as typed objects. Field names are Python's (job.job_id); the JSON names
(jobId, "binary-type") are their aliases, and `model_dump(by_alias=True)` gives the JSON back.
Fields the server adds later are kept (extra="allow"), so an older client loses nothing."""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class Answer(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")

    def as_json(self) -> dict[str, Any]:
        """What the server sent (its names, none of the defaults this model filled in)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class JobStatus(StrEnum):
    STARTED = "STARTED"
    RUNNING = "RUNNING"
    FINISHED = "FINISHED"
    ERROR = "ERROR"
    KILLED = "KILLED"
    RESTARTING = "RESTARTING"

    @property
    def is_active(self) -> bool:
        """Still to end: a wait goes on."""
        return self in (JobStatus.STARTED, JobStatus.RUNNING, JobStatus.RESTARTING)


class BinaryInfo(Answer):
    binary_type: str = Field(alias="binary-type")
    upload_time: str = Field(alias="upload-time")


class BinaryVersion(BinaryInfo):
    digest: str | None = None
    size: int | None = None


class BinaryDetails(BinaryInfo):
    app_name: str = Field(alias="app-name")
    versions: list[BinaryVersion] = []


class ContextDetails(Answer):
    name: str
    state: str
    id: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    spark_ui_url: str | None = None
    message: str | None = None


class Counts(Answer):
    """Spark jobs, stages or tasks of one server job: how many are done of how many known."""

    done: int = 0
    total: int = 0


class Streaming(Answer):
    """The streaming queries a job started: batches run, rows read, the last batch's rows/s."""

    batches: int = 0
    input_rows: int = 0
    rows_per_second: float = 0.0


class Progress(Answer):
    """`progress` of GET /jobs/{id}: the Spark jobs, stages and tasks the job has started so far,
    from Spark's status tracker, and its streaming queries' batches when it started any."""

    percent: float | None = None
    jobs: Counts | None = None
    stages: Counts | None = None
    tasks: Counts | None = None
    streaming: Streaming | None = None

    @property
    def fraction(self) -> float | None:
        """0..1 from the percent, else from the tasks; None when nothing says."""
        if self.percent is not None:
            return max(0.0, min(self.percent / 100, 1.0))
        if self.tasks and self.tasks.total:
            return self.tasks.done / self.tasks.total
        return None


class JobError(BaseModel):
    """A failed job's exception, as SJS shows it in `result`."""

    message: str
    error_class: str | None = Field(default=None, alias="errorClass")
    stack: list[str] = []


class Job(Answer):
    """A job as GET /jobs/{id} and POST /jobs show it; `result` is present once it ended."""

    job_id: str
    status: JobStatus
    class_path: str | None = None
    app_name: str | None = None
    context: str | None = None
    start_time: str | None = None
    duration: str | None = None
    result: Any = None
    progress: Progress | None = None

    @property
    def error(self) -> JobError | None:
        """The job's exception when it ended ERROR."""
        if self.status is JobStatus.ERROR and isinstance(self.result, dict) and "message" in self.result:
            return JobError.model_validate(self.result)
        return None
