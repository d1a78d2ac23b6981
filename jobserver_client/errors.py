"""What can go wrong talking to the job server, as exceptions a caller can catch by kind.

- ApiError: the server answered with an error in SJS's shape (status code, SJS label, message,
  and for a job's own exception its errorClass and stack); subclasses by status code:
  BadRequest (400), NotAuthenticated (401), Forbidden (403), NotFound (404),
  NoSlotsAvailable (503)
- Unreachable: no answer at all (refused connection, DNS, a network timeout)
- WaitTimeout: a job was still running when a bounded wait ran out

httpx's errors are translated here once (`translate_transport_errors`), so callers never see httpx.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx


class JobServerClientError(Exception):
    """Base of every error this client raises."""


class ApiError(JobServerClientError):
    """An error answer: `{"status": label, "result": message}` or, for an exception,
    `{"status": label, "result": {"message", "errorClass", "stack"}}`."""

    def __init__(
        self,
        status_code: int,
        label: str,
        message: str,
        error_class: str | None = None,
        stack: list[str] | None = None,
    ):
        super().__init__(f"{status_code} {label}: {message}")
        self.status_code = status_code
        self.label = label
        self.message = message
        self.error_class = error_class
        self.stack = stack or []


class BadRequest(ApiError):
    pass


class NotAuthenticated(ApiError):
    pass


class Forbidden(ApiError):
    pass


class NotFound(ApiError):
    pass


class NoSlotsAvailable(ApiError):
    pass


class Unreachable(JobServerClientError):
    """The server gave no answer: it is down, the URL is wrong, or the network timed out."""


class WaitTimeout(JobServerClientError):
    """A bounded wait ran out; `job` is the last state seen."""

    def __init__(self, job: Any, timeout: float):
        super().__init__(f"job {job.job_id} is still {job.status} after {timeout:g} s")
        self.job = job
        self.timeout = timeout


BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: NotAuthenticated,
    403: Forbidden,
    404: NotFound,
    503: NoSlotsAvailable,
}


def api_error(response: httpx.Response) -> ApiError:
    """The error an answer of status >= 400 carries. Bodies not in SJS's shape (a proxy's page,
    API Gateway's own `{"message": "Unauthorized"}`) still give their text as the message."""
    error_type = BY_STATUS.get(response.status_code, ApiError)
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict) and "status" in body and "result" in body:
        result = body["result"]
        if isinstance(result, dict):
            return error_type(
                response.status_code,
                str(body["status"]),
                str(result.get("message", "")),
                result.get("errorClass"),
                [str(line) for line in result.get("stack") or []],
            )
        return error_type(response.status_code, str(body["status"]), str(result))
    if isinstance(body, dict) and "message" in body:
        return error_type(response.status_code, "ERROR", str(body["message"]))
    return error_type(response.status_code, "ERROR", response.text.strip() or response.reason_phrase)


@contextmanager
def translate_transport_errors(url: str) -> Iterator[None]:
    """httpx's transport failures as Unreachable, with the URL the caller used."""
    try:
        yield
    except httpx.TransportError as e:
        raise Unreachable(f"no answer from {url}: {e or type(e).__name__}") from e
