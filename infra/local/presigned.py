"""Presigned S3 URLs for the embedded AWS. moto's access control reads only the Authorization
header, so a presigned request (its signature in the query string) would fail there. This
checks such a request's signature, scope and expiry as S3 would, with botocore's own signer,
and hands moto the same request signed in the header instead, with the stack's keys (the only
keys the embedded AWS has, so the only ones a presigned URL can carry)."""

import calendar
import hashlib
import hmac
import io
import time
from urllib.parse import parse_qsl

from botocore.auth import SIGV4_TIMESTAMP, S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SIGNATURE = "X-Amz-Signature"
QUERY_AUTH = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders"}


def is_presigned(environ: dict) -> bool:
    return f"{SIGNATURE}=" in environ.get("QUERY_STRING", "")


def as_header_signed(environ: dict, keys: tuple[str, str]) -> str | None:
    """Check a presigned request and turn it into a header-signed one in place; the reason
    it is refused, or None."""
    raw_query = environ.get("QUERY_STRING", "")
    parts = raw_query.split("&")
    params = dict(parse_qsl(raw_query, keep_blank_values=True))
    access_key, _, scope = params.get("X-Amz-Credential", "").partition("/")
    if access_key != keys[0]:
        return "the presigned URL's key is not this stack's"
    try:
        signed_at = calendar.timegm(time.strptime(params["X-Amz-Date"], SIGV4_TIMESTAMP))
        expires = int(params["X-Amz-Expires"])
        region = scope.split("/")[1]
    except (KeyError, ValueError, IndexError):
        return "the presigned URL is malformed"
    if time.time() > signed_at + expires:
        return "the presigned URL has expired"
    host = environ.get("HTTP_HOST", "")
    method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
    credentials = Credentials(*keys)
    unsigned_query = "&".join(part for part in parts if not part.startswith(f"{SIGNATURE}="))
    query_signed = AWSRequest(
        method=method, url=f"http://{host}{path}?{unsigned_query}", headers={"host": host}
    )
    query_signed.context["timestamp"] = params["X-Amz-Date"]
    signer = S3SigV4QueryAuth(credentials, "s3", region, expires)
    expected = signer.signature(
        signer.string_to_sign(query_signed, signer.canonical_request(query_signed)), query_signed
    )
    if not hmac.compare_digest(expected, params.get(SIGNATURE, "")):
        return "the presigned URL's signature does not match"
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    query = "&".join(part for part in parts if part.split("=", 1)[0] not in QUERY_AUTH | {SIGNATURE})
    target = f"{path}?{query}" if query else path
    header_signed = AWSRequest(
        method=method,
        url=target,
        data=body,
        headers={"host": host, "x-amz-content-sha256": hashlib.sha256(body).hexdigest()},
    )
    S3SigV4Auth(credentials, "s3", region).add_auth(header_signed)
    for name, value in header_signed.headers.items():
        environ[f"HTTP_{name.upper().replace('-', '_')}"] = value
    environ.update(QUERY_STRING=query, CONTENT_LENGTH=str(len(body)), **{"wsgi.input": io.BytesIO(body)})
    environ["RAW_URI"] = environ["REQUEST_URI"] = target
    return None
