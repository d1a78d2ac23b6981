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


# S3 signs presigned URLs with SigV4 too (boto3 would use the deprecated SigV2 at some endpoints).
_S3_CONFIG = _CONFIG.merge(Config(signature_version="s3v4"))


@cache
def client(service: str) -> Any:
    """A thread-safe low-level client, created once per process."""
    return boto3.session.Session().client(service, config=_S3_CONFIG if service == "s3" else _CONFIG)


def error_code(error: Exception) -> str:
    """The AWS error code of a botocore ClientError, or '' for anything else."""
    response = getattr(error, "response", None) or {}
    return response.get("Error", {}).get("Code", "")
