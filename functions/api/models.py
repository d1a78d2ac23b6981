"""The shapes the API answers in, as pydantic models for its OpenAPI description (functions/api/
openapi.py). Routes keep building SJS's plain JSON (functions/api/responses.py); these models say
what that JSON is, field by field, so that Swagger UI and generated clients know it."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from events.states import ContextState, JobStatus


class _Answer(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class JobError(_Answer):
    """A job's failure (or a refused job) as SJS shows it: the job's own message and stack."""

    message: str
    errorClass: str
    stack: list[str]


class ErrorAnswer(_Answer):
    """SJS's error body: `status` is ERROR or a label (VALIDATION FAILED, NO SLOTS AVAILABLE, ...)."""

    status: str = Field(examples=["ERROR", "VALIDATION FAILED", "NO SLOTS AVAILABLE"])
    result: str | JobError


class Done(_Answer):
    """A change that was made: `{"status": "SUCCESS", "result": "<what was done>"}`."""

    status: str = Field(examples=["SUCCESS"])
    result: str | None = None


class BinaryInfo(_Answer):
    binary_type: str = Field(alias="binary-type", examples=["Egg", "Wheel", "Jar"])
    upload_time: str = Field(alias="upload-time", description="ISO 8601, milliseconds, UTC")


class BinaryUploaded(BinaryInfo):
    status: str
    result: str


class BinaryVersion(BinaryInfo):
    digest: str = Field(description="SHA-256 of the package")
    size: int = Field(description="bytes")


class BinaryVersions(BinaryInfo):
    """The newest version's type and time, then every version, newest first."""

    app_name: str = Field(alias="app-name")
    versions: list[BinaryVersion]


class UploadUrl(_Answer):
    status: str
    result: str
    url: str = Field(description="presigned S3 URL: PUT the package's bytes to it")
    method: str
    key: str
    expiresIn: int = Field(description="seconds the URL stays valid")


class ContextDetails(_Answer):
    """SJS's fields (id, name, startTime, endTime, state, applicationId, url: the Spark UI), then ours."""

    id: str
    name: str
    startTime: str
    endTime: str = Field(description='"Empty" until the context ends')
    state: ContextState
    applicationId: str | None
    url: str | None = Field(description="the Spark UI")
    host: str | None
    transient: bool = Field(description="started for one ad-hoc job, ends with it")
    numCpuCores: int | None
    contextFactory: str
    message: str | None = Field(description="why it ended, when it ended in ERROR")
    isolation: str
    restart: dict[str, int] | None = Field(None, description='supervised: {"attempts"} (restart=on-failure)')
    restarts: int = Field(0, description="supervised: restarts in a row that led to this incarnation")
    warmUpJobId: str | None = Field(
        None, description="the job id of its latest warm-up job (`warm-up`), run before it was RUNNING"
    )


class Progress(_Answer):
    """How far a job's Spark work is (the job's `progress`): Spark jobs, stages and tasks."""

    percent: float
    jobs: dict[str, int] = Field(description='{"done", "total"}')
    stages: dict[str, Any] = {}
    tasks: dict[str, Any] = {}
    streaming: dict[str, Any] | None = None


class JobInfo(_Answer):
    """A job as GET /jobs/{jobId} shows it; `result` once it has finished (or its error, failed)."""

    jobId: str
    status: JobStatus = Field(
        description="STARTED (as a submit answers it), RUNNING, FINISHED, ERROR, KILLED"
    )
    classPath: str
    appName: str | None
    context: str | None
    startTime: str
    duration: str = Field(description='"1.823 secs", or "Job not done yet"')
    result: Any = Field(None, description="the job's result (any JSON), or its error")
    progress: Progress | None = None


class JobKilled(_Answer):
    """The job's state after the kill (KILLED, or its end if it had already ended)."""

    status: str
    ERROR: Any = Field(None, description="the job's error, when it had already failed")


class DataFile(_Answer):
    filename: str = Field(description="the path a job opens the file by")


class DataUploaded(_Answer):
    result: DataFile


class Health(_Answer):
    status: str = Field(examples=["OK"])


class Gauge(_Answer):
    type: str
    value: int
