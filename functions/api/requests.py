"""What routes take from a request besides typed query parameters, injected with Depends():
the raw bytes of an upload and the parsed HOCON/JSON body."""

import base64
from typing import Any

from aws_lambda_powertools.event_handler import Request

from functions.domain.config_text import parse_config
from functions.wiring import services


def raw_body(request: Request) -> bytes:
    """The body as sent; API Gateway base64-encodes binary bodies."""
    event = request.resolved_event
    body = event.body or ""
    return base64.b64decode(body) if event.is_base64_encoded else body.encode()


def config_body(request: Request) -> dict[str, Any]:
    """The HOCON/JSON body, checked against the operator's limits before it is parsed."""
    return parse_config(raw_body(request), services().settings.policy.limits)


def query(request: Request) -> dict[str, str]:
    return dict(request.query_parameters or {})


def content_type(request: Request) -> str:
    return request.headers.get("content-type", "") or request.headers.get("Content-Type", "")
