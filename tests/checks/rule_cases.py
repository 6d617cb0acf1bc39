"""One row per shipped rule (some rules have a row per kind or tier): the record that triggers
it, the purposes it answers and its last restricted day, worked out by hand.

Month periods follow 民法典 Art. 201–202: N months after the decision day, on the
corresponding day (that month's last day when it has none), that last day included.
Calendar-year rules run through 31 December of their last appraisal year. Publicity runs for
the maximum term of the record's tier (轻微 3 months, 一般 1 year, 严重 3 years; 行政处罚 decided
before 2026-04-01: 3 years). A listing runs through the day the source ended it. A rule resting
on a local document is checked by an agency in its region (`region`).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

import pytest

from hub.checks.purposes import AppraisalEffect, Purpose, Verdict
from hub.checks.rules import Evaluation, RecordFacts, evaluate
from hub.checks.ruleset import current_ruleset
from hub.records.enums import (
    ObjectionKind,
    RecordCategory,
    RecordStatus,
    SanctionKind,
    Severity,
    SubjectType,
)

RULESET = current_ruleset()

Category = RecordCategory
Kind = SanctionKind
Status = RecordStatus
Effect = AppraisalEffect
PERSON, ORG = SubjectType.PERSON, SubjectType.ORGANIZATION

HIRE = (Purpose.HIRING, Purpose.TRANSFER)
HIRING = (Purpose.HIRING,)
TRANSFER = (Purpose.TRANSFER,)
AWARD = (Purpose.AWARD,)
APPRAISAL = (Purpose.APPRAISAL,)
PROCUREMENT = (Purpose.PROCUREMENT,)
GOV = Category.GOVERNMENT_SANCTION
PARTY = Category.PARTY_DISCIPLINE
EXAM = Category.EXAM_MISCONDUCT
ACCOUNT = Category.ACCOUNTABILITY
DEFAULTER = Category.JUDGMENT_DEFAULTER
ARREARS = Category.PAYMENT_ARREARS
PERMANENTLY = None


def facts(
    category: RecordCategory,
    kind: SanctionKind | None = None,
    *,
    decided: date,
    status: RecordStatus = Status.ACTIVE,
    until: date | None = None,
    record_id: int = 1,
    subject: SubjectType = PERSON,
    severity: Severity | None = None,
    act_ref: str | None = None,
    objection: ObjectionKind | None = None,
    repaired_on: date | None = None,
    listing_ground: int | None = None,
) -> RecordFacts:
    return RecordFacts(
        id=record_id,
        subject_type=subject,
        category=category,
        sanction_kind=kind,
        status=status,
        decided_at=decided,
        effective_until=until,
        severity=severity,
        act_ref=act_ref,
        objection=objection,
        repaired_on=repaired_on,
        listing_ground=listing_ground,
    )


def check(
    records: list[RecordFacts],
    purpose: Purpose,
    as_of: date,
    *,
    region: str | None = None,
    appraisal_year: int | None = None,
) -> Evaluation:
    """`region`: the 行政区划代码 of the agency asking (local rules bind only agencies there)."""
    return evaluate(
        RULESET, records, purpose, as_of, checker_region=region, appraisal_year=appraisal_year
    )


def months_later(start: date, months: int) -> date:
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def day(text: str) -> date:
    return date.fromisoformat(text)


@dataclass(frozen=True)
class Case:
    rule_id: str
    purposes: tuple[Purpose, ...]
    category: RecordCategory
    kind: SanctionKind | None
    decided: date
    last_day: date | None  # None: permanent
    subject: SubjectType = PERSON
    severity: Severity | None = None
    until: date | None = None  # the source's end of a listing
    verdict: Verdict = Verdict.RESTRICTED
    effect: AppraisalEffect | None = None  # APPRAISAL: the effect in the decision year
    region: str | None = None  # the checking agency's region, for a local rule
    # A national rule that fires beside this local one (the local one is stricter).
    beside: tuple[str, ...] = ()

    def check(
        self, purpose: Purpose, as_of: date, *, appraisal_year: int | None = None, **overrides
    ) -> Evaluation:
        return check(
            [self.record(**overrides)],
            purpose,
            as_of,
            region=self.region,
            appraisal_year=appraisal_year,
        )

    def record(self, **overrides) -> RecordFacts:
        values = {"subject": self.subject, "severity": self.severity, "until": self.until}
        values.update(overrides)
        return facts(self.category, self.kind, decided=self.decided, **values)

    @property
    def name(self) -> str:
        # Several rows can share a rule, so the kind, category or tier is part of the name.
        detail = self.kind.value if self.kind else self.category.value
        tier = f"-{self.severity.value}" if self.severity else ""
        return f"{self.rule_id}/{detail}{tier}"

    def params(self):
        return [pytest.param(self, p, id=f"{self.name}-{p.value}") for p in self.purposes]


def row(rule_id, purposes, category, kind, decided: str, last_day: str | None, **extra) -> Case:
    end = day(last_day) if last_day else None
    if "until" in extra:
        extra["until"] = day(extra["until"])
    return Case(rule_id, purposes, category, kind, day(decided), end, **extra)


SEV = Severity
REVIEW = Verdict.REVIEW
NANJING = "320102"  # 南京市玄武区: 宁政发〔2024〕89号 is in force there

# fmt: off
# One row per line reads as a table; the formatter would stack every argument.
CASES = [
    # --- HIRING / TRANSFER --------------------------------------------------------------
    row("HIRE-CRIMINAL", HIRE, Category.CRIMINAL_PUNISHMENT, None, "1995-04-03", PERMANENTLY),
    row("HIRE-PARTY-EXPULSION", HIRE, PARTY, Kind.PARTY_EXPULSION, "2001-09-01", PERMANENTLY),
    row("HIRE-EXPULSION", HIRE, GOV, Kind.EXPULSION, "2010-12-31", PERMANENTLY),
    row("HIRE-DEFAULTER", HIRE, DEFAULTER, None, "2019-07-09", "2026-03-31", until="2026-03-31"),
    row("HIRE-EXAM-BAN-5Y", HIRING, EXAM, Kind.BAN_5Y, "2022-06-01", "2027-06-01"),
    row("HIRE-EXAM-BAN-LIFE", HIRING, EXAM, Kind.BAN_LIFE, "2016-05-20", PERMANENTLY),
    row("HIRE-DISMISSAL-5Y", HIRING, Category.DISMISSAL, None, "2021-03-15", "2026-03-15", verdict=REVIEW),
    # --- TRANSFER only: 《公务员调任规定》 ------------------------------------------------
    row("TRANSFER-GOV-WARNING", TRANSFER, GOV, Kind.WARNING, "2026-01-31", "2026-07-31"),
    row("TRANSFER-GOV-DEMERIT", TRANSFER, GOV, Kind.DEMERIT, "2025-07-01", "2026-07-01"),
    row("TRANSFER-GOV-MAJOR-DEMERIT", TRANSFER, GOV, Kind.MAJOR_DEMERIT, "2025-08-31", "2027-02-28"),
    row("TRANSFER-GOV-DEMOTION-REMOVAL", TRANSFER, GOV, Kind.DEMOTION, "2025-07-01", "2027-07-01"),
    row("TRANSFER-GOV-DEMOTION-REMOVAL", TRANSFER, GOV, Kind.REMOVAL, "2024-02-29", "2026-02-28"),
    row("TRANSFER-PARTY-WARNING", TRANSFER, PARTY, Kind.PARTY_WARNING, "2026-03-15", "2027-03-15"),
    row("TRANSFER-PARTY-SERIOUS-WARNING", TRANSFER, PARTY, Kind.PARTY_SERIOUS_WARNING, "2025-08-31", "2027-02-28"),
    row("TRANSFER-PARTY-POST-REMOVAL", TRANSFER, PARTY, Kind.PARTY_POST_REMOVAL, "2025-01-20", "2027-01-20"),
    row("TRANSFER-PARTY-PROBATION-1Y", TRANSFER, PARTY, Kind.PARTY_PROBATION_1Y, "2024-05-10", "2027-05-10"),
    row("TRANSFER-PARTY-PROBATION-2Y", TRANSFER, PARTY, Kind.PARTY_PROBATION_2Y, "2023-05-10", "2027-05-10"),
    row("TRANSFER-ORG-ADMONISHMENT", TRANSFER, ACCOUNT, Kind.ADMONISHMENT, "2026-08-31", "2027-02-28"),
    row("TRANSFER-ORG-POST-ADJUSTMENT", TRANSFER, ACCOUNT, Kind.POST_ADJUSTMENT, "2026-02-01", "2027-02-01"),
    row("TRANSFER-ORG-RESIGNATION-REMOVAL", TRANSFER, ACCOUNT, Kind.ORDERED_RESIGNATION, "2025-06-30", "2027-06-30"),
    row("TRANSFER-ORG-RESIGNATION-REMOVAL", TRANSFER, ACCOUNT, Kind.REMOVAL_FROM_POST, "2025-10-31", "2027-10-31"),
    row("TRANSFER-ORG-POST-DEMOTION", TRANSFER, ACCOUNT, Kind.POST_DEMOTION, "2025-12-31", "2027-12-31"),
    row("TRANSFER-INVESTIGATION-OPEN", TRANSFER, Category.INVESTIGATION_OPEN, None, "2026-03-01", "2026-09-30", until="2026-09-30"),
    # --- AWARD, persons ----------------------------------------------------------------
    row("AWARD-GOV-WARNING", AWARD, GOV, Kind.WARNING, "2026-01-10", "2026-07-10"),
    row("AWARD-GOV-DEMERIT", AWARD, GOV, Kind.DEMERIT, "2025-03-01", "2026-03-01"),
    row("AWARD-GOV-MAJOR-DEMERIT", AWARD, GOV, Kind.MAJOR_DEMERIT, "2024-05-15", "2025-11-15"),
    row("AWARD-GOV-DEMOTION-REMOVAL", AWARD, GOV, Kind.DEMOTION, "2024-02-29", "2026-02-28"),
    row("AWARD-GOV-DEMOTION-REMOVAL", AWARD, GOV, Kind.REMOVAL, "2023-10-08", "2025-10-08"),
    row("AWARD-GOV-EXPULSION", AWARD, GOV, Kind.EXPULSION, "2012-07-01", PERMANENTLY),
    row("AWARD-PARTY-WARNING", AWARD, PARTY, Kind.PARTY_WARNING, "2025-06-30", "2026-06-30"),
    row("AWARD-PARTY-SERIOUS-WARNING", AWARD, PARTY, Kind.PARTY_SERIOUS_WARNING, "2024-08-31", "2026-02-28"),
    row("AWARD-PARTY-POST-REMOVAL", AWARD, PARTY, Kind.PARTY_POST_REMOVAL, "2024-01-31", "2026-01-31"),
    row("AWARD-PARTY-PROBATION-1Y", AWARD, PARTY, Kind.PARTY_PROBATION_1Y, "2023-11-20", "2026-11-20"),
    row("AWARD-PARTY-PROBATION-2Y", AWARD, PARTY, Kind.PARTY_PROBATION_2Y, "2022-12-05", "2026-12-05"),
    row("AWARD-PARTY-EXPULSION", AWARD, PARTY, Kind.PARTY_EXPULSION, "2005-03-03", PERMANENTLY),
    row("AWARD-ORG-HANDLING-ADMONISHMENT", AWARD, ACCOUNT, Kind.ADMONISHMENT, "2026-03-31", "2026-09-30"),
    row("AWARD-ORG-HANDLING-POST-ADJUSTMENT", AWARD, ACCOUNT, Kind.POST_ADJUSTMENT, "2025-11-11", "2026-11-11"),
    row("AWARD-ORG-HANDLING-RESIGNATION-REMOVAL", AWARD, ACCOUNT, Kind.ORDERED_RESIGNATION, "2025-04-01", "2027-04-01"),
    row("AWARD-ORG-HANDLING-RESIGNATION-REMOVAL", AWARD, ACCOUNT, Kind.REMOVAL_FROM_POST, "2024-12-31", "2026-12-31"),
    row("AWARD-ORG-HANDLING-POST-DEMOTION", AWARD, ACCOUNT, Kind.POST_DEMOTION, "2026-01-15", "2028-01-15"),
    row("AWARD-INVESTIGATION-OPEN", AWARD, Category.INVESTIGATION_OPEN, None, "2026-05-01", "2026-11-15", until="2026-11-15", verdict=REVIEW),
    row("AWARD-PERSON-DEFAULTER", AWARD, DEFAULTER, None, "2025-09-09", "2026-10-10", until="2026-10-10", verdict=REVIEW),
    row("AWARD-PERSON-GOV-DISHONESTY", AWARD, ARREARS, None, "2026-06-30", "2029-06-30", severity=SEV.SERIOUS, verdict=REVIEW),
    row("AWARD-PERSON-GOV-DISHONESTY", AWARD, Category.STATISTICS_FRAUD, None, "2026-11-30", "2027-02-28", severity=SEV.MINOR, verdict=REVIEW),
    row("AWARD-PERSON-GOV-DISHONESTY-HN", AWARD, Category.PROMISE_BROKEN, None, "2026-05-20", "2027-05-20", severity=SEV.GENERAL, region="430100", beside=("AWARD-PERSON-GOV-DISHONESTY",)),
    # --- AWARD, organizations ----------------------------------------------------------
    row("AWARD-ORG-DEFAULTER", AWARD, DEFAULTER, None, "2024-01-15", "2026-09-30", subject=ORG, until="2026-09-30"),
    row("AWARD-ORG-ARREARS-BREACH", AWARD, ARREARS, None, "2026-05-01", "2027-05-01", subject=ORG, severity=SEV.GENERAL),
    row("AWARD-ORG-ARREARS-BREACH", AWARD, Category.PPP_DEFAULT, None, "2026-04-01", "2029-04-01", subject=ORG, severity=SEV.SERIOUS),
    row("AWARD-ORG-ARREARS-BREACH", AWARD, Category.PROCUREMENT_BREACH, None, "2025-03-31", "2028-03-31", subject=ORG),
    row("AWARD-ORG-ARREARS-BREACH", AWARD, Category.PROMISE_BROKEN, None, "2026-07-31", "2026-10-31", subject=ORG, severity=SEV.MINOR),
    row("AWARD-ORG-GOV-DISHONESTY", AWARD, Category.COURT_JUDGMENT, None, "2026-08-31", "2026-11-30", subject=ORG, severity=SEV.MINOR),
    row("AWARD-ORG-GOV-DISHONESTY", AWARD, Category.ADMINISTRATIVE_PENALTY, None, "2026-03-31", "2029-03-31", subject=ORG, severity=SEV.MINOR),
    row("AWARD-ORG-GOV-DISHONESTY", AWARD, Category.STATISTICS_FRAUD, None, "2026-12-15", "2027-12-15", subject=ORG, severity=SEV.GENERAL),
    # --- APPRAISAL, persons (effect in the decision year) -----------------------------
    row("APPR-ADMONISHMENT", APPRAISAL, ACCOUNT, Kind.ADMONISHMENT, "2025-12-31", "2025-12-31", effect=Effect.NOT_EXCELLENT),
    row("APPR-ADMONISHMENT", APPRAISAL, ACCOUNT, Kind.POST_ADJUSTMENT, "2026-01-01", "2026-12-31", effect=Effect.NOT_EXCELLENT),
    row("APPR-ORGANIZATIONAL-HANDLING", APPRAISAL, ACCOUNT, Kind.REMOVAL_FROM_POST, "2026-02-10", "2026-12-31", effect=Effect.NO_GRADE),
    row("APPR-ORGANIZATIONAL-HANDLING", APPRAISAL, ACCOUNT, Kind.ORDERED_RESIGNATION, "2024-06-01", "2024-12-31", effect=Effect.NO_GRADE),
    row("APPR-ORGANIZATIONAL-HANDLING", APPRAISAL, ACCOUNT, Kind.POST_DEMOTION, "2025-09-09", "2025-12-31", effect=Effect.NO_GRADE),
    row("APPR-WARNING", APPRAISAL, GOV, Kind.WARNING, "2026-01-10", "2026-12-31", effect=Effect.NOT_EXCELLENT),
    row("APPR-WARNING", APPRAISAL, PARTY, Kind.PARTY_WARNING, "2025-07-01", "2025-12-31", effect=Effect.NOT_EXCELLENT),
    row("APPR-DEMERIT", APPRAISAL, GOV, Kind.DEMERIT, "2025-03-01", "2025-12-31", effect=Effect.NO_GRADE),
    row("APPR-DEMERIT", APPRAISAL, PARTY, Kind.PARTY_SERIOUS_WARNING, "2026-10-01", "2026-12-31", effect=Effect.NO_GRADE),
    row("APPR-MAJOR-DEMERIT", APPRAISAL, GOV, Kind.MAJOR_DEMERIT, "2025-05-15", "2026-12-31", effect=Effect.NO_GRADE),
    row("APPR-MAJOR-DEMERIT", APPRAISAL, GOV, Kind.DEMOTION, "2024-12-31", "2025-12-31", effect=Effect.NO_GRADE),
    row("APPR-MAJOR-DEMERIT", APPRAISAL, GOV, Kind.REMOVAL, "2026-01-01", "2027-12-31", effect=Effect.NO_GRADE),
    row("APPR-PARTY-POST-REMOVAL", APPRAISAL, PARTY, Kind.PARTY_POST_REMOVAL, "2026-04-01", "2026-12-31", effect=Effect.INCOMPETENT),
    row("APPR-PARTY-PROBATION-1Y", APPRAISAL, PARTY, Kind.PARTY_PROBATION_1Y, "2025-03-10", "2026-12-31", effect=Effect.INCOMPETENT),
    row("APPR-PARTY-PROBATION-2Y", APPRAISAL, PARTY, Kind.PARTY_PROBATION_2Y, "2025-03-10", "2027-12-31", effect=Effect.INCOMPETENT),
    row("APPR-PARTY-EXPULSION", APPRAISAL, PARTY, Kind.PARTY_EXPULSION, "2024-11-30", "2026-12-31", effect=Effect.INCOMPETENT),
    row("APPR-INVESTIGATION-OPEN", APPRAISAL, Category.INVESTIGATION_OPEN, None, "2026-02-01", "2026-10-15", until="2026-10-15", effect=Effect.NO_GRADE),
    row("APPR-RESPONSIBLE-PERSON", APPRAISAL, Category.PROMISE_BROKEN, None, "2026-06-15", "2027-06-15", severity=SEV.GENERAL, effect=Effect.NOT_EXCELLENT, region=NANJING),
    # --- APPRAISAL, organizations ------------------------------------------------------
    row("APPR-ORG-DEFAULTER", APPRAISAL, DEFAULTER, None, "2025-05-05", "2026-06-30", subject=ORG, until="2026-06-30", effect=Effect.NOT_EXCELLENT, region=NANJING),
    row("APPR-ORG-GOV-DISHONESTY", APPRAISAL, Category.STATISTICS_FRAUD, None, "2026-07-01", "2029-07-01", subject=ORG, severity=SEV.SERIOUS, effect=Effect.NOT_EXCELLENT, region=NANJING),
    row("APPR-ORG-GOV-DISHONESTY", APPRAISAL, ARREARS, None, "2026-05-01", "2027-05-01", subject=ORG, severity=SEV.GENERAL, effect=Effect.NOT_EXCELLENT, region=NANJING),
    row("APPR-ORG-GOV-DISHONESTY", APPRAISAL, Category.ADMINISTRATIVE_PENALTY, None, "2024-01-31", "2027-01-31", subject=ORG, severity=SEV.GENERAL, effect=Effect.NOT_EXCELLENT, region=NANJING),
    # --- PROCUREMENT, the organization as purchaser -----------------------------------
    row("PROC-DEFAULTER", PROCUREMENT, DEFAULTER, None, "2023-02-28", "2026-12-31", subject=ORG, until="2026-12-31", verdict=REVIEW),
    row("PROC-ARREARS", PROCUREMENT, ARREARS, None, "2026-05-01", "2027-05-01", subject=ORG, severity=SEV.GENERAL, verdict=REVIEW),
    row("PROC-BREACH", PROCUREMENT, Category.PROCUREMENT_BREACH, None, "2026-04-30", "2026-07-30", subject=ORG, severity=SEV.MINOR, verdict=REVIEW),
    row("PROC-PPP-DEFAULT", PROCUREMENT, Category.PPP_DEFAULT, None, "2026-09-15", "2029-09-15", subject=ORG, severity=SEV.SERIOUS, verdict=REVIEW),
    row("PROC-JUDGMENT-UNPERFORMED", PROCUREMENT, Category.COURT_JUDGMENT, None, "2025-10-20", "2026-10-20", subject=ORG, severity=SEV.GENERAL, verdict=REVIEW),
]
# fmt: on

ALL = [param for case in CASES for param in case.params()]
TIMED = [param for case in CASES if case.last_day for param in case.params()]
PERMANENT = [param for case in CASES if case.last_day is None for param in case.params()]
