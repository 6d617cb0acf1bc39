"""The audit trail: every read of personal data and every check, append-only and
hash-chained, so that a changed, deleted or inserted row is found (`hub audit verify`)."""
