"""run_checks refuses what it cannot judge, rather than answering CLEAR."""

from __future__ import annotations

import tomllib
from datetime import date

from support import audited, make_id_number

from hub.auth.actor import Actor
from hub.auth.scopes import ALL_SCOPES
from hub.checks.purposes import Purpose
from hub.checks.ruleset import CURRENT, parse_ruleset
from hub.checks.service import CheckRequest, run_checks
from hub.errors import Unsupported
from hub.subjects.identifiers import parse_id_number

SHIPPED = tomllib.loads(CURRENT.read_text(encoding="utf-8"))
HIRING_ONLY = parse_ruleset(
    {
        "version": "test-1",
        **{key: SHIPPED[key] for key in ("publicity", "listing", "ranking")},
        "rule": [
            {
                "id": "HIRE-CRIMINAL",
                "description": "曾受刑事处罚",
                "purposes": ["HIRING"],
                "categories": ["CRIMINAL_PUNISHMENT"],
                "window": "permanent",
                "outcome": "RESTRICTED",
                "basis": "statute",
                "legal_basis": "《公务员法》第二十六条",
            }
        ],
    }
)


async def test_a_purpose_the_rule_set_has_no_rules_for_is_refused(db, pii):
    operator = Actor(client_id=None, agency_id=None, scopes=ALL_SCOPES)
    subject = parse_id_number(make_id_number())
    requests = [
        CheckRequest(Purpose.APPRAISAL, subject, "2026年度考核", date(2026, 11, 1)),
        CheckRequest(Purpose.HIRING, subject, "招录", date(2026, 11, 1)),
    ]
    async with db.sessions.begin() as session:
        refused, answered = await run_checks(audited(session), pii, HIRING_ONLY, operator, requests)
    assert isinstance(refused, Unsupported) and refused.field == "input.purpose"
    assert answered.evaluation.verdict.value == "CLEAR"
