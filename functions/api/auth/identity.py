"""Who is calling, from the API Gateway event.

- On AWS the HttpApi's JWT authorizer has verified the token: its claims say who and what
  (`auth.jwt` in the server config maps them).
- Locally, with `auth.enabled`: HTTP Basic (as SJS's Shiro and python-sjsclient do) or
  `Authorization: Bearer <api key>`, checked against the users of the server config.
  `X-Api-Key` is not read: one header for every credential, the one API Gateway's authorizers
  and HTTP clients already know.
- Otherwise everyone may do everything, as in SJS without access control.
"""

import base64
import binascii
import hmac
import re
import secrets
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from functions.api.auth.callers import EVERYONE, Caller
from infra.credentials import api_key_matches, hash_password, password_matches
from infra.errors import NotAuthenticated
from infra.permissions import check_grant
from infra.server_config import CONTEXT_PREFIX, AuthSection, AuthUser, JwtMapping

INVALID = "The supplied authentication is invalid"


def identify(event: APIGatewayProxyEventV2, policy: AuthSection) -> Caller:
    authorizer = event.request_context.authorizer
    if authorizer.jwt_claim:
        return from_jwt(authorizer.jwt_claim, authorizer.jwt_scopes, policy.jwt)
    if not policy.enabled:
        return EVERYONE
    header = event.headers.get("authorization")
    if not header:
        hint = " (X-Api-Key is not read)" if event.headers.get("x-api-key") else ""
        raise NotAuthenticated(
            f"Authentication required: HTTP Basic credentials or Authorization: Bearer <api key>{hint}",
            policy.realm,
        )
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() == "basic":
        return _by_password(*_basic(credentials, policy.realm), policy)
    if scheme.lower() == "bearer":
        return _by_api_key(credentials.strip(), policy)
    raise NotAuthenticated(f"Unsupported authorization scheme {scheme!r}: use Basic or Bearer", policy.realm)


def from_jwt(claims: dict[str, Any], scopes: list[str], mapping: JwtMapping) -> Caller:
    """Permissions are the scopes (or other claims) that name one, minus `scope-prefix`; names
    that grant nothing (openid, email, another API's scopes) are ignored, as SJS ignores unknown
    roles. Unlike SJS's Keycloak provider, a token that names none grants nothing."""
    names = list(scopes or [])
    for claim in mapping.permission_claims:
        names += _claim_values(claims.get(claim))
    stripped = (
        name.removeprefix(mapping.scope_prefix) for name in names if name.startswith(mapping.scope_prefix)
    )
    granted = tuple(dict.fromkeys(name for name in stripped if _is_grant(name)))
    contexts = claims.get(mapping.contexts_claim)
    prefixes = (
        None if contexts is None else tuple(p for p in _claim_values(contexts) if re.match(CONTEXT_PREFIX, p))
    )
    name = str(claims.get(mapping.name_claim) or claims.get("sub") or "jwt")
    return Caller(name, granted, prefixes)


def _claim_values(value: Any) -> list[str]:
    """A claim as API Gateway passes it on: a list, a space- or comma-separated string, or an
    array flattened to "[a b c]"."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return [part for part in re.split(r"[\s,]+", text) if part]


def _is_grant(name: str) -> bool:
    try:
        check_grant(name)
    except ValueError:
        return False
    return True


def _basic(credentials: str, realm: str) -> tuple[str, str]:
    try:
        raw = base64.b64decode(credentials.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise NotAuthenticated("Malformed Basic credentials", realm) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # what requests sends for a non-ASCII str
    name, colon, password = text.partition(":")
    if not colon:
        raise NotAuthenticated("Malformed Basic credentials", realm)
    return name, password


def _by_password(name: str, password: str, policy: AuthSection) -> Caller:
    user = policy.users.get(name)
    stored = user.password_hash if user else None
    if user is None or stored is None:
        password_matches(password, _unknown_user_hash())  # the same ~50 ms: timing tells no names
        raise NotAuthenticated(INVALID, policy.realm)
    if not _password_ok(password, stored):
        raise NotAuthenticated(INVALID, policy.realm)
    return _caller(name, user)


def _by_api_key(key: str, policy: AuthSection) -> Caller:
    """Every stored key is compared (no early exit), each in constant time."""
    owner = None
    for name, user in policy.users.items():
        for stored in user.api_keys:
            if api_key_matches(key, stored):
                owner = name
    if owner is None:
        raise NotAuthenticated(INVALID, policy.realm)
    return _caller(owner, policy.users[owner])


def _caller(name: str, user: AuthUser) -> Caller:
    return Caller(name, user.permissions, user.contexts)


# A password checks once per process (container), then by a keyed digest: scrypt's ~50 ms on every
# request would double a warm sync job's latency. Only successes are kept, so guessing stays slow.
_PROCESS_KEY = secrets.token_bytes(32)
_VERIFIED: set[tuple[str, bytes]] = set()
_VERIFIED_MAX = 1024


def _password_ok(password: str, stored: str) -> bool:
    seen = (stored, hmac.digest(_PROCESS_KEY, password.encode(), "sha256"))
    if seen in _VERIFIED:
        return True
    if not password_matches(password, stored):
        return False
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED.add(seen)
    return True


@cache
def _unknown_user_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))
