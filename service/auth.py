"""Bearer tokens: a signed claim of role (and college), checked with a server secret.

Stateless HMAC-SHA256 tokens keep the first release free of a user database; the token
command of the CLI issues them. A token names no person: ``sub`` is an opaque label.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from pathlib import Path

from schema.access import ANONYMOUS, Principal, Role

__all__ = ["InvalidToken", "issue_token", "load_or_create_secret", "principal_from_header"]

_PREFIX = "cg1"


class InvalidToken(ValueError):
    """The presented token is malformed, forged or expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def _unb64(text: str) -> bytes:
    """Strict: only the unpadded base64url alphabet, in its one canonical spelling (the
    lenient decoder ignored a trailing ``=`` or ``!!``, so altered tokens still verified)."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:
        raise ValueError("not canonical base64url")
    return data


def issue_token(secret: str, role: Role, *, subject: str, college: str | None = None,
                ttl_days: float = 30) -> str:
    if role is Role.COLLEGE and not college:
        raise ValueError("a college token needs the college code")
    if role is Role.ANONYMOUS:
        raise ValueError("anonymous callers need no token")
    claims = {"role": role.value, "sub": subject, "college": college,
              "exp": int(time.time() + ttl_days * 86400)}
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    signature = _b64(hmac.new(secret.encode(), f"{_PREFIX}.{body}".encode(),
                              hashlib.sha256).digest())
    return f"{_PREFIX}.{body}.{signature}"


def verify_token(secret: str, token: str, *, now: float | None = None) -> Principal:
    try:
        prefix, body, signature = token.split(".")
    except ValueError:
        raise InvalidToken("malformed token") from None
    if prefix != _PREFIX:
        raise InvalidToken("unknown token format")
    expected = hmac.new(secret.encode(), f"{prefix}.{body}".encode(), hashlib.sha256).digest()
    try:
        given = _unb64(signature)
        claims = json.loads(_unb64(body))
        role = Role(claims["role"])
        expires = float(claims["exp"])
    except (ValueError, KeyError, TypeError):
        raise InvalidToken("malformed token") from None
    if not hmac.compare_digest(expected, given):
        raise InvalidToken("bad signature")
    if expires < (time.time() if now is None else now):
        raise InvalidToken("token expired")
    return Principal(role=role, subject=str(claims.get("sub", "")),
                     college=claims.get("college"))


def principal_from_header(secret: str, authorization: str | None) -> Principal:
    """No header: anonymous. A header that is present must hold a valid bearer token."""
    if not authorization:
        return ANONYMOUS
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("expected 'Authorization: Bearer <token>'")
    return verify_token(secret, token.strip())


def load_or_create_secret(configured: str | None, data_dir: Path) -> str:
    """Use CG_SECRET when set; otherwise a random secret kept (0600) in the data directory."""
    if configured:
        return configured
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    path.touch(mode=0o600)
    path.write_text(secret)
    return secret
