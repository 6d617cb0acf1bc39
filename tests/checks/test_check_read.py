"""The read a check makes: a few persons and their records in one joined statement, many in
two (hub.records.service.persons_with_records). Both forms answer the same, under the same
row rules, on both databases."""

from __future__ import annotations

from datetime import date

from support import make_agency, make_id_number

from hub.access.enforcement import bind
from hub.auth.actor import Actor
from hub.records.drafts import RecordDraft, SubjectDraft
from hub.records.enums import RecordCategory, RecordStatus, SanctionKind, Severity
from hub.records.service import JOINED_READ_MAX, persons_with_records, submit_records

PERSONS = JOINED_READ_MAX + 5


def _draft(n: int, k: int, status: RecordStatus) -> RecordDraft:
    return RecordDraft(
        source_ref=f"江监政处〔2025〕{n * 10 + k}号",
        decided_at=date(2025, 1 + k, 10),
        status=status,
        category=RecordCategory.GOVERNMENT_SANCTION,
        sanction_kind=SanctionKind.WARNING,
        severity=Severity.MINOR,
        subject=SubjectDraft(id_number=make_id_number(seq=100 + n), name="测试人"),
        summary="违反工作纪律",
    )


async def test_the_joined_and_the_two_statement_read_agree(db, pii) -> None:
    async with db.sessions.begin() as session:
        source = await make_agency(session, seed=31)
        other = await make_agency(session, name="江州市另一局", seed=32)
        # Person n has n % 3 records; every fifth record revoked (others do not see it).
        drafts = [
            _draft(n, k, RecordStatus.REVOKED if (n + k) % 5 == 0 else RecordStatus.ACTIVE)
            for n in range(PERSONS)
            for k in range(n % 3)
        ] + [_draft(n, 0, RecordStatus.ACTIVE) for n in range(PERSONS) if n % 3 == 0]
        result = await submit_records(
            session, pii, agency_id=source.id, drafts=drafts, actor="t", today=date(2026, 1, 5)
        )
        assert not result.rejected
    hashes = [pii.lookup_hash(make_id_number(seq=100 + n)) for n in range(PERSONS)]
    for agency in (source.id, other.id):
        async with db.sessions() as session:
            bind(session, Actor(client_id="t", agency_id=agency, scopes=frozenset()))
            many, many_records = await persons_with_records(session, hashes)  # two statements
            few: dict[str, object] = {}
            few_records: dict[int, list[object]] = {}
            for part in (hashes[:JOINED_READ_MAX], hashes[JOINED_READ_MAX:]):  # joined
                persons, records = await persons_with_records(session, part)
                few |= persons
                few_records |= records
            assert set(many) == set(few) == set(hashes)
            ids = {p: [r.id for r in rs] for p, rs in many_records.items()}
            assert ids == {p: [r.id for r in rs] for p, rs in few_records.items()}
            revoked = sum(
                1 for rs in many_records.values() for r in rs if r.status.value == "REVOKED"
            )
            assert (revoked > 0) == (agency == source.id)  # only the source sees its revocations
