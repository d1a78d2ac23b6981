"""What a host is asked to run, however a job comes: a submitted job, or a context's warm-up job
run at each of its starts. One way from (the binaries on its path, its class, its posted config)
and the context it runs on to the job's record and its JobRequested:

- its path: each entry as the newest version of the binary it names, or a package URI the
  operator allows (infra/package_uris.py), then what its context's config puts on every job's
  path (job_path.py); the binary holding the class is the first named one that has it;
- its config: the posted one over its context's and the server's job defaults (config_layers.py);
- its record: STARTED, with the config as posted (SJS shows that)."""

import uuid
from dataclasses import dataclass
from typing import Any

from events.messages import BinaryRef, JobRequested, PackageUri
from events.settings import ContextSettings
from events.states import JobStatus
from functions.domain.binaries import JAR, has_class
from functions.domain.config_layers import job_config
from functions.domain.job_path import context_entries
from infra.clock import now_iso
from infra.errors import NoSuchClass
from infra.package_uris import checked_uri, is_uri
from infra.server_config import Dependencies, SparkSection
from infra.stores.binaries import BinaryRecord, BinaryStore
from infra.stores.jobs import JobRecord

Path = list[BinaryRecord | PackageUri]


@dataclass(frozen=True)
class JobRequests:
    binaries: BinaryStore
    server: SparkSection  # the operator's defaults of contexts and jobs
    package_sources: Dependencies  # where package URIs may point (infra/package_uris.py)
    stack_bucket: str

    def located(
        self, entries: tuple[str, ...], class_path: str, context: ContextSettings | None
    ) -> tuple[Path, BinaryRecord]:
        """The job's whole path (with its context's entries, when it has a context yet) and the
        binary holding its class; NoSuchBinary or NoSuchClass (404) when there is none."""
        path = self.resolve(entries)
        if context is not None:
            path = self.with_context_entries(path, context)
        return path, holding(path, class_path)

    def resolve(self, entries: tuple[str, ...]) -> Path:
        """Each entry as the newest version of the binary it names, or as a package URI the
        operator allows (400 otherwise); NoSuchBinary (404) for an unknown name."""
        return [
            checked_uri(entry, self.package_sources, self.stack_bucket)
            if is_uri(entry)
            else self.binaries.latest(entry)
            for entry in entries
        ]

    def with_context_entries(self, path: Path, context: ContextSettings) -> Path:
        """The job's own path, then what its context's config puts on every job's path."""
        extra = self.resolve(context_entries(context.config))
        return path + [entry for entry in extra if entry not in path]

    def config(self, posted: dict[str, Any], context: ContextSettings) -> dict[str, Any]:
        """What the job runs with: its config over its context's and the server's job defaults."""
        return job_config(posted, context.config, self.server.job_defaults)


def holder(path: Path, class_path: str) -> BinaryRecord | None:
    """The job's own binary: the first named binary on its path that has the class (a class only
    in a package URI cannot be checked here, so it needs an uploaded binary to hold it)."""
    binaries = [entry for entry in path if isinstance(entry, BinaryRecord)]
    return next((b for b in binaries if has_class(b.classes, class_path)), None)


def holding(path: Path, class_path: str) -> BinaryRecord:
    """The job's own binary (`holder`); NoSuchClass (404) when no binary on its path has the class."""
    binary = holder(path, class_path)
    if binary is None:
        raise NoSuchClass(class_path)
    return binary


def new_job(
    entries: tuple[str, ...],
    app_name: str,
    class_path: str,
    posted: dict[str, Any],
    context: str,
    context_id: str,
    **more: Any,
) -> JobRecord:
    """A job's record as it is accepted: STARTED on its context incarnation (`more`: its
    callbackUrl and replyTo)."""
    return JobRecord(
        jobId=str(uuid.uuid4()),
        context=context,
        contextId=context_id,
        appName=app_name,
        dependencies=[e for e in entries if e != app_name and not is_uri(e)],
        classPath=class_path,
        status=JobStatus.STARTED,
        startTime=now_iso(),
        config=posted,
        **more,
    )


def job_request(job: JobRecord, binary: BinaryRecord, path: Path, config: dict[str, Any]) -> JobRequested:
    """What the job's host is told: the job, its binary and path, its layered config."""
    return JobRequested(
        **job.model_dump(include={"jobId", "context", "contextId", "appName", "classPath", "startTime"}),
        binary=_reference(binary),
        path=[_reference(entry) if isinstance(entry, BinaryRecord) else entry for entry in path],
        config=config,
        replyTo=job.replyTo,
        callbackUrl=job.callbackUrl,
    )


def _reference(binary: BinaryRecord) -> BinaryRef:
    return BinaryRef(key=binary.key, digest=binary.digest, jar=binary.binaryType == JAR)
