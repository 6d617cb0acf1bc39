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
OBJECTIONS_FILE = "objections:file"  # file an objection for a subject
OBJECTIONS_MANAGE = "objections:manage"  # answer objections to the agency's own records
REPAIR_APPLY = "repair:apply"  # apply for a 信用修复 for a subject
REPAIR_DECIDE = "repair:decide"  # decide applications about the agency's own records
PUBLIC_READ = "public:read"  # what a 信用网站 may publish
SYNC_READ = "sync:read"
AUDIT_READ = "audit:read"
EVALUATION_READ = "evaluation:read"  # evaluations, warnings, commitments and clues of all
EVALUATION_MANAGE = "evaluation:manage"  # enter manual values, publish rounds, handle warnings
COMMITMENTS_MANAGE = "commitments:manage"  # keep the agency's own 承诺台账
CLUES_MANAGE = "clues:manage"  # take in 失信线索, decide those routed to the agency
FEDERATION_SDL = "federation:sdl"  # a federation gateway reading `_service { sdl }`
ADMIN = "admin"

CHECK_SCOPES = (CHECK_HIRING, CHECK_TRANSFER, CHECK_AWARD, CHECK_APPRAISAL, CHECK_PROCUREMENT)

ALL_SCOPES: frozenset[str] = frozenset(
    {
        *CHECK_SCOPES,
        RECORDS_READ,
        RECORDS_READ_PII,
        RECORDS_WRITE,
        OBJECTIONS_FILE,
        OBJECTIONS_MANAGE,
        REPAIR_APPLY,
        REPAIR_DECIDE,
        PUBLIC_READ,
        SYNC_READ,
        AUDIT_READ,
        EVALUATION_READ,
        EVALUATION_MANAGE,
        COMMITMENTS_MANAGE,
        CLUES_MANAGE,
        FEDERATION_SDL,
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
