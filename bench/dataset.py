"""The benchmark data set: agencies, persons and credit records, COPYed into PostgreSQL.

Rows are built the way the hub builds them (`hub.subjects.service.new_person`,
`hub.records.service.submit_records`): keyed hashes and AES-GCM ciphertexts from the hub's
own `PiiCipher`, masked forms from `hub.subjects.identifiers`, enum values as stored, JSON
`null` for an absent `detail`. Everything random comes from one seeded `random.Random`
(the AES-GCM nonces excepted: `PiiCipher.encrypt` draws them from os.urandom)."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import asyncpg

from hub.agencies.models import AgencyFamily, AgencyLevel
from hub.records.enums import (
    KIND_REQUIRED,
    KINDS_BY_CATEGORY,
    ObjectionKind,
    RecordCategory,
    RecordStatus,
    SanctionKind,
    Severity,
    SubjectType,
)
from hub.subjects.identifiers import (
    USCC_ALPHABET,
    id_check_char,
    mask_id_number,
    mask_name,
    uscc_check_char,
)
from hub.subjects.pii import PiiCipher

CHUNK = 100_000
# Share of persons that have at least one record; the rest are registered but clean
# (the hub registers a person with their first record, but persons also arrive from HR
# rosters, so clean persons exist).
WITH_RECORDS_SHARE = 0.8

REGIONS = (
    "361202", "361002", "360102", "110101", "110105", "310104", "310115", "440305",
    "440106", "330106", "320102", "510107", "420106", "430103", "350203", "370102",
)  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅文辉鹏飞俊宇晨浩然子涵欣怡思远嘉"
)

# (name, family, level, region): the agencies that push records, and the HR consumer.
AGENCIES: tuple[tuple[str, AgencyFamily, AgencyLevel, str], ...] = (
    ("江西省纪委监委", AgencyFamily.DISCIPLINE, AgencyLevel.PROVINCE, "360000"),
    ("江州市纪委监委", AgencyFamily.DISCIPLINE, AgencyLevel.CITY, "361200"),
    ("江州市袁河区纪委监委", AgencyFamily.DISCIPLINE, AgencyLevel.COUNTY, "361202"),
    ("北京市东城区纪委监委", AgencyFamily.DISCIPLINE, AgencyLevel.COUNTY, "110101"),
    ("上海市徐汇区纪委监委", AgencyFamily.DISCIPLINE, AgencyLevel.COUNTY, "310104"),
    ("江西省高级人民法院", AgencyFamily.COURT, AgencyLevel.PROVINCE, "360000"),
    ("江州市中级人民法院", AgencyFamily.COURT, AgencyLevel.CITY, "361200"),
    ("江州市袁河区人民法院", AgencyFamily.COURT, AgencyLevel.COUNTY, "361202"),
    ("深圳市南山区人民法院", AgencyFamily.COURT, AgencyLevel.COUNTY, "440305"),
    ("江西省委组织部", AgencyFamily.HR, AgencyLevel.PROVINCE, "360000"),
    ("江州市委组织部", AgencyFamily.HR, AgencyLevel.CITY, "361200"),
    ("江州市人力资源和社会保障局", AgencyFamily.HR, AgencyLevel.CITY, "361200"),
    ("江州市财政局", AgencyFamily.FINANCE, AgencyLevel.CITY, "361200"),
    ("江州市市场监督管理局", AgencyFamily.OTHER, AgencyLevel.CITY, "361200"),
    ("江州市统计局", AgencyFamily.OTHER, AgencyLevel.CITY, "361200"),
    ("江州市发展和改革委员会", AgencyFamily.OTHER, AgencyLevel.CITY, "361200"),
)
# The agency whose OAuth client runs the HIRING checks.
CHECKING_AGENCY = "江州市委组织部"

# Category mix of records about persons (the organization-only categories are left out),
# the agency family that pushes each, and the 文号 prefix it uses.
CATEGORY_MIX: tuple[tuple[RecordCategory, int, AgencyFamily, str], ...] = (
    (RecordCategory.ADMINISTRATIVE_PENALTY, 20, AgencyFamily.OTHER, "行罚决字"),
    (RecordCategory.JUDGMENT_DEFAULTER, 14, AgencyFamily.COURT, "执"),
    (RecordCategory.GOVERNMENT_SANCTION, 12, AgencyFamily.DISCIPLINE, "纪政处"),
    (RecordCategory.PARTY_DISCIPLINE, 12, AgencyFamily.DISCIPLINE, "纪处"),
    (RecordCategory.COURT_JUDGMENT, 10, AgencyFamily.COURT, "民初"),
    (RecordCategory.APPRAISAL_RESULT, 9, AgencyFamily.HR, "考核"),
    (RecordCategory.ACCOUNTABILITY, 8, AgencyFamily.HR, "组问责"),
    (RecordCategory.CRIMINAL_PUNISHMENT, 3, AgencyFamily.COURT, "刑初"),
    (RecordCategory.EXAM_MISCONDUCT, 2, AgencyFamily.HR, "考录违纪"),
    (RecordCategory.DISMISSAL, 2, AgencyFamily.HR, "人辞"),
    (RecordCategory.PROMISE_BROKEN, 2, AgencyFamily.OTHER, "践诺"),
    (RecordCategory.INVESTIGATION_OPEN, 2, AgencyFamily.DISCIPLINE, "立审"),
    (RecordCategory.PAYMENT_ARREARS, 2, AgencyFamily.FINANCE, "财欠"),
    (RecordCategory.STATISTICS_FRAUD, 2, AgencyFamily.OTHER, "统罚"),
)
KIND_MIX: dict[RecordCategory, tuple[tuple[SanctionKind, int], ...]] = {
    RecordCategory.GOVERNMENT_SANCTION: (
        (SanctionKind.WARNING, 35),
        (SanctionKind.DEMERIT, 30),
        (SanctionKind.MAJOR_DEMERIT, 15),
        (SanctionKind.DEMOTION, 8),
        (SanctionKind.REMOVAL, 7),
        (SanctionKind.EXPULSION, 5),
    ),
    RecordCategory.PARTY_DISCIPLINE: (
        (SanctionKind.PARTY_WARNING, 40),
        (SanctionKind.PARTY_SERIOUS_WARNING, 30),
        (SanctionKind.PARTY_POST_REMOVAL, 10),
        (SanctionKind.PARTY_PROBATION_1Y, 7),
        (SanctionKind.PARTY_PROBATION_2Y, 5),
        (SanctionKind.PARTY_EXPULSION, 8),
    ),
    RecordCategory.ACCOUNTABILITY: (
        (SanctionKind.ADMONISHMENT, 50),
        (SanctionKind.POST_ADJUSTMENT, 20),
        (SanctionKind.ORDERED_RESIGNATION, 8),
        (SanctionKind.REMOVAL_FROM_POST, 12),
        (SanctionKind.POST_DEMOTION, 10),
    ),
    RecordCategory.EXAM_MISCONDUCT: ((SanctionKind.BAN_5Y, 80), (SanctionKind.BAN_LIFE, 20)),
}
# What a reader sees (hub.lifecycle.status): the source's status, or the hub's workflows.
STATUS_MIX = (
    (RecordStatus.ACTIVE, 86),
    (RecordStatus.UNDER_OBJECTION, 2),
    (RecordStatus.REVOKED, 3),
    (RecordStatus.CORRECTED, 2),
    (RecordStatus.REPAIRED, 4),
    (RecordStatus.EXPIRED, 3),
)
SEVERITY_MIX = ((Severity.MINOR, 30), (Severity.GENERAL, 50), (Severity.SERIOUS, 20))
SUMMARIES = {
    RecordCategory.ADMINISTRATIVE_PENALTY: "违反《中华人民共和国行政处罚法》相关规定，予以行政处罚",
    RecordCategory.JUDGMENT_DEFAULTER: (
        "有履行能力而拒不履行生效法律文书确定义务，纳入失信被执行人名单"
    ),
    RecordCategory.GOVERNMENT_SANCTION: "违反廉洁纪律，利用职务便利为他人谋取利益",
    RecordCategory.PARTY_DISCIPLINE: "违反中央八项规定精神，违规收受礼品礼金",
    RecordCategory.COURT_JUDGMENT: "民事判决生效后未按期履行给付义务",
    RecordCategory.APPRAISAL_RESULT: "年度考核确定为不称职等次",
    RecordCategory.ACCOUNTABILITY: "履职不力，造成不良影响，予以问责",
    RecordCategory.CRIMINAL_PUNISHMENT: "犯受贿罪，判处有期徒刑",
    RecordCategory.EXAM_MISCONDUCT: "公务员录用考试中违规违纪，作弊情节严重",
    RecordCategory.DISMISSAL: "连续两年年度考核不称职，予以辞退",
    RecordCategory.PROMISE_BROKEN: "未履行信用承诺事项",
    RecordCategory.INVESTIGATION_OPEN: "涉嫌严重违纪违法，立案审查调查",
    RecordCategory.PAYMENT_ARREARS: "拖欠合同款项逾期未支付",
    RecordCategory.STATISTICS_FRAUD: "统计造假、弄虚作假，予以行政处罚",
}
LEGAL_BASIS = {
    RecordCategory.GOVERNMENT_SANCTION: "《中华人民共和国公职人员政务处分法》第三十三条",
    RecordCategory.PARTY_DISCIPLINE: "《中国共产党纪律处分条例》第一百零二条",
    RecordCategory.JUDGMENT_DEFAULTER: (
        "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条"
    ),
    RecordCategory.CRIMINAL_PUNISHMENT: "《中华人民共和国刑法》第三百八十五条",
    RecordCategory.ADMINISTRATIVE_PENALTY: "《中华人民共和国行政处罚法》第九条",
}

PERSON_COLUMNS = (
    "id", "uid", "id_hash", "id_cipher", "id_masked", "name_hash", "name_cipher",
    "name_masked", "region_code", "employer_agency_id", "created_at",
)  # fmt: skip
RECORD_COLUMNS = (
    "id", "source_agency_id", "stream", "source_ref", "subject_type", "person_id",
    "organization_id", "category", "sanction_kind", "severity", "decided_at",
    "effective_until", "legal_basis", "summary", "detail", "status", "objection_kind",
    "objection_due", "repaired_on", "version", "content_hash", "created_at", "updated_at",
)  # fmt: skip


@dataclass
class Dataset:
    """What the benchmark needs to know about what was loaded."""

    id_numbers: list[str]  # index i is person id i + 1
    with_records: int  # persons 1..with_records have at least one record
    checking_agency_uscc: str
    persons: int
    records: int
    seconds: float


async def settle_after_lifecycle(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("VACUUM (ANALYZE) credit_records, record_events, feed_head")
        await connection.execute("CHECKPOINT")
    finally:
        await connection.close()


async def reopen(dsn: str, pii: PiiCipher, sample: int) -> Dataset:
    """What `load` left in a database kept by an earlier run (`--keep-db`), as far as a run
    needs it: the ID numbers of `sample` persons drawn at random, read back with the kept
    PII keys, those with records first."""
    connection = await asyncpg.connect(dsn)
    try:
        persons = int(await connection.fetchval("SELECT count(*) FROM persons"))
        records = int(await connection.fetchval("SELECT count(*) FROM credit_records"))
        rows = await connection.fetch(
            "SELECT p.id_cipher, EXISTS (SELECT 1 FROM credit_records r"
            " WHERE r.person_id = p.id) AS has_records FROM persons p ORDER BY random() LIMIT $1",
            sample,
        )
        checking = await connection.fetchval(
            "SELECT uscc FROM agencies WHERE name = $1", CHECKING_AGENCY
        )
    finally:
        await connection.close()
    with_ids = [pii.decrypt(r["id_cipher"]) for r in rows if r["has_records"]]
    without_ids = [pii.decrypt(r["id_cipher"]) for r in rows if not r["has_records"]]
    return Dataset(
        id_numbers=with_ids + without_ids,
        with_records=len(with_ids),
        checking_agency_uscc=str(checking),
        persons=persons,
        records=records,
        seconds=0.0,
    )


def _check_mix() -> None:
    for category, kinds in KIND_MIX.items():
        assert {k for k, _ in kinds} <= KINDS_BY_CATEGORY[category], category
    for category, *_ in CATEGORY_MIX:
        assert (category in KIND_REQUIRED) == (category in KIND_MIX), category


def _uscc(rng: random.Random, region: str) -> str:
    first17 = "11" + region + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return first17 + uscc_check_char(first17)


def _id_numbers(rng: random.Random, count: int) -> list[str]:
    """Distinct, valid 居民身份证号码 (GB 11643): region, birth date 1960–2004, sequence,
    check character."""
    start = date(1960, 1, 1).toordinal()
    span = date(2004, 12, 31).toordinal() - start + 1
    seen: set[str] = set()
    numbers: list[str] = []
    while len(numbers) < count:
        birth = date.fromordinal(start + rng.randrange(span))
        first17 = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        if first17 in seen:
            continue
        seen.add(first17)
        numbers.append(first17 + id_check_char(first17))
    return numbers


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) if rng.random() < 0.3 else rng.choice(GIVEN) + rng.choice(GIVEN)
    return rng.choice(SURNAMES) + given


def _person_rows(
    rng: random.Random,
    pii: PiiCipher,
    id_numbers: Sequence[str],
    agency_ids: Sequence[int],
    now: datetime,
) -> Iterator[tuple[object, ...]]:
    for index, number in enumerate(id_numbers):
        name = _name(rng)
        employer = rng.choice(agency_ids) if rng.random() < 0.1 else None
        yield (
            index + 1,
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            pii.lookup_hash(number),
            pii.encrypt(number),
            mask_id_number(number),
            pii.lookup_hash(name, purpose="name"),
            pii.encrypt(name),
            mask_name(name),
            number[:6],
            employer,
            now,
        )


@dataclass
class _RecordDraw:
    """What each record row is drawn from: the mixes as lookup tables, the agencies per
    family, the span of decision days."""

    rng: random.Random
    agencies_by_family: dict[AgencyFamily, list[int]]
    now: datetime
    first_day: date = date(2015, 1, 1)
    family_of: dict[RecordCategory, AgencyFamily] = field(init=False)
    prefix_of: dict[RecordCategory, str] = field(init=False)
    kinds: dict[RecordCategory, tuple[list[SanctionKind], list[float]]] = field(init=False)
    days: int = field(init=False)

    def __post_init__(self) -> None:
        self.family_of = {c: f for c, _, f, _ in CATEGORY_MIX}
        self.prefix_of = {c: p for c, _, _, p in CATEGORY_MIX}
        self.kinds = {c: ([k for k, _ in mix], [w for _, w in mix]) for c, mix in KIND_MIX.items()}
        self.days = (self.now.date() - self.first_day).days + 1

    def row(
        self,
        index: int,
        person_id: int,
        category: RecordCategory,
        shown: RecordStatus,
        severity: Severity,
    ) -> tuple[object, ...]:
        rng = self.rng
        kind = None
        if category in self.kinds:
            names, weights = self.kinds[category]
            kind = rng.choices(names, weights)[0]
        decided = self.first_day + timedelta(days=rng.randrange(self.days))
        until = None
        if category is RecordCategory.JUDGMENT_DEFAULTER and rng.random() < 0.3:
            until = decided + timedelta(days=rng.randrange(180, 1500))
        status = shown if shown in (RecordStatus.REVOKED, RecordStatus.CORRECTED) else None
        disputed = shown is RecordStatus.UNDER_OBJECTION
        repaired = decided + timedelta(days=200) if shown is RecordStatus.REPAIRED else None
        if shown is RecordStatus.EXPIRED:
            until = decided + timedelta(days=rng.randrange(30, 365))
        if kind in (SanctionKind.EXPULSION, SanctionKind.PARTY_EXPULSION, SanctionKind.BAN_LIFE):
            severity = Severity.SERIOUS
        agency = rng.choice(self.agencies_by_family[self.family_of[category]])
        now = self.now
        return (
            index + 1, agency, "push", f"{self.prefix_of[category]}〔{decided.year}〕{index + 1}号",
            SubjectType.PERSON.value, person_id, None, category.value,
            kind.value if kind else None, severity.value, decided, until,
            LEGAL_BASIS.get(category), SUMMARIES[category],
            "null",  # the hub stores an absent detail as JSON null (JSON(none_as_null=False))
            (status or RecordStatus.ACTIVE).value,
            ObjectionKind.DATA_ERROR.value if disputed else None,
            now.date() + timedelta(days=10) if disputed else None,
            repaired, 1, f"{rng.getrandbits(256):064x}", now, now,
        )  # fmt: skip


def _record_rows(
    rng: random.Random,
    *,
    count: int,
    with_records: int,
    agencies_by_family: dict[AgencyFamily, list[int]],
    now: datetime,
) -> Iterator[tuple[object, ...]]:
    """`count` records over persons 1..with_records: each of them gets one, the rest go to
    persons drawn uniformly (so ~1 + Poisson per person). Persons come in random order, so
    one person's records are scattered over the table as they would be after years of
    pushes."""
    first = list(range(1, with_records + 1))
    rng.shuffle(first)
    draw = _RecordDraw(rng, agencies_by_family, now)
    categories = [c for c, *_ in CATEGORY_MIX]
    category_weights = [w for _, w, *_ in CATEGORY_MIX]
    statuses, status_weights = zip(*STATUS_MIX, strict=True)
    severities, severity_weights = zip(*SEVERITY_MIX, strict=True)
    # Draw the cheap categorical columns in bulk: far faster than one call per row.
    drawn_categories = rng.choices(categories, category_weights, k=count)
    drawn_statuses = rng.choices(statuses, status_weights, k=count)
    drawn_severities = rng.choices(severities, severity_weights, k=count)
    for index in range(count):
        person_id = first[index] if index < with_records else rng.randrange(with_records) + 1
        yield draw.row(
            index,
            person_id,
            drawn_categories[index],
            drawn_statuses[index],
            drawn_severities[index],
        )


async def _copy_agencies(
    connection: asyncpg.Connection, rng: random.Random, now: datetime
) -> tuple[dict[AgencyFamily, list[int]], list[int], str]:
    """The agencies; their ids per family, all their ids, the checking agency's USCC."""
    agency_rows = [
        (_uscc(rng, region), name, region, level.value, family.value, now)
        for name, family, level, region in AGENCIES
    ]
    await connection.copy_records_to_table(
        "agencies",
        records=agency_rows,
        columns=("uscc", "name", "region_code", "level", "family", "created_at"),
    )
    rows = await connection.fetch("SELECT id, uscc, family FROM agencies ORDER BY id")
    agencies_by_family: dict[AgencyFamily, list[int]] = {}
    for row in rows:
        agencies_by_family.setdefault(AgencyFamily(row["family"]), []).append(row["id"])
    checking_uscc = agency_rows[[a[0] for a in AGENCIES].index(CHECKING_AGENCY)][0]
    return agencies_by_family, [r["id"] for r in rows], str(checking_uscc)


