"""Typed settings, read once from the environment and passed in; nothing deeper reads os.environ."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from hub.errors import ConfigurationError

Environment = Literal["development", "production"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./hub.db"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    env: Environment = "development"
    keys_dir: Path = Path(".hub-keys")
    issuer: str = "urn:zhengwu-credit-hub"
    token_lifetime_seconds: int = 900

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    # A settings object may end up in a log line: the database password never does.
    def __repr__(self) -> str:
        return (
            f"Settings(database_url={_mask_url(self.database_url)!r}, env={self.env!r}, "
            f"keys_dir={str(self.keys_dir)!r}, issuer={self.issuer!r}, "
            f"token_lifetime_seconds={self.token_lifetime_seconds})"
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        mode = env.get("HUB_ENV", "development")
        if mode not in ("development", "production"):
            raise ConfigurationError(
                f"HUB_ENV must be 'development' or 'production', got {mode!r}", field="HUB_ENV"
            )
        lifetime = env.get("HUB_TOKEN_LIFETIME", "900")
        if not lifetime.isdigit() or int(lifetime) <= 0:
            raise ConfigurationError(
                "HUB_TOKEN_LIFETIME must be a positive number of seconds",
                field="HUB_TOKEN_LIFETIME",
            )
        return cls(
            database_url=normalise_database_url(env.get("HUB_DATABASE_URL", DEFAULT_DATABASE_URL)),
            env=mode,  # type: ignore[arg-type]
            keys_dir=Path(env.get("HUB_KEYS_DIR", ".hub-keys")),
            issuer=env.get("HUB_ISSUER", "urn:zhengwu-credit-hub"),
            token_lifetime_seconds=int(lifetime),
        )


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (`postgresql://`, `sqlite:///`) and pick the async driver."""
    for plain, asynchronous in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite:///", "sqlite+aiosqlite:///"),
    ):
        if url.startswith(plain):
            return asynchronous + url[len(plain) :]
    return url


def _mask_url(url: str) -> str:
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
