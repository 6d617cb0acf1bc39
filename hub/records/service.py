"""Storing and reading credit records. Takes a session; the caller owns the transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import clock
from hub.access.enforcement import FOR_CHECKS, require_may_add_records
from hub.access.rules import in_jurisdiction
from hub.agencies.feeds import mark_delivered
from hub.agencies.models import Agency
from hub.audit.purposes import AccessPurpose, require_purpose
from hub.audit.service import note_person_reads
from hub.db.base import utcnow
from hub.db.bulk import insert_returning_ids
from hub.db.paging import Page, page_of
from hub.errors import InvalidInput
from hub.feed.sequencer import write_events
from hub.lifecycle.service import after_source_changes
from hub.records.drafts import (
    Problem,
    RecordDraft,
    Validation,
    ValidRecord,
    content_hash,
    validate_draft,
)
from hub.records.enums import RecordCategory, RecordStatus, SubjectType
from hub.records.models import RECORD_FIELDS, CreditRecord, RecordFields
from hub.subjects.identifiers import IdNumber, Uscc
from hub.subjects.models import Organization, Person
from hub.subjects.pii import PiiCipher
from hub.subjects.service import (
    NewPerson,
    PersonKey,
    chunks,
    organizations_by_uscc,
    person_keys_by_hash,
    register_organizations,
    register_persons,
    rows_by,
)

MAX_BATCH = 5000


@dataclass(frozen=True)
class RowError:
    index: int
    field: str
    reason: str
    # A machine-readable reason where one is needed (SUBJECT_CHANGED); None: invalid data.
    code: str | None = None


SUBJECT_CHANGED = "SUBJECT_CHANGED"


@dataclass
class SubmitResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    # Rows superseded by a later row naming the same sourceRef in the same submission.
    superseded: int = 0
    rejected: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def count(self, outcome: str) -> None:
        """One more row `inserted`, `updated` or `unchanged`."""
        setattr(self, outcome, getattr(self, outcome) + 1)


async def submit_records(
    session: AsyncSession,
    pii: PiiCipher,
    *,
    agency_id: int,
    drafts: Sequence[RecordDraft],
    actor: str | None,
    stream: str = "push",
    today: date | None = None,
    jurisdiction: str | None = None,
    validated: Sequence[Validation | None] | None = None,
) -> SubmitResult:
    """Validate each row on its own, then upsert the valid ones on (agency, stream, sourceRef):
    an identical row changes nothing; a changed row bumps the version and adds an event.
    `validated`, beside the drafts, is `validate_draft`'s outcome for those the caller has
    validated already (the ingest's reader process does it as it reads; None: not yet)."""
    if len(drafts) > MAX_BATCH:
        raise InvalidInput(
            f"at most {MAX_BATCH} records per call, got {len(drafts)}; split the batch",
            field="records",
        )
    result = SubmitResult()
    outcomes = validated or [None] * len(drafts)
    valid = _validate_all(drafts, outcomes, today or clock.today(), result, jurisdiction)
    subject_keys = await _resolve_subjects(session, pii, valid, result)
    accepted = [(i, v) for i, v in valid if i in subject_keys]
    existing = await _existing_records(
        session, agency_id, stream, [v.source_ref for _, v in accepted]
    )
    withdrawn = await _previous_subjects(session, pii, [v for _, v in accepted])
    now = utcnow()
    upsert = _Upsert(agency_id, stream, actor, now)
    for index, record in accepted:
        current = existing.get(record.source_ref)
        ids = subject_keys[index]
        if (
            current is not None
            and _moves(current, ids)
            and not _corrects(current, record, withdrawn)
        ):
            result.rejected.append(_subject_changed(index, record))
            continue
        result.count(upsert.row(current, record, ids))
    await upsert.flush(session)
    await after_source_changes(session, upsert.changed, actor)
    await mark_delivered(session, agency_id, stream, now)
    return result


@dataclass
class _Upsert:
    """New and changed rows of one submission, and their history events. New records and
    every event are written as plain rows (a file's chunk brings a thousand of each; ORM
    entities cost several times as much to build and flush); a changed record is the entity
    loaded to compare it, so its workflows can follow the change (hub.lifecycle)."""

    agency_id: int
    stream: str
    actor: str | None
    now: datetime
    new: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    changed: list[CreditRecord] = field(default_factory=list)

    def row(
        self,
        current: CreditRecord | None,
        record: ValidRecord,
        ids: tuple[str, int | None, int | None],
    ) -> str:
        """Returns what happened: inserted, unchanged or updated."""
        content = record.content(ids[0])
        digest = content_hash(content)
        columns = _source_columns(record, ids[1], ids[2], digest, self.now)
        if current is None:
            key = {"source_agency_id": self.agency_id, "stream": self.stream}
            key.update(source_ref=record.source_ref, version=1, created_at=self.now)
            self.new.append(({**key, **columns}, content))
            return "inserted"
        if current.content_hash == digest:
            return "unchanged"
        kind = _change_kind(current, record, ids)
        for name, value in columns.items():
            setattr(current, name, value)
        current.version += 1
        self.events.append(self._event(current.id, current.version, kind, columns, content))
        self.changed.append(current)
        return "updated"

    def _event(
        self, record_id: int, version: int, kind: str, columns: dict[str, Any], content: Any
    ) -> dict[str, Any]:
        return {
            "record_id": record_id,
            "version": version,
            "kind": kind,
            "status": columns["status"],
            "snapshot": content,
            "actor": self.actor,
            "reason": None,  # a source's change; the hub's own transitions give theirs
            "at": self.now,
        }

    async def flush(self, session: AsyncSession) -> None:
        if self.new:
            # The flush check of hub.access, for rows that do not go through a flush.
            require_may_add_records(session, self.agency_id)
            rows = [row for row, _ in self.new]
            ids = await insert_returning_ids(session, _RECORDS, rows)
            for id_, (row, content) in zip(ids, self.new, strict=True):
                self.events.append(self._event(id_, 1, "CREATED", row, content))
        if self.events:
            await write_events(session, self.events)


_RECORDS = CreditRecord.metadata.tables[CreditRecord.__tablename__]


def _moves(current: CreditRecord, ids: tuple[str, int | None, int | None]) -> bool:
    return (current.person_id, current.organization_id) != (ids[1], ids[2])


def _corrects(
    current: CreditRecord, record: ValidRecord, withdrawn: dict[str, tuple[int | None, int | None]]
) -> bool:
    """A move is a correction when the source withdraws the record (CORRECTED) from the very
    subject it named before (previousSubject)."""
    if record.status is not RecordStatus.CORRECTED or record.previous is None:
        return False
    return withdrawn.get(_subject_text(record.previous)) == (
        current.person_id,
        current.organization_id,
    )


def _change_kind(
    current: CreditRecord, record: ValidRecord, ids: tuple[str, int | None, int | None]
) -> str:
    if _moves(current, ids):
        return "SUBJECT_CORRECTED"
    return "STATUS_CHANGED" if current.status != record.status else "UPDATED"


def _subject_changed(index: int, record: ValidRecord) -> RowError:
    return RowError(
        index,
        "subject",
        f"sourceRef {record.source_ref} already names another subject; a record never changes "
        "subject silently: to withdraw it from that subject, resubmit it with status CORRECTED "
        "and previousSubject naming the subject it named before (then submit the record for the "
        "right subject under a sourceRef of its own)",
        SUBJECT_CHANGED,
    )


def _subject_text(subject: IdNumber | Uscc) -> str:
    return subject.number if isinstance(subject, IdNumber) else subject.code


async def _previous_subjects(
    session: AsyncSession, pii: PiiCipher, records: Sequence[ValidRecord]
) -> dict[str, tuple[int | None, int | None]]:
    """(person id, organization id) of each previousSubject the hub knows, by its number."""
    previous = [r.previous for r in records if r.previous is not None]
    numbers = [p.number for p in previous if isinstance(p, IdNumber)]
    codes = [p.code for p in previous if isinstance(p, Uscc)]
    found: dict[str, tuple[int | None, int | None]] = {}
    if numbers:
        persons = await person_keys_by_hash(session, [pii.lookup_hash(n) for n in numbers])
        for number in numbers:
            person = persons.get(pii.lookup_hash(number))
            if person is not None:
                found[number] = (person.id, None)
    if codes:
        organizations = await organizations_by_uscc(session, codes)
        found.update({code: (None, org.id) for code, org in organizations.items()})
    return found


def _validate_all(
    drafts: Sequence[RecordDraft],
    outcomes: Sequence[Validation | None],
    today: date,
    result: SubmitResult,
    jurisdiction: str | None,
) -> list[tuple[int, ValidRecord]]:
    valid: list[tuple[int, ValidRecord]] = []
    for index, (draft, done) in enumerate(zip(drafts, outcomes, strict=True)):
        outcome = done if done is not None else validate_draft(draft, today=today)
        if isinstance(outcome, list):
            result.rejected.extend(_row_errors(index, outcome))
            continue
        if not in_jurisdiction(jurisdiction, _region(outcome)):
            # Refused alike whether the hub knows the subject or not: the answer must not
            # tell a writer what exists outside its jurisdiction.
            result.rejected.append(
                RowError(index, "subject", f"outside this client's jurisdiction ({jurisdiction})")
            )
            continue
        result.warnings.extend(RowError(index, "subject", w) for w in outcome.warnings)
        valid.append((index, outcome))
    return _last_of_each(valid, result)


def _last_of_each(
    valid: list[tuple[int, ValidRecord]], result: SubmitResult
) -> list[tuple[int, ValidRecord]]:
    """One policy for every path (push, files, APIs): a submission that names a sourceRef
    twice means its last row — the source's latest word, as an export appended to over a day
    is read — and each earlier row is reported as superseded, not applied."""
    last = {record.source_ref: index for index, record in valid}
    kept = []
    for index, record in valid:
        if last[record.source_ref] == index:
            kept.append((index, record))
            continue
        result.superseded += 1
        result.warnings.append(
            RowError(
                index,
                "sourceRef",
                f"superseded by row {last[record.source_ref]} of this submission, which names "
                "the same sourceRef",
            )
        )
    return kept


def _region(record: ValidRecord) -> str:
    subject = record.person_id_number or record.organization
    assert subject is not None
    return subject.region_code


def _row_errors(index: int, problems: list[Problem]) -> list[RowError]:
    return [RowError(index, p.field, p.reason) for p in problems]


async def _resolve_subjects(
    session: AsyncSession,
    pii: PiiCipher,
    valid: list[tuple[int, ValidRecord]],
    result: SubmitResult,
) -> dict[int, tuple[str, int | None, int | None]]:
    """Row index → (subject key, person id, organization id). A subject the hub does not know
    yet is registered, which needs its name; rows without one are rejected."""
    # Each person's keyed hash, computed once (an HMAC per row adds up over a file).
    hashes = {
        i: pii.lookup_hash(v.person_id_number.number)
        for i, v in valid
        if v.person_id_number is not None
    }
    org_rows = [(i, v) for i, v in valid if v.organization is not None]

    known_persons = await person_keys_by_hash(session, hashes.values())
    known_orgs = await organizations_by_uscc(session, (v.organization.code for _, v in org_rows))  # type: ignore[union-attr]

    new_people: list[NewPerson] = []
    new_orgs = []
    keep: list[tuple[int, ValidRecord]] = []
    for index, record in valid:
        if record.person_id_number is not None:
            on_file = known_persons.get(hashes[index])
            known = on_file is not None
            if not known and record.subject_name:
                new_people.append(NewPerson(record.person_id_number, record.subject_name))
            elif on_file and record.subject_name and _other_name(pii, on_file, record.subject_name):
                result.warnings.append(
                    RowError(
                        index, "subject.name", "differs from the name on file for this ID number"
                    )
                )
        else:
            assert record.organization is not None
            known = record.organization.code in known_orgs
            if not known and record.subject_name:
                new_orgs.append((record.organization, record.subject_name))
        if not known and not record.subject_name:
            result.rejected.append(
                RowError(index, "subject.name", "the subject is new to the hub: give its name")
            )
            continue
        keep.append((index, record))

    # Those looked up above and not found: registered without a second lookup.
    persons = await register_persons(session, pii, new_people)
    persons.update(known_persons)
    orgs = await register_organizations(session, new_orgs)
    orgs.update(known_orgs)

    resolved: dict[int, tuple[str, int | None, int | None]] = {}
    for index, record in keep:
        if record.person_id_number is not None:
            person = persons[hashes[index]]
            resolved[index] = (person.uid, person.id, None)
        else:
            assert record.organization is not None
            org = orgs[record.organization.code]
            resolved[index] = (org.uscc, None, org.id)
    return resolved


def _other_name(pii: PiiCipher, person: PersonKey, name: str) -> bool:
    return pii.lookup_hash(name, purpose="name") != person.name_hash


async def _existing_records(
    session: AsyncSession, agency_id: int, stream: str, refs: list[str]
) -> dict[str, CreditRecord]:
    found: dict[str, CreditRecord] = {}
    for part in chunks(sorted(set(refs))):
        rows = await session.scalars(
            select(CreditRecord).where(
                CreditRecord.source_agency_id == agency_id,
                CreditRecord.stream == stream,
                CreditRecord.source_ref.in_(part),
            )
        )
        found.update({r.source_ref: r for r in rows})
    return found


def _source_columns(
    record: ValidRecord,
    person_id: int | None,
    organization_id: int | None,
    digest: str,
    now: datetime,
) -> dict[str, Any]:
    """The columns a source sets, as a new row has them and a changed one gets them."""
    expired = record.status is RecordStatus.EXPIRED
    return {
        "subject_type": record.subject_type,
        "person_id": person_id,
        "organization_id": organization_id,
        "category": record.category,
        "sanction_kind": record.sanction_kind,
        "severity": record.severity,
        "decided_at": record.decided_at,
        # The source says the effect has ended (a listing deleted, a period run out): the
        # status column keeps the source's own word (ACTIVE/CORRECTED/REVOKED), the end is
        # the date it gave, or the day it said so.
        "effective_until": (record.effective_until or clock.china_date(now))
        if expired
        else record.effective_until,
        "legal_basis": record.legal_basis,
        "summary": record.summary,
        "detail": record.detail,
        "status": RecordStatus.ACTIVE if expired else record.status,
        "content_hash": digest,
        "updated_at": now,
    }


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordFilter:
    category: RecordCategory | None = None
    status: RecordStatus | None = None
    subject_type: SubjectType | None = None
    person_hash: str | None = None
    organization_uscc: str | None = None
    source_agency_uscc: str | None = None
    decided_from: date | None = None
    decided_to: date | None = None
    # The day a status is judged on (EXPIRED depends on it); default today in China.
    today: date | None = None


async def list_records(
    session: AsyncSession, flt: RecordFilter, *, first: int, after: str | None
) -> Page[CreditRecord]:
    query = _filtered(select(CreditRecord), flt)
    return await page_of(session, query, CreditRecord.id, kind="record", first=first, after=after)


async def read_records(
    session: AsyncSession,
    flt: RecordFilter,
    purpose: AccessPurpose | None,
    reference: str | None,
    *,
    first: int,
    after: str | None,
) -> Page[CreditRecord]:
    """A page of records, every person whose records it shows noted for the audit trail.
    A lookup by ID number states its purpose before anything is read; a page that turns out
    to hold records of persons needs one before it is given."""
    stated = require_purpose(purpose, reference) if flt.person_hash else None
    page = await list_records(session, flt, first=first, after=after)
    per_person = Counter(r.person_id for r in page.items if r.person_id is not None)
    if per_person:
        stated = stated or require_purpose(purpose, reference)
        persons = await rows_by(session, Person.id, list(per_person))
        reads = [(p.id_hash, f"{per_person[p.id]} records") for p in persons.values()]
        note_person_reads(session, stated, "records", reads)
    elif stated is not None and flt.person_hash is not None:
        note_person_reads(session, stated, "records", [(flt.person_hash, "0 records")])
    return page


def _filtered(query: Select[Any], flt: RecordFilter) -> Select[Any]:
    if flt.category is not None:
        query = query.where(CreditRecord.category == flt.category)
    if flt.status is not None:
        query = query.where(_shown_status_is(flt.status, flt.today or clock.today()))
    if flt.subject_type is not None:
        query = query.where(CreditRecord.subject_type == flt.subject_type)
    if flt.person_hash is not None:
        query = query.join(Person, CreditRecord.person_id == Person.id).where(
            Person.id_hash == flt.person_hash
        )
    if flt.organization_uscc is not None:
        query = query.join(Organization, CreditRecord.organization_id == Organization.id).where(
            Organization.uscc == flt.organization_uscc
        )
    if flt.source_agency_uscc is not None:
        query = query.join(Agency, CreditRecord.source_agency_id == Agency.id).where(
            Agency.uscc == flt.source_agency_uscc
        )
    if flt.decided_from is not None:
        query = query.where(CreditRecord.decided_at >= flt.decided_from)
    if flt.decided_to is not None:
        query = query.where(CreditRecord.decided_at <= flt.decided_to)
    return query


def _shown_status_is(status: RecordStatus, today: date) -> ColumnElement[bool]:
    """hub.lifecycle.status.shown_status as a condition (tests hold the two together)."""
    r = CreditRecord
    if status not in (RecordStatus.ACTIVE, *_HUB_STATES):
        return r.status == status
    objection = r.objection_kind.is_not(None)
    repaired = r.repaired_on.is_not(None)
    expired = or_(r.publicity_ended_on <= today, r.effective_until < today)
    conditions = {
        RecordStatus.UNDER_OBJECTION: objection,
        RecordStatus.REPAIRED: and_(~objection, repaired),
        RecordStatus.EXPIRED: and_(~objection, ~repaired, expired),
        RecordStatus.ACTIVE: and_(~objection, ~repaired, ~func.coalesce(expired, False)),
    }
    return and_(r.status == RecordStatus.ACTIVE, conditions[status])


_HUB_STATES = (RecordStatus.UNDER_OBJECTION, RecordStatus.REPAIRED, RecordStatus.EXPIRED)


# Up to this many persons, a check reads each person and its records in one statement (a
# join); beyond it, persons and records in two (bench.hiring_check, same run: the join took
# 15 % off a single check's CPU but added 11 % to a batch of 1,000, whose rows would repeat
# each person's columns once per record).
JOINED_READ_MAX = 20


# Built once: every single check runs it (building it took 2.6 % of a check's CPU). The
# caller's row rules are added when it runs (hub.access), as to every statement.
_PERSONS_WITH_RECORDS = (
    select(Person, *RECORD_FIELDS)
    .outerjoin(CreditRecord, CreditRecord.person_id == Person.id)
    .where(Person.id_hash.in_(bindparam("hashes", expanding=True)))
    .order_by(Person.id, CreditRecord.decided_at.desc(), CreditRecord.id)
    .execution_options(**{FOR_CHECKS: True})
)


async def persons_with_records(
    session: AsyncSession, hashes: Iterable[str]
) -> tuple[dict[str, Person], dict[int, list[RecordFields]]]:
    """The persons with these ID-number hashes and the records a check judges of each,
    newest first. The caller's row rules apply to both tables as to every statement."""
    wanted = sorted(set(hashes))
    if len(wanted) > JOINED_READ_MAX:
        persons = await rows_by(session, Person.id_hash, wanted)
        records = await records_of_subjects(
            session, SubjectType.PERSON, [p.id for p in persons.values()], for_checks=True
        )
        return persons, records
    found: dict[str, Person] = {}
    judged: dict[int, list[RecordFields]] = {}
    rows = await session.execute(_PERSONS_WITH_RECORDS, {"hashes": wanted})
    for row in rows:
        person = row[0]
        found[person.id_hash] = person
        of_person = judged.setdefault(person.id, [])
        if row.id is not None:  # the outer join's empty side: a person without records
            of_person.append(row)
    return found, judged


def records_of_agencies(*columns: Any) -> Select[Any]:
    """`columns` of the records whose subject is a body on the hub's agency list (matched by
    USCC): what the evaluation scores and the warnings watch."""
    return (
        select(*columns)
        .join(Organization, Organization.id == CreditRecord.organization_id)
        .join(Agency, Agency.uscc == Organization.uscc)
    )


async def records_of_subjects(
    session: AsyncSession,
    subject_type: SubjectType,
    subject_ids: Sequence[int],
    *,
    for_checks: bool = False,
) -> dict[int, list[RecordFields]]:
    """Records per person (or organization) id, newest first, in one query per chunk, as
    plain rows (RecordFields). `for_checks`: the records a check judges, repaired ones
    included (see hub.access.rules)."""
    column = (
        CreditRecord.person_id
        if subject_type is SubjectType.PERSON
        else CreditRecord.organization_id
    )
    grouped: dict[int, list[RecordFields]] = {sid: [] for sid in subject_ids}
    for part in chunks(sorted(set(subject_ids))):
        rows = await session.execute(
            select(*RECORD_FIELDS)
            .where(column.in_(part))
            .order_by(CreditRecord.decided_at.desc(), CreditRecord.id)
            .execution_options(**{FOR_CHECKS: for_checks})
        )
        for row in rows:
            owner = row.person_id if subject_type is SubjectType.PERSON else row.organization_id
            grouped[owner].append(row)
    return grouped