async def _copy_chunks(
    connection: asyncpg.Connection,
    table: str,
    rows: Iterator[tuple[object, ...]],
    columns: Sequence[str],
    total: int,
    say: Callable[[str], None],
) -> None:
    done = 0
    for chunk in _chunks(rows, CHUNK):
        await connection.copy_records_to_table(table, records=chunk, columns=columns)
        done += len(chunk)
        say(f"{table} {done:,}/{total:,}")


async def _settle(
    connection: asyncpg.Connection, say: Callable[[str], None], loaded: float
) -> None:
    """Sequences past the copied ids, a check that no record points nowhere, statistics
    and a checkpoint: the measurement starts from settled tables."""
    await connection.execute("SELECT setval('persons_id_seq', (SELECT max(id) FROM persons))")
    await connection.execute(
        "SELECT setval('credit_records_id_seq', (SELECT max(id) FROM credit_records))"
    )
    orphans = await connection.fetchval(
        "SELECT count(*) FROM credit_records r LEFT JOIN persons p ON p.id = r.person_id "
        "WHERE p.id IS NULL"
    )
    if orphans:
        raise RuntimeError(f"{orphans} credit records point at no person")
    say(f"COPY done in {loaded:.1f}s; VACUUM ANALYZE + CHECKPOINT")
    await connection.execute("VACUUM (ANALYZE) agencies, persons, credit_records, clients")
    await connection.execute("CHECKPOINT")
    say("tables analyzed")


