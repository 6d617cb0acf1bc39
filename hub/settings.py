"""Typed settings, read once from the environment and passed in; nothing deeper reads os.environ."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from hub.errors import ConfigurationError

Environment = Literal["development", "production"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./hub.db"


@dataclass(frozen=True)
class RateLimit:
    """A token bucket: `rate` requests a second on average, up to `burst` at once."""

    rate: float
    burst: int

    def __str__(self) -> str:
        return f"{self.rate:g}/{self.burst}"


DEFAULT_RATE_LIMIT = RateLimit(rate=50.0, burst=100)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    env: Environment = "development"
    keys_dir: Path = Path(".hub-keys")
    issuer: str = "urn:zhengwu-credit-hub"
    token_lifetime_seconds: int = 900
    # None switches rate limiting off (a benchmark, or a limit enforced in front of the hub).
    rate_limit: RateLimit | None = DEFAULT_RATE_LIMIT
    rate_limits_per_client: Mapping[str, RateLimit] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    # A settings object may end up in a log line: the database password never does.
    def __repr__(self) -> str:
        return (
            f"Settings(database_url={_mask_url(self.database_url)!r}, env={self.env!r}, "
            f"keys_dir={str(self.keys_dir)!r}, issuer={self.issuer!r}, "
            f"token_lifetime_seconds={self.token_lifetime_seconds}, "
            f"rate_limit={str(self.rate_limit or 'off')!r}, "
            f"rate_limits_per_client={_limits_text(self.rate_limits_per_client)!r})"
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
            rate_limit=_rate_limit_setting(env.get("HUB_RATE_LIMIT", str(DEFAULT_RATE_LIMIT))),
            rate_limits_per_client=parse_rate_limits_per_client(
                env.get("HUB_RATE_LIMITS_PER_CLIENT", "")
            ),
        )


def _rate_limit_setting(text: str) -> RateLimit | None:
    if text.strip().lower() == "off":
        return None
    return parse_rate_limit(text, "HUB_RATE_LIMIT")


def parse_rate_limit(text: str, variable: str) -> RateLimit:
    """`50/100`: 50 requests a second, bursts of up to 100."""
    rate, _, burst = text.strip().partition("/")
    try:
        limit = RateLimit(float(rate), int(burst))
    except ValueError:
        limit = RateLimit(0.0, 0)
    if not (math.isfinite(limit.rate) and limit.rate > 0 and limit.burst >= 1):
        raise ConfigurationError(
            f"{variable} must be 'rate/burst' (requests a second, then the largest burst), "
            f"e.g. '50/100'; got {text!r}",
            field=variable,
        )
    return limit


def parse_rate_limits_per_client(text: str) -> dict[str, RateLimit]:
    """`client_id=rate/burst,…`: a limit of its own for each client named."""
    variable = "HUB_RATE_LIMITS_PER_CLIENT"
    limits: dict[str, RateLimit] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        client_id, equals, limit = item.partition("=")
        if not equals or not client_id.strip():
            raise ConfigurationError(
                f"{variable} must be 'client_id=rate/burst,…', e.g. 'c-1=5/10,c-2=200/400'; "
                f"got {item!r}",
                field=variable,
            )
        limits[client_id.strip()] = parse_rate_limit(limit, variable)
    return limits


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


def _limits_text(limits: Mapping[str, RateLimit]) -> str:
    return ",".join(f"{client}={limit}" for client, limit in limits.items())


def _mask_url(url: str) -> str:
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
