"""Seeding and asking, as the API's users do: records submitted through submitRecords by a
source agency's client, checks asked through `check`/`checks` by a checker's client. One
document per operation, with every field the tests read."""

from __future__ import annotations

from typing import Any

import httpx
from support import get_token, gql, make_client, make_id_number, make_uscc

from hub.agencies.models import AgencyFamily

SUBMIT = """mutation($r: [RecordInput!]!) { submitRecords(records: $r) {
  accepted inserted updated unchanged rejected { index field reason } warnings { index field reason } } }"""
CHECK = """query($i: CheckInput!) { check(input: $i) {
  id purpose reference asOf verdict rulesetVersion checkedAt warnings reportToken subjectKnown
  subject { ... on Person { name } ... on Organization { uscc name } }
  findings { rule { id legalBasis basis } outcome restrictsUntil disputed pendingReview objectionOverdue effect effectYears
             record { sourceRef sanctionKind } }
  appraisal { year effect effectLabel disputed }
  profile { since asOf listedAsDefaulter counts { category count } openItems { record { sourceRef } openUntil } } } }"""
CHECKS = """query($i: [CheckInput!]!) { checks(inputs: $i) {
  id purpose verdict findings { rule { id } outcome restrictsUntil } coverage { family lastSyncAt } } }"""


def person(seq: int, name: str = "测试人") -> dict[str, str]:
    return {"idNumber": make_id_number(seq=seq), "name": name}


def body(seed: int, name: str = "江州市某局") -> dict[str, str]:
    return {"uscc": make_uscc(seed=seed), "name": name}


def record(
    ref: str,
    subject: dict[str, str],
    *,
    category: str = "GOVERNMENT_SANCTION",
    kind: str | None = "WARNING",
    severity: str = "MINOR",
    decided: str = "2025-06-01",
    summary: str = "违反工作纪律",
    **extra: Any,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "sourceRef": ref,
        "category": category,
        "severity": severity,
        "subject": subject,
        "decidedAt": decided,
        "summary": summary,
        **extra,
    }
    if kind is not None:
        row["sanctionKind"] = kind
    return row


async def token_for(http: httpx.AsyncClient, db: Any, scopes: str, **client: Any) -> str:
    return await get_token(http, await make_client(db, scopes, **client))


async def submit(
    http: httpx.AsyncClient,
    db: Any,
    rows: list[dict[str, Any]],
    *,
    agency_seed: int = 5,
    family: AgencyFamily = AgencyFamily.DISCIPLINE,
) -> dict[str, Any]:
    """The rows submitted by a source agency's client; every row must be accepted."""
    writer = await token_for(http, db, "records:write", agency_seed=agency_seed, family=family)
    answer = (await gql(http, writer, SUBMIT, {"r": rows})).json()
    result = answer["data"]["submitRecords"]
    assert result["rejected"] == [], result["rejected"]
    return dict(result)


async def check(
    http: httpx.AsyncClient,
    token: str,
    purpose: str,
    subject: dict[str, str],
    *,
    reference: str = "江州市2026年度核查",
    **extra: Any,
) -> dict[str, Any]:
    """The whole response of one check (data and errors)."""
    variables = {"i": {"purpose": purpose, "subject": subject, "reference": reference, **extra}}
    return dict((await gql(http, token, CHECK, variables)).json())