def _chunks(rows: Iterator[tuple[object, ...]], size: int) -> Iterator[list[tuple[object, ...]]]:
    chunk: list[tuple[object, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def load(
    dsn: str,
    pii: PiiCipher,
    *,
    persons: int,
    records: int,
    seed: int,
    progress: bool = True,
) -> Dataset:
    """COPY the data set into the (migrated, empty) database at `dsn`, then VACUUM ANALYZE
    and CHECKPOINT so the measurement starts from settled tables."""
    _check_mix()
    started = time.perf_counter()
    rng = random.Random(seed)
    now = datetime.now(UTC)

    def say(message: str) -> None:
        if progress:
            print(f"  [{time.perf_counter() - started:6.1f}s] {message}", flush=True)

    connection = await asyncpg.connect(dsn)
    try:
        agencies_by_family, agency_ids, checking_uscc = await _copy_agencies(connection, rng, now)
        id_numbers = _id_numbers(rng, persons)
        say(f"{len(AGENCIES)} agencies; {persons:,} ID numbers generated")
        # The records' FK triggers would look every row up; the rows are consistent by
        # construction (checked below), so replication mode skips the triggers during COPY.
        await connection.execute("SET session_replication_role = replica")
        person_rows = _person_rows(rng, pii, id_numbers, agency_ids, now)
        await _copy_chunks(connection, "persons", person_rows, PERSON_COLUMNS, persons, say)
        with_records = min(persons, records, max(1, round(persons * WITH_RECORDS_SHARE)))
        record_rows = _record_rows(
            rng,
            count=records,
            with_records=with_records,
            agencies_by_family=agencies_by_family,
            now=now,
        )
        await _copy_chunks(connection, "credit_records", record_rows, RECORD_COLUMNS, records, say)
        await connection.execute("SET session_replication_role = DEFAULT")
        await _settle(connection, say, time.perf_counter() - started)
    finally:
        await connection.close()
    return Dataset(
        id_numbers=id_numbers,
        with_records=with_records,
        checking_agency_uscc=checking_uscc,
        persons=persons,
        records=records,
        seconds=time.perf_counter() - started,
    )
