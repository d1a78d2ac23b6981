"""Unit tests run against moto in-process (mock_aws), with the resources of template.yaml created by
moto's CloudFormation, exactly as the local stack creates them."""

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from moto import mock_aws

from functions.wiring import services
from infra.aws import client
from infra.config import Settings
from infra.local.http_adapter import LocalLambdaContext, api_gateway_event
from infra.local.provision import provision
from infra.local.template import load

FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="package")
def aws() -> Iterator[Settings]:
    """Credentials first, then the mock, then the stack; one per test package (names are unique)."""
    saved = dict(os.environ)
    os.environ.update(FAKE_AWS)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    with mock_aws():
        client.cache_clear()
        os.environ.update(provision(load(), "sjs-unit"))
        os.environ.update({"CONTEXT_LAUNCHER": "local", "POWERTOOLS_TRACE_DISABLED": "true"})
        services.cache_clear()
        yield Settings.from_env()
    services.cache_clear()
    client.cache_clear()
    os.environ.clear()
    os.environ.update(saved)


@dataclass
class Answer:
    status: int
    body: object


@pytest.fixture
def api(aws: Settings):
    """Call the API function as API Gateway would: invoke(method, path, body, headers) → Answer."""
    import json

    from functions.api.app import lambda_handler

    def invoke(method: str, path: str, body: bytes | str = b"", headers: dict[str, str] | None = None) -> Answer:
        data = body.encode() if isinstance(body, str) else body
        event = api_gateway_event(method, path, headers or {}, data, "127.0.0.1")
        response = lambda_handler(event, LocalLambdaContext("ApiFunction", "test"))
        return Answer(response["statusCode"], json.loads(response["body"] or "null"))

    return invoke
