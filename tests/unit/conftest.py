"""Unit tests call the API function as API Gateway would, on moto in-process (see tests/conftest.py)."""

from dataclasses import dataclass, field

import pytest

from infra.config import Settings
from infra.local.api_gateway import api_gateway_event
from infra.local.lambda_runtime import LocalLambdaContext


@dataclass
class Answer:
    status: int
    body: object
    headers: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def api(aws: Settings):
    """Call the API function as API Gateway would: invoke(method, path, body, headers) → Answer."""
    import json

    from functions.api.app import lambda_handler

    def invoke(
        method: str, path: str, body: bytes | str = b"", headers: dict[str, str] | None = None
    ) -> Answer:
        data = body.encode() if isinstance(body, str) else body
        event = api_gateway_event(method, path, headers or {}, data, "127.0.0.1")
        response = lambda_handler(event, LocalLambdaContext("ApiFunction", "test"))
        body = json.loads(response["body"] or "null")
        return Answer(response["statusCode"], body, response.get("headers") or {})

    return invoke
