"""Unit tests call the API function as API Gateway would, on moto in-process (see tests/conftest.py)."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from functions.wiring import services
from infra.aws import client
from infra.config import Settings
from infra.local.api_gateway import api_gateway_event
from infra.local.lambda_runtime import LocalLambdaContext
from tests.conftest import moto_in_process


@pytest.fixture(scope="package")
def aws() -> Iterator[Settings]:
    """moto in-process with the template's resources, for this package's tests."""
    with moto_in_process() as settings:
        yield settings


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


@pytest.fixture
def app_name(api, example_egg) -> str:
    """The example jobs uploaded under a fresh name."""
    name = f"jobs-{uuid.uuid4().hex[:6]}"
    assert api("POST", f"/binaries/{name}", example_egg).status == 201
    return name


@pytest.fixture
def configure(aws: Settings, tmp_path, monkeypatch: pytest.MonkeyPatch):
    """Rebuild the functions' services with an operator's server config and/or other settings:
    configure('limits { max-config-bytes = 100 }', JOBS_TABLE="...")."""
    written = 0

    def apply(server_config: str | None = None, **env: str) -> None:
        nonlocal written
        if server_config is not None:
            written += 1
            path = tmp_path / f"server-{written}.conf"
            path.write_text(server_config)
            monkeypatch.setenv("SERVER_CONFIG", str(path))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        services.cache_clear()

    yield apply
    services.cache_clear()  # before monkeypatch puts the environment back: the next use reads it anew


@pytest.fixture
def ecs_hosts(aws, configure):
    """Hosts launched as ECS tasks, which moto records and never runs: no host process starts."""
    subnet = client("ec2").describe_subnets()["Subnets"][0]["SubnetId"]
    configure(CONTEXT_LAUNCHER="ecs", HOST_SUBNETS=subnet)
