"""boto3 clients, one per service and process. Endpoint, region and credentials come from boto3's
own configuration (AWS_ENDPOINT_URL, AWS_DEFAULT_REGION, ...), so moto, LocalStack and AWS differ
only in environment."""

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(
    retries={"max_attempts": 4, "mode": "standard"},
    max_pool_connections=64,
    tcp_keepalive=True,
)


@cache
def client(service: str) -> Any:
    """A thread-safe low-level client, created once per process."""
    return boto3.session.Session().client(service, config=_CONFIG)


def error_code(error: Exception) -> str:
    """The AWS error code of a botocore ClientError, or '' for anything else."""
    response = getattr(error, "response", None) or {}
    return response.get("Error", {}).get("Code", "")
