"""Messages on SQS: to a context's host from the API, and back to an API container waiting on a job."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from events.jobs import JobEnd, JobIdentity
from events.settings import ContextSettings


class BinaryRef(BaseModel):
    """One stored version of an uploaded binary; the digest keys the host's cache."""

    key: str
    digest: str
    jar: bool = False  # loaded by the JVM as it is; anything else is a Python package to unpack


class PackageUri(BaseModel):
    """A package named by URI in a job's path (infra/package_uris.py): the host fetches it for
    each job that names it."""

    uri: str
    jar: bool = False  # a .jar, for the context's JVM; anything else is a Python package


PathEntry = BinaryRef | PackageUri


class JobRequested(JobIdentity):
    kind: Literal["job"] = "job"
    contextId: str  # the incarnation it was sent to
    startTime: str  # when the API accepted it
    binary: BinaryRef  # the binary holding the job's class
    path: list[PathEntry] = []  # the job's whole path in order (`cp`, binary included), then its context's
    config: dict[str, Any] = Field(default_factory=dict)
    replyTo: str | None = None  # a sync caller's reply queue (infra/messaging/replies.py)
    callbackUrl: str | None = None  # said again in the job's end event (functions/callbacks)


class KillRequested(BaseModel):
    kind: Literal["kill"] = "kill"
    jobId: str


class StopRequested(BaseModel):
    """DELETE /contexts/{name}: end the running jobs and stop Spark gracefully, or with `force`
    kill it at once (SJS: "equivalent to killing the application")."""

    kind: Literal["stop"] = "stop"
    force: bool = False


HostMessage = Annotated[JobRequested | KillRequested | StopRequested, Field(discriminator="kind")]
host_message = TypeAdapter(HostMessage)


class Adoption(BaseModel):
    """API → a spare host (its endpoint): serve this context, whose record names the spare's host."""

    context: str
    contextId: str
    settings: ContextSettings  # what the context asked for; its runtime Spark settings are applied


class JobEnded(BaseModel):
    """Whoever ended a sync job → the API container waiting on it: the job's end is stored, and
    here is what was written when small enough for a message; else None and the waiter reads
    the record."""

    jobId: str
    end: JobEnd | None = None
