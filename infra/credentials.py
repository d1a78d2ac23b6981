"""How the operator's config stores secrets, never in plain text.

- Passwords: salted scrypt (stdlib `hashlib.scrypt`), slow on purpose because people pick guessable
  ones; written in the PHC string format `$scrypt$ln=14,r=8,p=1$<salt>$<hash>` (unpadded base64).
- API keys: long random strings made here, so a fast SHA-256 digest is enough to store them
  (as GitHub and Stripe store their tokens): `$sha256$<hex>`.

Every comparison of secrets is constant-time (`hmac.compare_digest`)."""

import base64
import hashlib
import hmac
import re
import secrets

SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 14, 8, 1  # 16 MiB and ~50 ms a check: OWASP's scrypt floor
_SCRYPT = re.compile(r"^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$")
_SHA256 = re.compile(r"^\$sha256\$[0-9a-f]{64}$")
MAX_SCRYPT_MEMORY = 256 * 2**20  # what a check may take of a 512 MB Lambda
API_KEY_PREFIX = "sjs_"  # tells a key apart from a password in logs and secret scanners


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
    return f"$scrypt$ln={SCRYPT_LOG2_N},r={SCRYPT_R},p={SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def password_matches(password: str, stored: str) -> bool:
    log2_n, r, p, salt, digest = _parse_password_hash(stored)
    return hmac.compare_digest(_scrypt(password, salt, log2_n, r, p), digest)


def check_password_hash(stored: str) -> str:
    """Refuse a malformed hash when the config is read, not when someone logs in."""
    _parse_password_hash(stored)
    return stored


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    return "$sha256$" + hashlib.sha256(key.encode()).hexdigest()


def api_key_matches(key: str, stored: str) -> bool:
    return hmac.compare_digest(hash_api_key(key).encode(), stored.encode())


def check_api_key_hash(stored: str) -> str:
    if not _SHA256.match(stored):
        raise ValueError(
            "an API key hash looks like $sha256$<64 hex digits>: see python -m functions.api.auth"
        )
    return stored


def _parse_password_hash(stored: str) -> tuple[int, int, int, bytes, bytes]:
    match = _SCRYPT.match(stored)
    if not match:
        raise ValueError(
            "a password hash looks like $scrypt$ln=14,r=8,p=1$<salt>$<hash>: see python -m functions.api.auth"
        )
    log2_n, r, p = (int(match.group(i)) for i in (1, 2, 3))
    if not (10 <= log2_n <= 20 and 1 <= r <= 16 and 1 <= p <= 16) or _memory(log2_n, r) > MAX_SCRYPT_MEMORY:
        raise ValueError(f"scrypt parameters ln={log2_n}, r={r}, p={p} are out of range (memory, time)")
    return log2_n, r, p, _unb64(match.group(4)), _unb64(match.group(5))


def _scrypt(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    maxmem = 2 * _memory(log2_n, r)  # OpenSSL's own default cap (32 MiB) is just under ln=14's need
    return hashlib.scrypt(password.encode(), salt=salt, n=2**log2_n, r=r, p=p, maxmem=maxmem, dklen=32)


def _memory(log2_n: int, r: int) -> int:
    return 128 * r * 2**log2_n


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))
