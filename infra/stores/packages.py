"""Fetching a package named by URI (infra/package_uris.py) to a file, for the context host.

`s3://` objects come through the host's own S3 client (its credentials, never the job's);
`http(s)://` through urllib3 with redirects off (a redirect could lead anywhere the operator did
not allow) and a deadline. Either way no more than `max_bytes` are read, so a package over the
operator's limit costs nothing beyond that; failures become PackageUnavailable."""

from pathlib import Path
from urllib.parse import urlsplit

import urllib3
from botocore.exceptions import BotoCoreError, ClientError

from infra.aws import client
from infra.errors import PackageTooLarge

HTTP_TIMEOUT = urllib3.Timeout(connect=10.0, read=60.0)
CHUNK = 1 << 20


class PackageUnavailable(Exception):
    """The package could not be fetched."""


class PackageSource:
    def __init__(self) -> None:
        self._http = urllib3.PoolManager(retries=urllib3.Retry(total=2, redirect=0, raise_on_redirect=True))

    def download(self, uri: str, target: Path, max_bytes: int) -> None:
        """Write the package at `uri` to `target`; PackageTooLarge past `max_bytes`."""
        parts = urlsplit(uri)
        try:
            if parts.scheme == "s3":
                self._from_s3(parts.netloc, parts.path.lstrip("/"), target, max_bytes)
            else:
                self._from_http(uri, target, max_bytes)
        except (ClientError, BotoCoreError, urllib3.exceptions.HTTPError, OSError) as e:
            raise PackageUnavailable(f"{uri} could not be fetched: {e}") from e

    def _from_s3(self, bucket: str, key: str, target: Path, max_bytes: int) -> None:
        found = client("s3").get_object(Bucket=bucket, Key=key)
        with found["Body"] as body:
            if found["ContentLength"] > max_bytes:
                raise PackageTooLarge(found["ContentLength"], max_bytes)
            _copy_bounded(body, target, max_bytes)

    def _from_http(self, uri: str, target: Path, max_bytes: int) -> None:
        response = self._http.request("GET", uri, preload_content=False, timeout=HTTP_TIMEOUT)
        try:
            if response.status != 200:
                raise PackageUnavailable(f"{uri} answered HTTP {response.status}")
            _copy_bounded(response, target, max_bytes)
        finally:
            response.release_conn()


def _copy_bounded(source, target: Path, max_bytes: int) -> None:
    with target.open("wb") as out:
        copied = 0
        while chunk := source.read(CHUNK):
            copied += len(chunk)
            if copied > max_bytes:
                raise PackageTooLarge(copied, max_bytes)
            out.write(chunk)
