"""Typed settings from the environment, overridable on the command line.

Each setting is declared once, as a field of ``Settings``: its variable, type, default,
bounds and help live in one ``setting(...)`` call, and the README table is checked against
these declarations by a test. A missing or malformed value fails at start-up with the
variable's name, never later.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["SETTINGS", "ConfigError", "SettingSpec", "Settings"]


class ConfigError(ValueError):
    """A setting is missing or malformed."""


@dataclass(frozen=True, slots=True)
class SettingSpec:
    """One setting: where it is read from and what it may hold."""

    env: str
    help: str
    cast: Callable[[str], Any] = str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    secret: bool = False

    def parse(self, raw: str) -> Any:
        if self.choices is not None and raw not in self.choices:
            raise ConfigError(f"{self.env} must be one of {', '.join(self.choices)}, got {raw!r}")
        try:
            value = self.cast(raw)
        except ValueError:
            kind = ("a whole number" if self.cast is int
                    else "a number" if self.cast is float else "valid")
            raise ConfigError(f"{self.env} must be {kind}, got {raw!r}") from None
        self.check(value)
        return value

    def check(self, value: Any) -> None:
        if value is None or not isinstance(value, int | float):
            return
        if (self.low is not None and value < self.low) or (
                self.high is not None and value > self.high):
            raise ConfigError(f"{self.env} must be between {self.low:g} and {self.high:g}, "
                              f"got {value}")


def setting(env: str, default: Any, help: str, **spec: Any) -> Any:
    """Declare a setting: a dataclass field whose metadata is its ``SettingSpec``."""
    return field(default=default, repr=not spec.get("secret", False),
                 metadata={"setting": SettingSpec(env, help, **spec)})


def _origins(raw: str) -> tuple[str, ...]:
    origins = tuple(o.strip() for o in raw.split(",") if o.strip())
    for origin in origins:
        if origin != "*" and "://" not in origin:
            raise ValueError(origin)
    return origins


def _default_workers() -> int:
    return min(os.cpu_count() or 1, 4)


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment (one declaration per setting)."""

    host: str = setting("CG_HOST", "127.0.0.1", "HTTP bind address")
    port: int = setting("CG_PORT", 8000, "HTTP port", cast=int, low=1, high=65535)
    data_dir: Path = setting("CG_DATA_DIR", Path("data"),
                             "embedded store files, generated token secret", cast=Path)
    backend: str = setting("CG_BACKEND", "embedded",
                           "`embedded` (FalkorDB child process) or `neo4j`",
                           choices=("embedded", "neo4j"))
    fsync: str = setting("CG_FSYNC", "always", "embedded AOF fsync: `always` (a returned "
                         "mutation survives kill -9), `everysec`, `no`",
                         choices=("always", "everysec", "no"))
    neo4j_uri: str | None = setting("NEO4J_URI", None, "production backend; a `neo4j://` "
                                    "routing URI for a cluster")
    neo4j_user: str = setting("NEO4J_USER", "neo4j", "Neo4j user")
    neo4j_password: str | None = setting("NEO4J_PASSWORD", None, "Neo4j password",
                                         secret=True)
    neo4j_database: str = setting("NEO4J_DATABASE", "neo4j", "Neo4j database")
    secret: str | None = setting("CG_SECRET", None, "HMAC secret of bearer tokens "
                                 "(default: generated in the data dir)", secret=True)
    log_level: str = setting("CG_LOG_LEVEL", "INFO", "JSON-lines logs on stderr",
                             choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    workers: int = setting("CG_WORKERS", 0, "HTTP worker processes sharing the one engine "
                           "(0: the number of cores, at most 4)", cast=int, low=0, high=32)
    max_query_depth: int = setting("CG_MAX_QUERY_DEPTH", 12, "deepest field nesting",
                                   cast=int, low=2, high=50)
    max_query_cost: int = setting("CG_MAX_QUERY_COST", 50_000, "worst-case objects a query "
                                  "may return", cast=int, low=10, high=10_000_000)
    max_aliases: int = setting("CG_MAX_ALIASES", 30, "aliased fields in one document",
                               cast=int, low=0, high=10_000)
    max_repeated_fields: int = setting("CG_MAX_REPEATED_FIELDS", 20, "times one response "
                                       "key may appear in one selection set, fragments "
                                       "merged in",
                                       cast=int, low=1, high=1000)
    max_tokens: int = setting("CG_MAX_TOKENS", 50_000, "GraphQL tokens in one document",
                              cast=int, low=100, high=10_000_000)
    max_tokens_anonymous: int = setting("CG_MAX_TOKENS_ANONYMOUS", 2_000, "tokens in a "
                                        "document without a token", cast=int, low=100,
                                        high=10_000_000)
    max_body_bytes: int = setting("CG_MAX_BODY_BYTES", 4 * 1024 * 1024, "request body "
                                  "bytes (a 10,000-row batch is about 2 MB)", cast=int,
                                  low=1024, high=1024 ** 3)
    max_body_bytes_anonymous: int = setting("CG_MAX_BODY_BYTES_ANONYMOUS", 32 * 1024,
                                            "request body bytes without a token",
                                            cast=int, low=1024, high=1024 ** 3)
    max_page_size: int = setting("CG_MAX_PAGE_SIZE", 100, "largest `first` of a connection",
                                 cast=int, low=1, high=1000)
    max_in_flight: int = setting("CG_MAX_IN_FLIGHT", 64, "requests one worker handles at "
                                 "once; more get 503 + Retry-After", cast=int, low=1,
                                 high=100_000)
    read_timeout: float = setting("CG_READ_TIMEOUT", 20.0, "seconds a store read for an "
                                  "HTTP caller may take (0: no limit)", cast=float, low=0,
                                  high=3600)
    cors_origins: tuple[str, ...] = setting("CG_CORS_ORIGINS", (), "origins allowed to call "
                                            "the API from a browser, comma-separated "
                                            "(`*`: any; default: none)", cast=_origins)
    pass_ratio: float = setting("CG_PASS_RATIO", 0.6, "score / maxScore that passes",
                                cast=float, low=0.01, high=1.0)
    certification_cap: int = setting("CG_CERTIFICATION_CAP", 2, "highest proficiency an "
                                     "enterprise certification alone demonstrates "
                                     "(supplementary evidence)", cast=int, low=0, high=4)
    # Set by `serve` for its worker processes: the socket of the engine the parent started.
    embedded_socket: str | None = setting("CG_EMBEDDED_SOCKET", None, "internal: the "
                                          "engine socket `serve` hands to its workers")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for name, spec in SETTINGS.items():
            raw = env.get(spec.env)
            if raw is not None and raw.strip() != "":
                values[name] = spec.parse(raw.strip())
        settings = cls(**values)
        settings.check()
        return settings

    def override(self, **changes: Any) -> Settings:
        """Apply command-line values (``None`` means 'not given')."""
        given = {k: v for k, v in changes.items() if v is not None}
        if "data_dir" in given:
            given["data_dir"] = Path(given["data_dir"])
        for name, value in given.items():
            SETTINGS[name].check(value)
        updated = replace(self, **given)
        updated.check()
        return updated

    @property
    def worker_count(self) -> int:
        return self.workers or _default_workers()

    def check(self) -> None:
        if self.backend == "neo4j":
            if not self.neo4j_uri:
                raise ConfigError("CG_BACKEND=neo4j needs NEO4J_URI (e.g. neo4j://host:7687)")
            if not self.neo4j_password:
                raise ConfigError("CG_BACKEND=neo4j needs NEO4J_PASSWORD")
            scheme = self.neo4j_uri.split("://", 1)[0]
            if scheme not in {"neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"}:
                raise ConfigError(f"NEO4J_URI has an unknown scheme {scheme!r}")

    def environment(self) -> dict[str, str]:
        """These settings as variables, for the worker processes `serve` starts."""
        out: dict[str, str] = {}
        for name, spec in SETTINGS.items():
            value = getattr(self, name)
            if value is None or spec.secret:
                continue
            out[spec.env] = ",".join(value) if isinstance(value, tuple) else str(value)
        return out


SETTINGS: dict[str, SettingSpec] = {f.name: f.metadata["setting"] for f in fields(Settings)}
