"""boto3 clients, one per service and process. Endpoint, region and credentials come from boto3's
own configuration (AWS_ENDPOINT_URL, AWS_DEFAULT_REGION, ...), so moto, LocalStack and AWS differ
only in environment — unless a process names the credentials its clients sign with
(`use_credentials`: a context host on AWS acts as its context's scoped role)."""

from functools import cache
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialProvider, CredentialResolver, Credentials

_CONFIG = Config(
    retries={"max_attempts": 4, "mode": "standard"},
    max_pool_connections=64,
    tcp_keepalive=True,
)

_signing: Credentials | None = None  # None: boto3's own credential chain


class _Given(CredentialProvider):
    """The credentials this process chose, as botocore's resolver asks for them."""

    METHOD = "sjs-given"
    CANONICAL_NAME = "custom-sjs-given"

    def __init__(self, credentials: Credentials):
        super().__init__()
        self._credentials = credentials

    def load(self) -> Credentials:
        return self._credentials


def use_credentials(credentials: Credentials | None) -> None:
    """Sign every client made from now on with `credentials` (None: boto3's own chain again).
    Clients made before are dropped, but objects holding one keep it: call this before building
    any store (in a composition root)."""
    global _signing
    _signing = credentials
    client.cache_clear()


# S3 signs presigned URLs with SigV4 too (boto3 would use the deprecated SigV2 at some endpoints).
_S3_CONFIG = _CONFIG.merge(Config(signature_version="s3v4"))


@cache
def client(service: str) -> Any:
    """A thread-safe low-level client, created once per process."""
    core = botocore.session.get_session()
    if _signing is not None:
        core.register_component("credential_provider", CredentialResolver([_Given(_signing)]))
    config = _S3_CONFIG if service == "s3" else _CONFIG
    return boto3.session.Session(botocore_session=core).client(service, config=config)


def error_code(error: Exception) -> str:
    """The AWS error code of a botocore ClientError, or '' for anything else."""
    response = getattr(error, "response", None) or {}
    return response.get("Error", {}).get("Code", "")
