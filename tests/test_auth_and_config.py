"""Bearer tokens and typed configuration fail loudly on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from schema.access import ANONYMOUS, Principal, Role
from service.auth import (
    InvalidToken,
    issue_token,
    load_or_create_secret,
    principal_from_header,
    verify_token,
)
from service.config import ConfigError, Settings

SECRET = "test-secret"


def test_token_round_trip_keeps_role_and_college() -> None:
    token = issue_token(SECRET, Role.COLLEGE, subject="office-1", college="COL-A")
    principal = principal_from_header(SECRET, f"Bearer {token}")
    assert principal == Principal(Role.COLLEGE, "office-1", "COL-A")
    assert principal.can_see_college("COL-A") and not principal.can_see_college("COL-B")


def test_no_header_is_anonymous() -> None:
    assert principal_from_header(SECRET, None) is ANONYMOUS


@pytest.mark.parametrize("header", ["Bearer", "Basic abc", "Bearer a.b", "Bearer cg1.e30.xx"])
def test_malformed_headers_are_refused(header: str) -> None:
    with pytest.raises(InvalidToken):
        principal_from_header(SECRET, header)


def test_forged_and_expired_tokens_are_refused() -> None:
    token = issue_token(SECRET, Role.ADMIN, subject="root")
    with pytest.raises(InvalidToken, match="signature"):
        verify_token("another-secret", token)
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(SECRET, token, now=4_000_000_000)


def test_college_tokens_need_a_college() -> None:
    with pytest.raises(ValueError, match="college"):
        issue_token(SECRET, Role.COLLEGE, subject="x")


def test_generated_secret_is_kept_private(tmp_path: Path) -> None:
    secret = load_or_create_secret(None, tmp_path)
    assert load_or_create_secret(None, tmp_path) == secret
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0


def test_settings_defaults_and_overrides() -> None:
    settings = Settings.from_env({})
    assert (settings.backend, settings.port, settings.data_dir) == ("embedded", 8000,
                                                                   Path("data"))
    assert settings.override(port=9000, host=None).port == 9000


@pytest.mark.parametrize(("env", "message"), [
    ({"CG_PORT": "http"}, "CG_PORT must be a whole number"),
    ({"CG_PORT": "70000"}, "CG_PORT must be between"),
    ({"CG_BACKEND": "mysql"}, "CG_BACKEND must be one of"),
    ({"CG_BACKEND": "neo4j"}, "needs NEO4J_URI"),
    ({"CG_BACKEND": "neo4j", "NEO4J_URI": "http://x", "NEO4J_PASSWORD": "p"}, "unknown scheme"),
    ({"CG_PASS_RATIO": "1.5"}, "CG_PASS_RATIO must be between"),
])
def test_bad_settings_fail_early(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


@pytest.mark.parametrize("suffix", ["=", "==", "!!", " ", "A"])
def test_an_altered_signature_never_verifies(suffix: str) -> None:
    token = issue_token(SECRET, Role.ADMIN, subject="root")
    assert verify_token(SECRET, token).role is Role.ADMIN
    with pytest.raises(InvalidToken):
        verify_token(SECRET, token + suffix)


def test_every_setting_is_declared_once_and_documented() -> None:
    from service.config import SETTINGS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    internal = {"CG_EMBEDDED_SOCKET"}
    missing = [spec.env for spec in SETTINGS.values()
               if spec.env not in internal and f"`{spec.env}`" not in readme]
    assert missing == []
    assert len({spec.env for spec in SETTINGS.values()}) == len(SETTINGS)
    settings = Settings.from_env({"CG_CORS_ORIGINS": "http://a.example, http://b.example",
                                  "CG_MAX_BODY_BYTES": "2048"})
    assert settings.cors_origins == ("http://a.example", "http://b.example")
    assert Settings.from_env(settings.environment()) == settings


@pytest.mark.parametrize(("env", "message"), [
    ({"CG_CORS_ORIGINS": "frontend"}, "CG_CORS_ORIGINS must be valid"),
    ({"CG_MAX_IN_FLIGHT": "0"}, "CG_MAX_IN_FLIGHT must be between"),
    ({"CG_READ_TIMEOUT": "soon"}, "CG_READ_TIMEOUT must be a number"),
])
def test_new_settings_fail_early(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)
