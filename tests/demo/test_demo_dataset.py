"""The demo data set: valid, deterministic, idempotent to load, and its showcase people
get the verdicts the README promises."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from support import audited

from hub.auth.actor import Actor
from hub.auth.scopes import ALL_SCOPES
from hub.checks.purposes import Purpose, Verdict
from hub.checks.ruleset import current_ruleset
from hub.checks.service import CheckRequest, run_check
from hub.demo.dataset import build_dataset
from hub.demo.loader import load_demo
from hub.records.enums import RecordCategory
from hub.records.models import CreditRecord
from hub.subjects.identifiers import parse_id_number
from hub.subjects.models import Person

TODAY = date(2026, 11, 22)
OPERATOR = Actor(client_id=None, agency_id=None, scopes=ALL_SCOPES)


def test_the_data_set_is_deterministic_and_covers_every_category():
    first, second = build_dataset(), build_dataset()
    assert first == second
    assert len(first.agencies) == 40
    assert len(first.persons) == 5000
    assert {draft.category for _, draft in first.records} == set(RecordCategory)
    assert all(a.uscc.startswith("11") for a in first.agencies)


async def test_loading_twice_adds_nothing_the_second_time(db, pii):
    dataset = build_dataset()
    async with db.sessions.begin() as session:
        first = await load_demo(session, pii, dataset, today=TODAY)
    async with db.sessions.begin() as session:
        second = await load_demo(session, pii, dataset, today=TODAY)
    assert first.records_inserted == len(dataset.records)
    assert (second.agencies_created, second.persons_created, second.records_inserted) == (0, 0, 0)
    assert second.records_unchanged == len(dataset.records)
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CreditRecord)) == len(
            dataset.records
        )
        assert await session.scalar(select(func.count()).select_from(Person)) == len(
            dataset.persons
        ) + len(dataset.applicants)


# (showcase position, purpose, verdict): one load per database, every promise checked.
PROMISES = [
    (0, Purpose.HIRING, Verdict.CLEAR),
    (1, Purpose.HIRING, Verdict.RESTRICTED),
    (2, Purpose.HIRING, Verdict.CLEAR),
    (2, Purpose.AWARD, Verdict.RESTRICTED),
]


async def test_showcase_people_get_the_verdicts_the_readme_promises(db, pii):
    dataset = build_dataset()
    async with db.sessions.begin() as session:
        await load_demo(session, pii, dataset, today=TODAY)
    answers = []
    for position, purpose, _ in PROMISES:
        person = dataset.showcase[position]
        request = CheckRequest(
            purpose, parse_id_number(person.id_number), "README", TODAY, person.name
        )
        async with db.sessions.begin() as session:
            outcome = await run_check(audited(session), pii, current_ruleset(), OPERATOR, request)
        assert outcome.warnings == ()
        answers.append((position, purpose, outcome.evaluation.verdict))
    assert answers == PROMISES
