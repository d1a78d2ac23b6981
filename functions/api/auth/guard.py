"""The permission check every route declares next to itself:

    @router.post("/<name>", middlewares=[requires(Permission.CONTEXTS_START, context=path_context("name"))])

`requires` is a Powertools route middleware: it runs before the route's dependencies (so no body
is parsed for a caller who may not call), identifies the caller (401), checks the permission and,
for a route that names a context, the caller's context prefixes (403). A route without it is
open: only /healthz, the OpenAPI page and the web UI's page and files (/, /ui/*) are; they hold no
data (tests/unit/test_api_auth.py fails on a route of the OpenAPI description its table of
permissions lacks, and calls each without credentials).

Rule for scoped callers, decided once: a request that *names* a context outside the caller's
prefixes answers 403, decided from the name alone, so it tells nothing of what exists; things
reached by id (jobs) outside them are invisible: left out of lists and 404 like an unknown id."""

from collections.abc import Callable

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Request, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from functions.api.auth.callers import Caller
from functions.api.auth.identity import identify
from functions.wiring import services
from infra.errors import Forbidden
from infra.permissions import Permission

CALLER = "caller"  # where the route's dependencies find the checked caller (app.context)

ContextOf = Callable[[Request], str | None]  # the context a request names; None: an ad-hoc job
Middleware = Callable[[APIGatewayHttpResolver, NextMiddleware], Response]


def path_context(parameter: str) -> ContextOf:
    return lambda request: request.path_parameters[parameter]


def query_context(parameter: str) -> ContextOf:
    return lambda request: (request.query_parameters or {}).get(parameter) or None


def demand(caller: Caller, permission: Permission) -> None:
    """Forbidden unless the caller holds `permission` (a route's own, or one more a request's
    content needs, as a context's warm-up job needs the right to start jobs)."""
    if not caller.may(permission):
        raise Forbidden(f"User {caller.name} lacks the permission {permission}")


def requires(permission: Permission, context: ContextOf | None = None) -> Middleware:
    def check(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response:
        caller = identify(app.current_event, services().settings.policy.auth)
        demand(caller, permission)
        if context is not None:
            _check_scope(caller, context(app.request))
        app.append_context(**{CALLER: caller})
        return next_middleware(app)

    check.__name__ = f"requires_{permission.name.lower()}"  # Powertools' debug output names it
    return check


def current_caller(request: Request) -> Caller:
    """For routes that filter by scope, with Depends(); only after `requires` checked the call."""
    caller = request.context.get(CALLER)
    if caller is None:
        raise Forbidden("This route declares no permission")
    return caller


def _check_scope(caller: Caller, context: str | None) -> None:
    if context is None:
        if not caller.may_run_adhoc:
            raise Forbidden(f"User {caller.name} may use no context, so no ad-hoc job either")
    elif not caller.reaches(context):
        allowed = ", ".join(caller.context_prefixes or ()) or "none"
        raise Forbidden(f"User {caller.name} may not use context {context} (allowed prefixes: {allowed})")
