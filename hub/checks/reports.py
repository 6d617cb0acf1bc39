"""Signed check reports: a canonical JSON document signed as a compact JWS with the hub's
current key. Anyone holding the token and the hub's public keys can verify it; keys rotate
(`hub keys rotate`) and reports signed with an older key still verify."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError

from hub.agencies.models import Agency
from hub.checks.models import Check, StoredCheck
from hub.keys import Keys

REPORT_TYPE = "hub-check-report+json"
# 80 bits: unguessable, and short enough to read aloud or type from paper.
CODE_BYTES = 10


def report_document(check: Check | StoredCheck, agency: Agency | None) -> dict[str, Any]:
    result = check.result
    return {
        "checkId": check.id,
        "checkedAt": check.checked_at.isoformat(),
        "purpose": check.purpose.value,
        "reference": check.reference,
        "asOf": check.as_of.isoformat(),
        # APPRAISAL: the year judged and its effect; absent for other purposes.
        "appraisal": result.get("appraisal"),
        "subject": result.get("subject"),
        # Checks stored before this field had no way to say; they named a subject on file
        # only by its findings, so absent means "not stated".
        "subjectKnown": result.get("subjectKnown"),
        "verdict": check.verdict.value,
        "findings": result.get("findings", []),
        "warnings": result.get("warnings", []),
        "rulesetVersion": check.ruleset_version,
        "coverage": result.get("coverage", {}),
        "requestingAgency": {"uscc": agency.uscc, "name": agency.name} if agency else None,
        "client": check.client_id,
        # The officer who checked from the console; absent for a client's or the CLI's check.
        **({"checkedBy": check.checked_by} if check.checked_by else {}),
    }


def canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sign_report(keys: Keys, document: dict[str, Any]) -> str:
    key = keys.current_signing
    header = {"alg": "ES256", "kid": key.kid, "cty": REPORT_TYPE}
    return jws.serialize_compact(header, canonical(document), key)


@dataclass(frozen=True)
class Verification:
    valid: bool
    reason: str | None
    document: dict[str, Any] | None


def verify_report(keys: Keys, token: str) -> Verification:
    try:
        compact = jws.deserialize_compact(token.strip(), keys.signing, algorithms=["ES256"])
    except JoseError as exc:
        return Verification(False, f"signature invalid: {exc.description or exc.error}", None)
    except ValueError:
        return Verification(False, "not a compact JWS report token", None)
    if compact.headers().get("cty") != REPORT_TYPE:
        return Verification(False, "signed by this hub, but not a check report", None)
    try:
        document = json.loads(compact.payload)
    except ValueError:
        return Verification(False, "the signed content is not a JSON document", None)
    if not isinstance(document, dict) or canonical(document) != compact.payload:
        return Verification(False, "the signed content is not a canonical report", None)
    return Verification(True, None, document)


def verification_code(keys: Keys, document: dict[str, Any]) -> str:
    """The printed report's short code: a keyed hash of its canonical document, so the
    public 验证 page can tell whether a paper report matches the check the hub stored
    (ES256 signatures are randomised, so the token cannot be rebuilt; the code can)."""
    digest = hmac.new(
        keys.pii.hmac_key, b"report-code:" + canonical(document), hashlib.sha256
    ).digest()
    text = base64.b32encode(digest[:CODE_BYTES]).decode()
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def code_matches(keys: Keys, document: dict[str, Any], code: str) -> bool:
    given = "".join(code.upper().split()).replace("-", "")
    expected = verification_code(keys, document).replace("-", "")
    return hmac.compare_digest(given.encode(), expected.encode())
