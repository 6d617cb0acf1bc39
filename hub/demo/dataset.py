"""The demo data set: the fictional city 江州市 (行政区划 3612xx), its agencies, 5,000 civil
servants and about 2,000 credit records. Pure: no database, no I/O.

Every random choice is drawn from one `random.Random(seed)` in a fixed order, so a seed always
gives the same data set. Three showcase persons are planted by hand, never drawn at random, so
that the README can print checks whose answers are known in advance."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from hub.demo.city import (
    ORGANIZATION_DEPT,
    SUPERVISION,
    DemoAgency,
    DemoPerson,
    id_number,
    make_agencies,
    make_civil_servants,
    make_person,
)
from hub.demo.records import FIRST_DECISION, LAST_DECISION, make_records
from hub.records.drafts import RecordDraft, SubjectDraft
from hub.records.enums import RecordCategory, RecordStatus, SanctionKind, Severity

__all__ = [
    "FIRST_DECISION",
    "LAST_DECISION",
    "DemoAgency",
    "DemoDataset",
    "DemoPerson",
    "Showcase",
    "build_dataset",
]

PERSON_COUNT = 5000
APPLICANT_COUNT = 70
_APPLICANTS_BORN_FROM = date(1992, 1, 1)
_GOV = "《中华人民共和国公职人员政务处分法》"


@dataclass(frozen=True)
class Showcase:
    id_number: str
    name: str
    # What a check on this person should say, for the README and the demo CLI.
    expect_zh: str
    expect_en: str


@dataclass(frozen=True)
class DemoDataset:
    seed: int
    agencies: tuple[DemoAgency, ...]
    # Civil servants, each with an employer; the showcase persons come first.
    persons: tuple[DemoPerson, ...]
    # Exam candidates with a 录用违规违纪 record; not employed by any agency.
    applicants: tuple[DemoPerson, ...]
    # (USCC of the source agency that submits it, the record)
    records: tuple[tuple[str, RecordDraft], ...]
    showcase: tuple[Showcase, ...]
    # The agency whose OAuth client the demo CLI creates (中共江州市委组织部).
    demo_agency_uscc: str


def build_dataset(seed: int = 20261122) -> DemoDataset:
    rng = random.Random(seed)
    agencies = make_agencies(rng)
    by_name = {a.name: a for a in agencies}
    planted, planted_records, showcase = _showcase(by_name)
    # The showcase ID numbers are taken up front, so no random person can collide with them,
    # and random records draw only from the random persons.
    taken = {p.id_number for p in planted}
    persons = make_civil_servants(rng, agencies, PERSON_COUNT - len(planted), taken)
    applicants = tuple(
        make_person(rng, None, taken, born_from=_APPLICANTS_BORN_FROM)
        for _ in range(APPLICANT_COUNT)
    )
    reserved = {(source, draft.source_ref) for source, draft in planted_records}
    records = make_records(rng, agencies, persons, applicants, reserved=reserved)
    return DemoDataset(
        seed=seed,
        agencies=agencies,
        persons=planted + persons,
        applicants=applicants,
        records=planted_records + records,
        showcase=showcase,
        demo_agency_uscc=by_name[ORGANIZATION_DEPT].uscc,
    )


@dataclass(frozen=True)
class _Planted:
    region: str
    birth: date
    sequence: int
    name: str
    employer: str
    expect_zh: str
    expect_en: str
    # (文号, kind, decided, summary, 政务处分法 article) of a 政务处分 by the 监委, if any
    sanction: tuple[str, SanctionKind, date, str, str] | None = None


_PLANTED = (
    _Planted(
        "361202",
        date(1988, 5, 12),
        123,
        "李明远",
        "江州市教育局",
        "无任何记录：录用核查结论为 CLEAR（无限制）。",
        "No records at all: a HIRING check is CLEAR.",
    ),
    _Planted(
        "361203",
        date(1979, 3, 8),
        215,
        "张建国",
        "江州市住房和城乡建设局",
        "2024-09-18 受开除处分：录用核查为 RESTRICTED，永久不得录用"
        "（政务处分法第二十四条、公务员法第二十六条）。",
        "Expelled from public office on 2024-09-18: HIRING is RESTRICTED, for good.",
        (
            "江监政处〔2024〕163号",
            SanctionKind.EXPULSION,
            date(2024, 9, 18),
            "时任江州市住房和城乡建设局副局长期间，利用职务便利在工程项目审批中为他人谋取利益"
            "并非法收受巨额财物。",
            "第三十三条",
        ),
    ),
    _Planted(
        "361221",
        date(1990, 11, 26),
        46,
        "陈雅婷",
        "江州市柳溪县人民政府",
        "2026-06-15 受降级处分：录用核查为 CLEAR；评优评先核查为 RESTRICTED，至 2028-06-15 止。",
        "Demoted on 2026-06-15: HIRING is CLEAR, but AWARD is RESTRICTED until 2028-06-15.",
        (
            "江监政处〔2026〕97号",
            SanctionKind.DEMOTION,
            date(2026, 6, 15),
            "时任江州市柳溪县人民政府办公室主任期间，违规发放津贴补贴。",
            "第三十五条",
        ),
    ),
)


def _showcase(
    by_name: dict[str, DemoAgency],
) -> tuple[tuple[DemoPerson, ...], tuple[tuple[str, RecordDraft], ...], tuple[Showcase, ...]]:
    persons, records, showcase = [], [], []
    for planted in _PLANTED:
        number = id_number(planted.region, planted.birth, planted.sequence)
        person = DemoPerson(number, planted.name, by_name[planted.employer].uscc)
        persons.append(person)
        showcase.append(Showcase(number, planted.name, planted.expect_zh, planted.expect_en))
        if planted.sanction is not None:
            records.append((by_name[SUPERVISION].uscc, _sanction(person, *planted.sanction)))
    return tuple(persons), tuple(records), tuple(showcase)


def _sanction(
    person: DemoPerson, ref: str, kind: SanctionKind, decided: date, summary: str, article: str
) -> RecordDraft:
    return RecordDraft(
        source_ref=ref,
        category=RecordCategory.GOVERNMENT_SANCTION,
        severity=Severity.SERIOUS,
        subject=SubjectDraft(id_number=person.id_number, name=person.name),
        decided_at=decided,
        summary=summary,
        sanction_kind=kind,
        legal_basis=_GOV + article,
        status=RecordStatus.ACTIVE,
    )
