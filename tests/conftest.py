"""Fixtures every test layer shares: the example job package as a user would upload it, and (for
unit and runner tests) moto in-process with the resources of template.yaml created by moto's
CloudFormation, exactly as the local stack creates them."""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from moto import mock_aws

from examples.build import build_package
from functions.wiring import services
from infra.aws import client
from infra.config import Settings
from infra.local.moto_server import atomic_dynamodb
from infra.local.provision import provision
from infra.local.template import load

FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@contextmanager
def moto_in_process() -> Iterator[Settings]:
    """Credentials first, then the mock, then the stack. The unit and runner packages each take
    it as their package-scoped `aws` fixture: defined here, a package-scoped fixture would live
    as long as this top package, so its environment and its mock of botocore would reach the
    integration tests' own AWS calls and the stacks they start when those run after them."""
    saved = dict(os.environ)
    os.environ.update(FAKE_AWS)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    atomic_dynamodb()  # as the local stack's moto server is: conditional writes race-free, as in AWS
    with mock_aws():
        client.cache_clear()
        os.environ.update(provision(load(), "sjs-unit").env)
        os.environ.update({"CONTEXT_LAUNCHER": "local", "POWERTOOLS_TRACE_DISABLED": "true"})
        os.environ["SPARE_HOSTS"] = "0"  # the unit tests start no host processes
        os.environ["METRICS_LOG"] = os.path.join(tempfile.gettempdir(), "sjs-unit-metrics.log")  # not stdout
        services.cache_clear()
        yield Settings.from_env()
    services.cache_clear()
    client.cache_clear()
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def example_egg(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return build_package(tmp_path_factory.mktemp("egg") / "example_jobs.egg").read_bytes()


@pytest.fixture(scope="session")
def package_with(tmp_path_factory: pytest.TempPathFactory):
    """Build a variant of the example package with some files replaced or added."""

    def build(overrides: dict[str, str]) -> bytes:
        target: Path = tmp_path_factory.mktemp("variant") / "example_jobs.egg"
        return build_package(target, overrides).read_bytes()

    return build
