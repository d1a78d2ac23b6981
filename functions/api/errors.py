"""Domain errors → SJS-shaped HTTP responses, in one place. Routes just raise.

A 401 challenges for HTTP Basic, except to the web UI's script (it asks with its own form).
An unexpected error answers 500 with a short message and the request's id, never the server's
stack: the stack goes to the log under that id. A job's own stack (JobRejected, a job's error in
GET /jobs/{id}) is the user's, and is shown as SJS shows it."""

import logging

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from functions.api.auth.identity import identify
from functions.api.responses import exception_result, sjs_error
from functions.wiring import services
from infra.errors import (
    BadRequest,
    BinaryInUse,
    ContextInitFailed,
    ContextStopInProgress,
    Forbidden,
    JobLoadingFailed,
    JobRejected,
    JobServerError,
    NoSlotsAvailable,
    NotAuthenticated,
    NotFound,
    SyncTimeout,
    UnsupportedBinaryType,
    ValidationFailed,
)

log = logging.getLogger(__name__)

# (error class, HTTP status, SJS status label); the first match wins, so subclasses come first.
STATUS_OF: list[tuple[type[JobServerError], int, str]] = [
    (ValidationFailed, 400, "VALIDATION FAILED"),
    (JobLoadingFailed, 400, "JOB LOADING FAILED"),
    (NotFound, 404, "ERROR"),
    (UnsupportedBinaryType, 415, "ERROR"),
    (BadRequest, 400, "ERROR"),
    (NoSlotsAvailable, 503, "NO SLOTS AVAILABLE"),
    (ContextStopInProgress, 409, "ERROR"),
    (ContextInitFailed, 500, "CONTEXT INIT FAILED"),
    (SyncTimeout, 504, "ERROR"),
    (NotAuthenticated, 401, "ERROR"),
    (Forbidden, 403, "ERROR"),
    (BinaryInUse, 403, "ERROR"),
]


def register(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(JobServerError)
    def domain_error(error: JobServerError) -> Response:
        status, label = next(
            ((s, lbl) for cls, s, lbl in STATUS_OF if isinstance(error, cls)), (500, "ERROR")
        )
        if isinstance(error, JobRejected):
            return sjs_error(status, label, exception_result(str(error), error.error_class, error.stack))
        if isinstance(error, NotAuthenticated) and not _from_script(app):
            return sjs_error(status, label, str(error), {"WWW-Authenticate": f'Basic realm="{error.realm}"'})
        return sjs_error(status, label, str(error))

    @app.exception_handler(RequestValidationError)
    def invalid_request(error: RequestValidationError) -> Response:
        # Powertools validates parameters before any middleware runs: without this, a caller who
        # may not call would be told what is wrong with the request instead of 401.
        try:
            identify(app.current_event, services().settings.policy.auth)
        except NotAuthenticated as e:
            return domain_error(e)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in problem['loc'][1:]) or problem['loc'][0]}: {problem['msg']}"
            for problem in error.errors()
        )
        return sjs_error(400, "ERROR", f"Invalid request: {problems}")

    @app.not_found
    def not_found(_: Exception) -> Response:
        return sjs_error(404, "ERROR", "The requested resource could not be found.")

    @app.exception_handler(Exception)
    def unexpected(error: Exception) -> Response:
        request_id = app.current_event.request_context.request_id
        log.exception("unexpected error in request %s", request_id)
        return sjs_error(
            500, "ERROR", f"Internal server error (request id {request_id}); the server's log has the details"
        )


def _from_script(app: APIGatewayHttpResolver) -> bool:
    """A page's script (the web UI) marks its calls as XMLHttpRequest; its 401 then carries no Basic
    challenge, which would make the browser pop up its own password dialog over the page's form."""
    return app.current_event.headers.get("x-requested-with", "").lower() == "xmlhttprequest"
