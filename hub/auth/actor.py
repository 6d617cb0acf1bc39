from __future__ import annotations

from dataclasses import dataclass

from hub.errors import Forbidden


@dataclass(frozen=True)
class Actor:
    """Who is calling: an agency system authenticated by its client credentials, a person
    signed in to the console (`user`, with the scopes of their roles), or the local operator
    (CLI), who holds every scope."""

    client_id: str | None
    agency_id: int | None
    scopes: frozenset[str]
    # A 行政区划 prefix (e.g. "3201"): the client reads only subjects registered there.
    jurisdiction: str | None = None
    # The 行政区划代码 of the caller's agency: local rules (a 湖南 or 南京 document) bind only
    # agencies there.
    region_code: str | None = None
    # The console user's login: a person acts with the scopes of their roles (hub.users).
    user: str | None = None

    @property
    def principal(self) -> str | None:
        """Who, as the audit trail and the records' histories name them: the client id, or
        `user:<login>` for a person."""
        return self.client_id or (f"user:{self.user}" if self.user else None)

    def has(self, scope: str) -> bool:
        return scope in self.scopes

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise Forbidden(
                f"this operation needs the scope '{scope}'",
                field=scope,
                zh=f"本单位未获授权进行此项操作（需要权限 {scope}）",
            )
