"""The ingest benchmark's input and database: the 失信被执行人 CSV (written by the court
connector's own sample writer), what a correct ingest of it must leave behind, and a fresh,
migrated database with the court registered."""

from __future__ import annotations

import csv
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench.database import recreate_database
from bench.dataset import GIVEN, REGIONS, SURNAMES
from connectors.court.mapping import looks_like_person
from connectors.court.samples import DEFAULTER_HEADERS, write_defaulters
from hub.agencies.models import AgencyFamily, AgencyLevel
from hub.agencies.service import add_agency
from hub.db.engine import create_engine, session_factory
from hub.db.migrate import upgrade
from hub.subjects.identifiers import USCC_ALPHABET, id_check_char, uscc_check_char

ENCODING = "gbk"  # what court exports are in; the hub detects it (GB18030/GBK)
ORGANIZATION_SHARE = 0.15
COURT_NAME = "江州市中级人民法院"
# Born 1955 … 1999: every listed person is an adult on every publication date the sample
# writer draws (2017 onwards), so no row is refused for 年龄 < 18.
_BORN_FROM, _BORN_DAYS = date(1955, 1, 1), 45 * 365


def court_uscc() -> str:
    """A valid USCC of a court (government organs are registered by 机构编制: 11…)."""
    first17 = "11" + "361200" + "MB" + "0371452"
    assert all(c in USCC_ALPHABET for c in first17)
    return first17 + uscc_check_char(first17)


def person_pool(count: int, seed: int) -> list[tuple[str, str]]:
    """`count` (name, 18-digit 居民身份证号码) pairs with distinct, valid numbers."""
    rng = random.Random(seed)
    seen: set[str] = set()
    pool: list[tuple[str, str]] = []
    while len(pool) < count:
        born = _BORN_FROM + timedelta(days=rng.randrange(_BORN_DAYS))
        first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
        number = first17 + id_check_char(first17)
        if number in seen:
            continue
        seen.add(number)
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))
        pool.append((name, number))
    return pool


@dataclass(frozen=True)
class CsvFile:
    path: Path
    rows: int
    bytes: int
    seconds: float  # writing it (not part of any measurement)
    person_pool: int
    # What a correct ingest registers, read back from the file:
    person_rows: int
    organization_rows: int
    distinct_persons: int
    distinct_organizations: int
    distinct_case_numbers: int


def write_csv(path: Path, rows: int, persons: int, seed: int, *, first_case: int = 1) -> CsvFile:
    """The court connector's sample writer, unmasked: every person row carries the full ID
    number, so every row can be attached (its subject is registered if new)."""
    started = time.perf_counter()
    pool = person_pool(persons, seed)
    write_defaulters(
        path,
        rows,
        format="csv",
        encoding=ENCODING,
        seed=seed,
        persons=pool,
        mask=False,
        organization_share=ORGANIZATION_SHARE,
        first_case=first_case,
    )
    seconds = time.perf_counter() - started
    counts = _scan(path)
    if counts["rows"] != rows:
        raise RuntimeError(f"{path.name}: {counts['rows']:,} rows written, {rows:,} asked for")
    return CsvFile(
        path=path,
        rows=rows,
        bytes=path.stat().st_size,
        seconds=seconds,
        person_pool=persons,
        person_rows=counts["person_rows"],
        organization_rows=counts["organization_rows"],
        distinct_persons=counts["distinct_persons"],
        distinct_organizations=counts["distinct_organizations"],
        distinct_case_numbers=counts["distinct_case_numbers"],
    )


def _scan(path: Path) -> dict[str, int]:
    """Subjects and 案号 in the file, classified the way the court mapping does (a row that
    names a 法定代表人或者负责人, or whose number is not an ID number, is an organization)."""
    column = {header: index for index, header in enumerate(DEFAULTER_HEADERS)}
    number_at, head_at = column["身份证号码/组织机构代码"], column["法定代表人或者负责人姓名"]
    case_at = column["案号"]
    persons: set[str] = set()
    organizations: set[str] = set()
    cases: set[str] = set()
    rows = person_rows = 0
    with path.open(encoding=ENCODING, newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for cells in reader:
            rows += 1
            cases.add(cells[case_at])
            number = cells[number_at]
            if cells[head_at] or not looks_like_person(number):
                organizations.add(number)
            else:
                persons.add(number)
                person_rows += 1
    return {
        "rows": rows,
        "person_rows": person_rows,
        "organization_rows": rows - person_rows,
        "distinct_persons": len(persons),
        "distinct_organizations": len(organizations),
        "distinct_case_numbers": len(cases),
    }


async def _register_court(url: str, uscc: str) -> int:
    engine = create_engine(url)
    try:
        async with session_factory(engine).begin() as session:
            agency, _ = await add_agency(
                session,
                uscc=uscc,
                name=COURT_NAME,
                region_code=None,
                level=AgencyLevel.CITY,
                family=AgencyFamily.COURT,
            )
            return int(agency.id)
    finally:
        await engine.dispose()


async def fresh_database(admin_url: str, name: str, url: str, uscc: str) -> int:
    """Drop and create `name`, run the hub's migrations, register the court; its agency id."""
    import asyncio

    await recreate_database(admin_url, name)
    await asyncio.to_thread(upgrade, url)
    return await _register_court(url, uscc)
