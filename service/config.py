"""Typed settings from the environment, overridable on the command line.

A missing or malformed value fails at start-up with the variable's name, never later.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

__all__ = ["ConfigError", "Settings"]


class ConfigError(ValueError):
    """A setting is missing or malformed."""


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.get(name) or default
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment."""

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("data")
    backend: str = "embedded"  # or "neo4j"
    fsync: str = "always"
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = None
    neo4j_database: str = "neo4j"
    secret: str | None = field(default=None, repr=False)
    log_level: str = "INFO"
    max_query_depth: int = 12
    max_page_size: int = 100
    max_query_cost: int = 50_000
    pass_ratio: float = 0.6
    workers: int = 1
    # Set by `serve` for its worker processes: the socket of the engine the parent started.
    embedded_socket: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        backend = _choice(env, "CG_BACKEND", "embedded", ("embedded", "neo4j"))
        settings = cls(
            host=env.get("CG_HOST") or "127.0.0.1",
            port=_int(env, "CG_PORT", 8000, 1, 65535),
            data_dir=Path(env.get("CG_DATA_DIR") or "data"),
            backend=backend,
            fsync=_choice(env, "CG_FSYNC", "always", ("always", "everysec", "no")),
            neo4j_uri=env.get("NEO4J_URI") or None,
            neo4j_user=env.get("NEO4J_USER") or "neo4j",
            neo4j_password=env.get("NEO4J_PASSWORD") or None,
            neo4j_database=env.get("NEO4J_DATABASE") or "neo4j",
            secret=env.get("CG_SECRET") or None,
            log_level=_choice(env, "CG_LOG_LEVEL", "INFO",
                              ("DEBUG", "INFO", "WARNING", "ERROR")),
            max_query_depth=_int(env, "CG_MAX_QUERY_DEPTH", 12, 2, 50),
            max_page_size=_int(env, "CG_MAX_PAGE_SIZE", 100, 1, 1000),
            max_query_cost=_int(env, "CG_MAX_QUERY_COST", 50_000, 10, 10_000_000),
            pass_ratio=_float(env, "CG_PASS_RATIO", 0.6, 0.01, 1.0),
            workers=_int(env, "CG_WORKERS", min(os.cpu_count() or 1, 4), 1, 32),
            embedded_socket=env.get("CG_EMBEDDED_SOCKET") or None,
        )
        settings.check()
        return settings

    def override(self, **changes: Any) -> Settings:
        """Apply command-line values (``None`` means 'not given')."""
        given = {k: v for k, v in changes.items() if v is not None}
        if "data_dir" in given:
            given["data_dir"] = Path(given["data_dir"])
        updated = replace(self, **given)
        updated.check()
        return updated

    def check(self) -> None:
        if self.backend == "neo4j":
            if not self.neo4j_uri:
                raise ConfigError("CG_BACKEND=neo4j needs NEO4J_URI (e.g. neo4j://host:7687)")
            if not self.neo4j_password:
                raise ConfigError("CG_BACKEND=neo4j needs NEO4J_PASSWORD")
            scheme = self.neo4j_uri.split("://", 1)[0]
            if scheme not in {"neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"}:
                raise ConfigError(f"NEO4J_URI has an unknown scheme {scheme!r}")
        if not 1 <= self.port <= 65535:
            raise ConfigError(f"port must be between 1 and 65535, got {self.port}")
