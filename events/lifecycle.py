"""Lifecycle events the context hosts publish on the project's EventBridge bus.

The detail-type of each is its class's DETAIL_TYPE; users subscribe with ordinary event patterns
on detail-type and detail fields (context, appName, status)."""

from typing import Any, ClassVar

from pydantic import BaseModel


class LifecycleEvent(BaseModel):
    DETAIL_TYPE: ClassVar[str]


class JobEvent(LifecycleEvent):
    jobId: str
    context: str
    appName: str
    classPath: str
    status: str


class JobStarted(JobEvent):
    DETAIL_TYPE = "Job Started"


class JobFinished(JobEvent):
    DETAIL_TYPE = "Job Finished"
    duration: float
    result: Any = None  # inline when small
    resultKey: str | None = None  # S3 key of the result when it is too large for an event


class JobFailed(JobEvent):
    DETAIL_TYPE = "Job Failed"
    message: str
    errorClass: str
    phase: str


class JobKilled(JobEvent):
    DETAIL_TYPE = "Job Killed"


class ContextEvent(LifecycleEvent):
    context: str
    contextId: str
    state: str


class ContextStarted(ContextEvent):
    DETAIL_TYPE = "Context Started"
    host: str
    sparkUiUrl: str | None = None


class ContextStopped(ContextEvent):
    DETAIL_TYPE = "Context Stopped"


class ContextFailed(ContextEvent):
    DETAIL_TYPE = "Context Failed"
    message: str
