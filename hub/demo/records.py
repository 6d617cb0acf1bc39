"""The credit records of the demo: who decided what about whom, with 文号 and status. Pure.

Records are generated in category order, then numbered: each (agency, series, year) gets
rising 文号/案号 in date order, the way a 发文登记簿 runs."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hub.agencies.models import AgencyFamily, AgencyLevel
from hub.demo import texts
from hub.demo.city import (
    CIVIL_SERVICE,
    COUNTIES,
    DISCIPLINE,
    FINANCE_BUREAU,
    ORGANIZATION_DEPT,
    SUPERVISION,
    DemoAgency,
    DemoPerson,
)
from hub.records.drafts import RecordDraft, SubjectDraft
from hub.records.enums import RecordCategory, RecordStatus, SanctionKind, Severity

FIRST_DECISION = date(2019, 1, 1)
LAST_DECISION = date(2026, 10, 31)
Cat, Kind, Sev = RecordCategory, SanctionKind, Severity
_F = AgencyFamily


def make_records(
    rng: random.Random,
    agencies: Sequence[DemoAgency],
    persons: Sequence[DemoPerson],
    applicants: Sequence[DemoPerson],
    *,
    reserved: set[tuple[str, str]],
) -> tuple[tuple[str, RecordDraft], ...]:
    """(source agency USCC, record) pairs about `persons` (civil servants), `applicants` (one
    exam-misconduct record each) and the agencies themselves. `reserved` holds (source USCC,
    文号) pairs already used elsewhere; they are skipped and the new ones added."""
    return _RecordMaker(rng, {a.name: a for a in agencies}, persons, applicants).make(reserved)


# About 3 % revoked and 2 % corrected; the rest stand.
_STATUSES = (RecordStatus.ACTIVE, RecordStatus.REVOKED, RecordStatus.CORRECTED)
_STATUS_WEIGHTS = (95, 3, 2)


@dataclass
class _Pending:
    """A record before its 文号: numbers are handed out afterwards in date order."""

    source: str
    ref: str  # a format with {year} and {n}
    decided_at: date
    fields: dict[str, Any]
    first_hi: int


def _pick(
    rng: random.Random, table: Sequence[tuple[SanctionKind, Severity, int]]
) -> tuple[SanctionKind, Severity]:
    kind, severity, _ = rng.choices(table, weights=[w for *_, w in table])[0]
    return kind, severity


class _RecordMaker:
    def __init__(
        self,
        rng: random.Random,
        by_name: dict[str, DemoAgency],
        persons: Sequence[DemoPerson],
        applicants: Sequence[DemoPerson],
    ) -> None:
        self.rng = rng
        self.by_name = by_name
        self.by_uscc = {a.uscc: a for a in by_name.values()}
        self.persons = persons
        self.applicants = applicants
        self.pending: list[_Pending] = []
        self.expelled: set[str] = set()
        # Records about organizations fall mostly on county governments, which run the projects.
        self.orgs = [a for a in by_name.values() if a.family is _F.OTHER]
        self.org_weights = [6 if a.level is AgencyLevel.COUNTY else 1 for a in self.orgs]
        self.courts = [a for a in by_name.values() if a.family is _F.COURT]

    def make(self, reserved: set[tuple[str, str]]) -> tuple[tuple[str, RecordDraft], ...]:
        self._serious_cases(45)
        self._government_sanctions(440)
        self._party_discipline(380)
        self._accountability(250)
        self._investigations(40)
        self._criminal(50)
        self._defaulters(110, 30)
        self._court_judgments(70)
        self._penalties(60)
        self._exam_misconduct()
        self._appraisals(120)
        self._dismissals(40)
        self._org_breaches()
        self._arrears(60)
        self._ppp_defaults(25)
        return self._numbered(reserved)

    # -- helpers --

    def _add(self, source: str, ref: str, decided: date, first_hi: int = 20, **fields: Any) -> None:
        uscc = self.by_name[source].uscc
        self.pending.append(_Pending(uscc, ref, decided, fields, first_hi))

    def _date(self, lo: date = FIRST_DECISION, hi: date = LAST_DECISION) -> date:
        # Decisions are signed on working days.
        while True:
            day = lo + timedelta(days=self.rng.randrange((hi - lo).days + 1))
            if day.weekday() < 5:
                return day

    def _someone(self) -> DemoPerson:
        # Nobody is sanctioned again after being expelled from public office.
        while (person := self.rng.choice(self.persons)).id_number in self.expelled:
            pass
        return person

    def _employee(self, person: DemoPerson, text: str) -> str:
        employer = self.by_uscc[person.employer_uscc or ""]
        post = self.rng.choice(texts.posts_at(employer.name, employer.family, employer.level))
        return f"时任{employer.name}{post}期间，{text}。"

    def _org(self, exclude: str = "") -> SubjectDraft:
        while True:
            org = self.rng.choices(self.orgs, weights=self.org_weights)[0]
            if org.name != exclude:
                return SubjectDraft(uscc=org.uscc, name=org.name)

    def _court(self, *, basic_only: bool = False) -> tuple[str, str]:
        """A court and its 案号 code: 赣12 for the 中院, 赣1202 for the 江城区 court."""
        courts = [c for c in self.courts if c.level is AgencyLevel.COUNTY or not basic_only]
        weights = [2 if c.level is AgencyLevel.CITY else 3 for c in courts]
        court = self.rng.choices(courts, weights=weights)[0]
        suffix = "" if court.level is AgencyLevel.CITY else court.region_code[4:]
        return court.name, "赣" + court.region_code[2:4] + suffix

    # -- 纪委监委 --

    def _serious_cases(self, count: int) -> None:
        """双开: 开除 and (for party members) 开除党籍 on one day, often a criminal sentence."""
        for _ in range(count):
            person, decided = self._someone(), self._date()
            act, article, crime, penal = self.rng.choice(texts.GRAVE)
            summary = self._employee(person, act)
            self._government(person, decided, Kind.EXPULSION, Sev.SERIOUS, summary, article)
            if self.rng.random() < 0.8:
                self._party(person, decided, Kind.PARTY_EXPULSION, Sev.SERIOUS, summary)
            sentenced = decided + timedelta(days=self.rng.randrange(90, 450))
            if self.rng.random() < 0.6 and sentenced <= LAST_DECISION:
                self._sentence(person, sentenced, crime, penal, grave=True)

    def _government(
        self,
        person: DemoPerson,
        day: date,
        kind: SanctionKind,
        sev: Severity,
        summary: str,
        article: str,
    ) -> None:
        if kind is Kind.EXPULSION:
            self.expelled.add(person.id_number)
        self._add(
            SUPERVISION,
            "江监政处〔{year}〕{n}号",
            day,
            first_hi=10,
            category=Cat.GOVERNMENT_SANCTION,
            sanction_kind=kind,
            severity=sev,
            subject=_person_subject(person),
            summary=summary,
            legal_basis=texts.government_basis(day, article),
        )

    def _party(
        self, person: DemoPerson, day: date, kind: SanctionKind, sev: Severity, summary: str
    ) -> None:
        self._add(
            DISCIPLINE,
            "江纪党处〔{year}〕{n}号",
            day,
            first_hi=10,
            category=Cat.PARTY_DISCIPLINE,
            sanction_kind=kind,
            severity=sev,
            subject=_person_subject(person),
            summary=summary,
            legal_basis=texts.party_basis(day),
        )

    def _government_sanctions(self, count: int) -> None:
        for _ in range(count):
            kind, severity = _pick(self.rng, texts.GOV_KINDS)
            person = self._someone()
            if kind is Kind.EXPULSION:
                act, article, *_ = self.rng.choice(texts.GRAVE)
            else:
                act, article = self.rng.choice(texts.MISCONDUCT)
            self._government(
                person, self._date(), kind, severity, self._employee(person, act), article
            )

    def _party_discipline(self, count: int) -> None:
        for _ in range(count):
            kind, severity = _pick(self.rng, texts.PARTY_KINDS)
            person = self._someone()
            act = self.rng.choice(texts.PARTY_MISCONDUCT)
            self._party(person, self._date(), kind, severity, self._employee(person, act))

    def _accountability(self, count: int) -> None:
        for _ in range(count):
            kind, severity = _pick(self.rng, texts.ACCOUNTABILITY_KINDS)
            person, day = self._someone(), self._date()
            # The 纪委 decides 问责; the 组织部 most 组织处理, under its own 文号 series.
            by_discipline = self.rng.random() < 0.3
            source = DISCIPLINE if by_discipline else ORGANIZATION_DEPT
            ref = texts.accountability_ref(kind, by_discipline=by_discipline)
            text = self._employee(person, self.rng.choice(texts.ACCOUNTABILITY_REASONS))
            self._add(
                source,
                ref,
                day,
                category=Cat.ACCOUNTABILITY,
                sanction_kind=kind,
                severity=severity,
                subject=_person_subject(person),
                summary=text,
                legal_basis=texts.accountability_basis(day, by_discipline=by_discipline),
            )

    def _investigations(self, count: int) -> None:
        for _ in range(count):
            person = self._someone()
            text = self._employee(person, "涉嫌严重违纪违法，正接受纪律审查和监察调查")
            self._add(
                SUPERVISION,
                "江监立〔{year}〕{n}号",
                self._date(date(2025, 6, 1)),
                category=Cat.INVESTIGATION_OPEN,
                severity=Sev.GENERAL,
                subject=_person_subject(person),
                summary=text,
                legal_basis="《中华人民共和国监察法》",
            )

    # -- courts --

    def _sentence(
        self, person: DemoPerson, day: date, crime: str, penal: str, *, grave: bool
    ) -> None:
        # Minor crimes (危险驾驶) are tried at first instance by the basic courts.
        court, code = self._court(basic_only=not grave)
        if grave:
            penalty = (
                f"有期徒刑{self.rng.randint(2, 12)}年，"
                f"并处罚金人民币{self.rng.randint(2, 60) * 10}万元"
            )
        else:
            penalty = (
                f"拘役{self.rng.randint(1, 5)}个月，并处罚金人民币{self.rng.randint(2, 9)}千元"
            )
        self._add(
            court,
            "（{year}）" + code + "刑初{n}号",
            day,
            first_hi=300,
            category=Cat.CRIMINAL_PUNISHMENT,
            severity=Sev.SERIOUS,
            subject=_person_subject(person),
            summary=f"犯{crime}，判处{penalty}。",
            legal_basis=f"《中华人民共和国刑法》{penal}",
            detail={"crime": crime, "penalty": penalty},
        )

    def _criminal(self, count: int) -> None:
        for _ in range(count):
            if self.rng.random() < 0.7:
                self._sentence(
                    self._someone(), self._date(), "危险驾驶罪", "第一百三十三条之一", grave=False
                )
            else:
                _, _, crime, penal = self.rng.choice(texts.GRAVE)
                self._sentence(self._someone(), self._date(), crime, penal, grave=True)

    def _defaulters(self, persons: int, orgs: int) -> None:
        for index in range(persons + orgs):
            court, code = self._court()
            day = self._date()
            if index < persons:
                person = self._someone()
                subject, amount = _person_subject(person), self.rng.randint(2, 80) * 10_000
                text = "有履行能力而拒不履行生效法律文书确定的给付义务，被纳入失信被执行人名单。"
            else:
                subject, amount = self._org(), self.rng.randint(50, 2000) * 10_000
                text = "拒不履行生效判决确定的工程款支付义务，被纳入失信被执行人名单。"
            # About a third have paid up since and were taken off the list (删除失信信息).
            until = day + timedelta(days=self.rng.randrange(60, 720))
            deleted = self.rng.random() < 0.35 and until <= LAST_DECISION
            self._add(
                court,
                "（{year}）" + code + "执{n}号",
                day,
                first_hi=2500,
                category=Cat.JUDGMENT_DEFAULTER,
                severity=Sev.GENERAL,
                subject=subject,
                summary=text,
                legal_basis=texts.DEFAULTER_BASIS,
                detail={"amountYuan": amount},
                effective_until=until if deleted else None,
            )

    def _court_judgments(self, count: int) -> None:
        for _ in range(count):
            court, code = self._court()
            case, text, basis = self.rng.choice(texts.COURT_CASES)
            self._add(
                court,
                "（{year}）" + code + case + "{n}号",
                self._date(),
                first_hi=400,
                category=Cat.COURT_JUDGMENT,
                severity=Sev.GENERAL,
                subject=self._org(),
                summary=text + "。",
                legal_basis=basis,
            )

    def _penalties(self, count: int) -> None:
        for _ in range(count):
            source, ref, text, basis, personal = self.rng.choice(texts.PENALTIES)
            subject = _person_subject(self._someone()) if personal else self._org(source)
            self._add(
                source,
                ref,
                self._date(),
                first_hi=200,
                category=Cat.ADMINISTRATIVE_PENALTY,
                severity=Sev.MINOR if personal else Sev.GENERAL,
                subject=subject,
                summary=text + "。",
                legal_basis=basis,
            )

    # -- 组织人事 --

    def _exam_misconduct(self) -> None:
        for person in self.applicants:
            kind = Kind.BAN_5Y if self.rng.random() < 0.8 else Kind.BAN_LIFE
            day = self._date()
            exam_year = day.year if day.month >= 5 else day.year - 1
            source, ref = self.rng.choice(texts.EXAM_SOURCES)
            self._add(
                source,
                ref,
                day,
                first_hi=5,
                category=Cat.EXAM_MISCONDUCT,
                sanction_kind=kind,
                severity=Sev.SERIOUS if kind is Kind.BAN_LIFE else Sev.GENERAL,
                subject=_person_subject(person),
                summary=f"在{exam_year}年江西省考试录用公务员笔试中"
                f"{self.rng.choice(texts.EXAM_BEHAVIOUR[kind])}。",
                legal_basis=texts.exam_basis(day),
                detail={"exam": f"{exam_year}年江西省考试录用公务员"},
            )

    def _appraisals(self, count: int) -> None:
        for _ in range(count):
            year = self.rng.randint(2018, 2025)
            day = self._date(date(year + 1, 1, 10), date(year + 1, 3, 31))
            grade = "不称职" if self.rng.random() < 0.4 else "基本称职"
            self._add(
                ORGANIZATION_DEPT,
                "江组考〔{year}〕2号-{n:03d}",
                day,
                first_hi=5,
                category=Cat.APPRAISAL_RESULT,
                severity=Sev.GENERAL if grade == "不称职" else Sev.MINOR,
                subject=_person_subject(self._someone()),
                summary=f"{year}年度考核被确定为{grade}等次。",
                legal_basis="《公务员考核规定》",
                detail={"year": year, "grade": grade},
            )

    def _dismissals(self, count: int) -> None:
        for _ in range(count):
            person = self._someone()
            reason = self.rng.choice(texts.DISMISSAL_REASONS)
            self._add(
                CIVIL_SERVICE,
                "江公辞〔{year}〕{n}号",
                self._date(),
                first_hi=5,
                category=Cat.DISMISSAL,
                severity=Sev.GENERAL,
                subject=_person_subject(person),
                summary=self._employee(person, f"因{reason}被予以辞退"),
                legal_basis="《中华人民共和国公务员法》第八十八条",
            )

    # -- 财政、发改、统计: records about agencies themselves --

    def _org_breaches(self) -> None:
        for category, count in texts.ORG_BREACH_COUNTS.items():
            options = [b for b in texts.ORG_BREACHES if b[2] is category]
            for _ in range(count):
                source, ref, _, text, basis = self.rng.choice(options)
                serious = category is Cat.STATISTICS_FRAUD
                self._add(
                    source,
                    ref,
                    self._date(),
                    category=category,
                    severity=Sev.SERIOUS if serious else Sev.GENERAL,
                    subject=self._org(source),
                    summary=text + "。",
                    legal_basis=basis,
                )

    def _arrears(self, count: int) -> None:
        for _ in range(count):
            creditor = f"江州市{self.rng.choice(texts.CREDITORS)}有限公司"
            amount = self.rng.randint(5, 800)
            what = self.rng.choice(("工程款", "货款", "服务费"))
            # The 条例 took effect on 2020-09-01.
            self._add(
                FINANCE_BUREAU,
                "江财清欠〔{year}〕{n}号",
                self._date(date(2020, 9, 1)),
                category=Cat.PAYMENT_ARREARS,
                severity=Sev.SERIOUS if amount >= 300 else Sev.GENERAL,
                subject=self._org(FINANCE_BUREAU),
                summary=f"拖欠{creditor}{what}{amount}万元，逾期未支付。",
                legal_basis="《保障中小企业款项支付条例》第八条",
                detail={"creditor": creditor, "amountYuan": amount * 10_000},
            )

    def _ppp_defaults(self, count: int) -> None:
        for _ in range(count):
            _, county = self.rng.choice(COUNTIES)
            government = self.by_name[f"江州市{county}人民政府"]
            project = f"{county}{self.rng.choice(texts.PPP_PROJECTS)}PPP项目"
            self._add(
                FINANCE_BUREAU,
                "江财金〔{year}〕{n}号",
                self._date(),
                first_hi=5,
                category=Cat.PPP_DEFAULT,
                severity=Sev.SERIOUS,
                subject=SubjectDraft(uscc=government.uscc, name=government.name),
                summary=f"未按{project}合同约定{self.rng.choice(texts.PPP_BREACHES)}。",
                legal_basis=texts.PPP_BASIS,
                detail={"project": project},
            )

    # -- 文号 and status --

    def _numbered(self, reserved: set[tuple[str, str]]) -> tuple[tuple[str, RecordDraft], ...]:
        """Hand out 文号/案号 per (agency, series, year) in date order, skipping reserved ones,
        so that numbers rise with the date the way a 发文登记簿 does."""
        series: dict[tuple[str, str, int], list[int]] = {}
        for index, item in enumerate(self.pending):
            series.setdefault((item.source, item.ref, item.decided_at.year), []).append(index)
        refs: dict[int, str] = {}
        for (source, pattern, year), members in series.items():
            members.sort(key=lambda i: (self.pending[i].decided_at, i))
            hi = self.pending[members[0]].first_hi
            number = self.rng.randint(1, hi)
            for index in members:
                while (source, ref := pattern.format(year=year, n=number)) in reserved:
                    number += 1
                reserved.add((source, ref))
                refs[index] = ref
                number += self.rng.randint(1, max(2, hi // 40))
        return tuple(
            (item.source, self._draft(refs[index], item)) for index, item in enumerate(self.pending)
        )

    def _draft(self, ref: str, item: _Pending) -> RecordDraft:
        # A few decisions were later revoked or corrected (政务处分法 Art. 60; 复核/再审).
        status = self.rng.choices(_STATUSES, weights=_STATUS_WEIGHTS)[0]
        return RecordDraft(source_ref=ref, decided_at=item.decided_at, status=status, **item.fields)


def _person_subject(person: DemoPerson) -> SubjectDraft:
    return SubjectDraft(id_number=person.id_number, name=person.name)
