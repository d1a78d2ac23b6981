"""The job server's domain errors. Stores translate AWS errors into these; the API maps them to
SJS-shaped HTTP responses in one place (functions/api/errors.py).

- NotFound: NoSuchBinary, NoSuchClass, NoSuchContext, NoSuchJob, NoRunningJob
- BadRequest: InvalidName, InvalidBinary (PackageTooLarge, UnsupportedBinaryType: 415),
  MalformedConfig (IncludeRefused), ConfigRefused, ContextExists, InvalidWarmUp, CallbackRefused,
  NoSuchDataFile
- JobRejected (carries the job's exception): ValidationFailed, JobLoadingFailed
- NoSlotsAvailable, ContextStopInProgress, ContextInitFailed, SyncTimeout
- BinaryInUse (403): a binary that active jobs use is not deleted
- NotAuthenticated (401, with the realm to challenge), Forbidden (403)
- Conflict: a conditional write lost a race (internal; callers decide what it means)
"""


class JobServerError(Exception):
    """Base of every error the API turns into an SJS-shaped answer."""


class NotFound(JobServerError):
    pass


class NoSuchBinary(NotFound):
    def __init__(self, app: str):
        super().__init__(f"appName {app} not found")


class NoSuchClass(NotFound):
    def __init__(self, class_path: str):
        super().__init__(f"classPath {class_path} not found")


class NoSuchContext(NotFound):
    def __init__(self, name: str):
        super().__init__(f"context {name} not found")


class NoSuchJob(NotFound):
    def __init__(self, job_id: str):
        super().__init__(f"No such job ID {job_id}")


class NoRunningJob(NotFound):
    def __init__(self, job_id: str):
        super().__init__(f"No running job with ID {job_id}")


class BadRequest(JobServerError):
    pass


class InvalidName(BadRequest):
    pass


class InvalidBinary(BadRequest):
    pass


class PackageTooLarge(InvalidBinary):
    def __init__(self, size: int, limit: int):
        super().__init__(f"Package is {size} bytes; the limit is {limit} (limits.max-package-bytes)")


class UnsupportedBinaryType(InvalidBinary):
    """A Content-Type that names no binary type (SJS answers 415)."""


class MalformedConfig(BadRequest):
    def __init__(self, detail: str):
        super().__init__(f"Cannot parse config: {detail}")


class IncludeRefused(MalformedConfig):
    def __init__(self, what: str):
        super().__init__(f"{what} is not allowed in a request's config; put the keys in the body itself")


class ConfigRefused(BadRequest):
    """A config over one of the limits (infra/server_config.py Limits), refused before it is parsed."""


class CallbackRefused(BadRequest):
    """A callbackUrl the server may not call (a private, loopback, ... address)."""


class InvalidWarmUp(BadRequest):
    """A context's warm-up job names a binary or class that is not there."""


class ContextExists(BadRequest):
    def __init__(self, name: str):
        super().__init__(f"context {name} exists")


class NoSuchDataFile(BadRequest):
    """SJS answers a DELETE of a data file it does not hold with 400."""

    def __init__(self, name: str):
        super().__init__(f"Unable to delete data file '{name}'.")


class BinaryInUse(JobServerError):
    def __init__(self, job_ids: list[str]):
        super().__init__(f"Binary is in use by job(s): {', '.join(job_ids)}")


class JobRejected(JobServerError):
    """A job the host refused before running it; carries the job's own exception details."""

    def __init__(self, job_id: str, message: str, error_class: str, stack: list[str]):
        super().__init__(message)
        self.job_id = job_id
        self.error_class = error_class
        self.stack = stack


class ValidationFailed(JobRejected):
    pass


class JobLoadingFailed(JobRejected):
    pass


class NoSlotsAvailable(JobServerError):
    def __init__(self, limit: int, context: str):
        super().__init__(f"Too many running jobs ({limit}) for job context '{context}'")


class ContextStopInProgress(JobServerError):
    def __init__(self, name: str):
        super().__init__(f"Context {name} is stopping")


class ContextInitFailed(JobServerError):
    pass


class SyncTimeout(JobServerError):
    def __init__(self, job_id: str, seconds: float):
        super().__init__(
            f"Job {job_id} did not finish within {seconds:g} s; it is still running. "
            f"Try using the /jobs/{job_id}, /jobs APIs to get status/results"
        )


class NotAuthenticated(JobServerError):
    """No credentials, or ones that match no user."""

    def __init__(self, message: str, realm: str):
        super().__init__(message)
        self.realm = realm


class Forbidden(JobServerError):
    """A known caller without the permission, or outside their contexts."""


class Conflict(Exception):
    """A conditional write found the item in another state than expected (not an HTTP error)."""
