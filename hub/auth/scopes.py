"""The scopes a client can hold. Checks need the scope of their purpose (see Purpose.scope)."""

from __future__ import annotations

CHECK_HIRING = "check:hiring"
CHECK_TRANSFER = "check:transfer"
CHECK_AWARD = "check:award"
CHECK_APPRAISAL = "check:appraisal"
CHECK_PROCUREMENT = "check:procurement"
RECORDS_READ = "records:read"
RECORDS_READ_PII = "records:read:pii"
RECORDS_WRITE = "records:write"
OBJECTIONS_MANAGE = "objections:manage"
SYNC_READ = "sync:read"
AUDIT_READ = "audit:read"
ADMIN = "admin"

CHECK_SCOPES = (CHECK_HIRING, CHECK_TRANSFER, CHECK_AWARD, CHECK_APPRAISAL, CHECK_PROCUREMENT)

ALL_SCOPES: frozenset[str] = frozenset(
    {
        *CHECK_SCOPES,
        RECORDS_READ,
        RECORDS_READ_PII,
        RECORDS_WRITE,
        OBJECTIONS_MANAGE,
        SYNC_READ,
        AUDIT_READ,
        ADMIN,
    }
)


def parse_scopes(text: str) -> frozenset[str]:
    """Space- or comma-separated scope list; unknown scopes are an error, not ignored."""
    scopes = frozenset(part for part in text.replace(",", " ").split() if part)
    unknown = scopes - ALL_SCOPES
    if unknown:
        raise ValueError(
            f"unknown scope(s): {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(ALL_SCOPES))}"
        )
    return scopes
