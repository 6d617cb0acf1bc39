"""Evidence files: checked before anything is stored, kept encrypted, and given back only to
the agency that filed them and the record's source agency (or an admin)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.enforcement import FOR_CHECKS
from hub.audit.chain import AccessEntry
from hub.audit.service import note
from hub.auth.actor import Actor
from hub.auth.scopes import ADMIN
from hub.db.base import utcnow
from hub.errors import InvalidInput, NotFound
from hub.evidence.models import Evidence
from hub.objections.models import Objection
from hub.records.models import CreditRecord
from hub.repairs.models import RepairApplication
from hub.subjects.models import Organization, Person
from hub.subjects.pii import PiiCipher

MAX_FILES = 3
MAX_BYTES = 1_000_000  # per file; a whole request stays within the body limit (2 MB)
MAX_FILENAME = 200
# What a scan or a photo of a document is; the first bytes must say so, whatever the name.
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


@dataclass(frozen=True)
class EvidenceFile:
    filename: str
    content_type: str
    data: bytes


def check_files(files: Sequence[EvidenceFile], field: str = "evidence") -> None:
    """Refuses the whole set, naming the file and why, before anything is stored."""
    if len(files) > MAX_FILES:
        raise InvalidInput(f"at most {MAX_FILES} files, got {len(files)}", field=field)
    for index, item in enumerate(files):
        where = f"{field}.{index}"
        name = item.filename.strip()
        if not name or len(name) > MAX_FILENAME or any(c in name for c in "/\\\x00"):
            raise InvalidInput(
                f"a plain file name of at most {MAX_FILENAME} characters", field=where
            )
        if item.content_type not in SIGNATURES:
            kinds = ", ".join(SIGNATURES)
            raise InvalidInput(f"{item.content_type!r} is not accepted: {kinds}", field=where)
        if not item.data or len(item.data) > MAX_BYTES:
            raise InvalidInput(
                f"{len(item.data)} bytes: a file holds 1 to {MAX_BYTES} bytes", field=where
            )
        if not item.data.startswith(SIGNATURES[item.content_type]):
            raise InvalidInput(
                f"the content is not a {item.content_type} file (its first bytes say otherwise)",
                field=where,
            )


def store(
    session: AsyncSession,
    pii: PiiCipher,
    agency_id: int,
    files: Sequence[EvidenceFile],
    *,
    objection_id: int | None = None,
    repair_id: int | None = None,
) -> None:
    session.add_all(
        Evidence(
            objection_id=objection_id,
            repair_id=repair_id,
            agency_id=agency_id,
            filename=item.filename.strip(),
            content_type=item.content_type,
            size=len(item.data),
            sha256=hashlib.sha256(item.data).hexdigest(),
            content=pii.encrypt_bytes(item.data),
        )
        for item in files
    )


async def evidence_for(
    session: AsyncSession, pii: PiiCipher, actor: Actor, evidence_id: int
) -> tuple[Evidence, bytes]:
    """The file and its content, for the filing agency and the record's source agency only;
    anyone else is told it does not exist."""
    evidence = await session.get(Evidence, evidence_id)
    parties = await _parties(session, evidence) if evidence else set()
    if evidence is None or not (actor.has(ADMIN) or actor.agency_id in parties):
        raise NotFound(f"no evidence {evidence_id} for this client", field="id")
    note(session, [await _opened(session, evidence)])
    return evidence, pii.decrypt_bytes(evidence.content)


async def _opened(session: AsyncSession, evidence: Evidence) -> AccessEntry:
    """The audit entry of a download, about the record's subject (a file may show a person)."""
    record_id = select(Objection.record_id).where(Objection.id == evidence.objection_id)
    if evidence.objection_id is None:
        record_id = select(RepairApplication.record_id).where(
            RepairApplication.id == evidence.repair_id
        )
    row = (
        await session.execute(
            select(CreditRecord.subject_type, Person.id_hash, Organization.uscc)
            .outerjoin(Person, CreditRecord.person_id == Person.id)
            .outerjoin(Organization, CreditRecord.organization_id == Organization.id)
            .where(CreditRecord.id == record_id.scalar_subquery())
            .execution_options(**{FOR_CHECKS: True})
        )
    ).first()
    subject_type, key = (
        ("EVIDENCE", str(evidence.id)) if row is None else (row[0].value, row[1] or row[2])
    )
    return AccessEntry(
        operation="evidence",
        subject_type=subject_type,
        subject_key=key,
        purpose=None,
        reference=None,
        result=f"evidence {evidence.id} ({evidence.size} bytes)",
        at=utcnow(),
    )


async def _parties(session: AsyncSession, evidence: Evidence) -> set[int | None]:
    if evidence.objection_id is not None:
        row = (
            await session.execute(
                select(Objection.filed_by_agency_id, Objection.source_agency_id).where(
                    Objection.id == evidence.objection_id
                )
            )
        ).one()
    else:
        row = (
            await session.execute(
                select(
                    RepairApplication.applicant_agency_id, RepairApplication.source_agency_id
                ).where(RepairApplication.id == evidence.repair_id)
            )
        ).one()
    return set(row)


async def files_of(
    session: AsyncSession,
    *,
    objection_ids: Sequence[int] = (),
    repair_ids: Sequence[int] = (),
) -> list[Evidence]:
    """The files (content not decrypted) of these objections or repair applications."""
    column = Evidence.objection_id if objection_ids else Evidence.repair_id
    wanted = list(objection_ids or repair_ids)
    if not wanted:
        return []
    return list(
        await session.scalars(select(Evidence).where(column.in_(wanted)).order_by(Evidence.id))
    )
