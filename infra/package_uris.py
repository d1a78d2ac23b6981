"""What a package URI in a job's path may be (SJS's `dependent-jar-uris` and URI entries of `cp`).

A URI is request text, so it is checked against the operator's allowance (infra/server_config.py
Dependencies) before a job is queued, and again by the host that fetches it: `s3://` in the
stack's bucket under binaries/ or in a bucket the operator lists, `http(s)://` only under a
prefix the operator lists. The server's own files (`file:`, `local:`, a plain path) and any
other scheme are refused. A `.jar` goes on the context JVM's class path; anything else is a
Python package (egg, wheel or zip) put on the job's Python path."""

from urllib.parse import urlsplit

from events.messages import PackageUri
from infra.errors import BadRequest
from infra.server_config import Dependencies
from infra.stores.binaries import DROP_PREFIX

SETTING = "dependencies (server config)"


class PackageUriRefused(BadRequest):
    """A package URI the server may not fetch."""


def is_uri(entry: str) -> bool:
    """A path entry that names a package by location rather than an uploaded binary's name."""
    return "://" in entry or entry.startswith(("/", ".", "file:", "local:"))


def checked_uri(uri: str, allowed: Dependencies, stack_bucket: str) -> PackageUri:
    """The URI as a package the host may fetch, or PackageUriRefused saying why."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme == "s3":
        key = parts.path.lstrip("/")
        in_stack = parts.netloc == stack_bucket and key.startswith(DROP_PREFIX)
        if not key or not (in_stack or parts.netloc in allowed.s3_buckets):
            raise PackageUriRefused(
                f"{uri}: packages on S3 come from the stack's bucket under {DROP_PREFIX} or from "
                f"buckets the operator allows ({SETTING}: s3-buckets)"
            )
    elif scheme in ("http", "https"):
        if parts.username or parts.password or not any(uri.startswith(p) for p in allowed.http_prefixes):
            raise PackageUriRefused(
                f"{uri}: packages over http(s) come only from places the operator allows "
                f"({SETTING}: http-prefixes)"
            )
    else:
        raise PackageUriRefused(
            f"{uri}: the server's own files are not reachable from a job; upload the package "
            "(POST /binaries/{name}) and name it, or give an s3:// or allowed http(s):// URI"
        )
    return PackageUri(uri=uri, jar=parts.path.lower().endswith(".jar"))
