"""Realistic court files for tests and benchmarks: 失信被执行人 entries as the public listing
shows them, and judgments against government bodies, in CSV, XLSX or JSON Lines.

Rows are streamed to the file as they are made, so a million-row file costs no more memory
than a ten-row one. Identities are drawn from small pools (made once per file), which is
also what a real listing looks like: a debtor appears under several 案号.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from connectors.court.mapping import DEFAULTER_FIELDS, JUDGMENT_FIELDS, as_published
from vocabulary.identifiers import id_check_char, uscc_check_char

DEFAULTER_HEADERS = tuple(aliases[0] for aliases in DEFAULTER_FIELDS.values())[:15]
DEFAULTER_KEYS = tuple(DEFAULTER_FIELDS)[:15]  # the public API's keys, in the same order
JUDGMENT_HEADERS = tuple(aliases[0] for aliases in JUDGMENT_FIELDS.values())
JUDGMENT_KEYS = tuple(JUDGMENT_FIELDS)

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国文斌海燕红云飞鹏辉志宏"
# (province, 案号 abbreviation, 行政区划代码 of a district, its city, the courts there)
_PROVINCES = (
    ("安徽", "皖", "340104", "合肥市", ("合肥市蜀山区人民法院", "合肥市中级人民法院")),
    ("江西", "赣", "360102", "南昌市", ("南昌市东湖区人民法院", "南昌市中级人民法院")),
    ("广东", "粤", "440305", "深圳市", ("深圳市南山区人民法院", "深圳市中级人民法院")),
    ("江苏", "苏", "320102", "南京市", ("南京市玄武区人民法院", "南京市中级人民法院")),
    ("四川", "川", "510104", "成都市", ("成都市锦江区人民法院", "成都市中级人民法院")),
    ("浙江", "浙", "330106", "杭州市", ("杭州市西湖区人民法院", "杭州市中级人民法院")),
    ("北京", "京", "110105", "北京市", ("北京市朝阳区人民法院", "北京市第三中级人民法院")),
)
_BY_AREA = {province[2]: province for province in _PROVINCES}
_GROUNDS = (
    ("有履行能力而拒不履行生效法律文书确定义务", 60),
    ("违反财产报告制度", 15),
    ("违反限制消费令", 10),
    ("无正当理由拒不履行执行和解协议", 5),
    ("以伪造证据、暴力、威胁等方法妨碍、抗拒执行", 4),
    ("以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行", 6),
)
_WEIGHTED_GROUNDS = tuple(text for text, weight in _GROUNDS for _ in range(weight))
_UNPERFORMED = ("全部未履行", "全部未履行", "部分未履行")
_DUTIES = (
    "被告{who}于本判决生效之日起十日内偿还原告借款本金{amount}元及利息",
    "被告{who}于本判决生效之日起十日内支付原告货款{amount}元",
    "被申请人{who}向申请人支付工程款{amount}元及逾期付款违约金",
    "被告{who}于本判决生效之日起十五日内支付原告劳动报酬{amount}元",
)
_BODIES = ("住房和城乡建设局", "自然资源局", "交通运输局", "教育局", "卫生健康委员会", "人民政府")
_COMPANIES = ("建设工程有限公司", "商贸有限公司", "科技有限公司", "房地产开发有限公司")
_CAUSES = (
    ("行初", "行政协议纠纷", "判决被告继续履行行政协议并支付补偿款{amount}元"),
    ("行初", "行政补偿纠纷", "判决被告于判决生效之日起九十日内支付征收补偿款{amount}元"),
    ("民初", "建设工程施工合同纠纷", "判决被告支付工程款{amount}元及利息"),
    ("民初", "买卖合同纠纷", "判决被告支付货款{amount}元"),
)
# (name, number as shown, 法定代表人或者负责人, 性别, birth year or 0 for an organization)
_Subject = tuple[str, str, str, str, int]
_FIRST_PUBLISHED = date(2017, 1, 1)
_PUBLISH_DAYS = 8 * 365


def write_defaulters(
    path: Path,
    rows: int,
    *,
    format: str,
    encoding: str = "utf-8",
    seed: int = 0,
    persons: Sequence[tuple[str, str]] | None = None,
    mask: bool = True,
    organization_share: float = 0.15,
    performed_share: float = 0.0,
    first_case: int = 1,
) -> Path:
    """Writes `rows` 失信被执行人 entries, each under its own 案号. Person entries draw on
    `persons` ((name, 18-digit ID number) pairs) when given, else on made-up people; their
    numbers are masked as published (`3423011964****3224`) unless `mask` is False. A share of
    the entries can be marked 全部履行 (a listing that ended). 案号 are numbered from
    `first_case`: files meant to hold different entries need ranges that do not overlap."""
    rng = random.Random(seed)
    people = [
        _person_subject(name, number, mask)
        for name, number in (persons or [_person(rng) for _ in range(min(rows, 5000) or 1)])
    ]
    organizations = [(name, uscc, head, "", 0) for name, uscc, head in _organizations(rng, 200)]
    entries = _defaulters(
        rng,
        range(first_case, first_case + rows),
        people,
        organizations,
        organization_share,
        performed_share,
    )
    _write(Path(path), format, encoding, DEFAULTER_HEADERS, DEFAULTER_KEYS, entries)
    return Path(path)


def write_judgments(
    path: Path, rows: int, *, format: str, encoding: str = "utf-8", seed: int = 0
) -> Path:
    """Writes `rows` judgments against government bodies, about a third of them performed."""
    rng = random.Random(seed)
    bodies = _organizations(rng, 50, government=True)
    entries = (_judgment(rng, index, bodies) for index in range(rows))
    _write(Path(path), format, encoding, JUDGMENT_HEADERS, JUDGMENT_KEYS, entries)
    return Path(path)


# As the public listing shows it: birth month and day hidden (the mapping's own mask).
mask_id_number = as_published


def _person_subject(name: str, number: str, mask: bool) -> _Subject:
    sex = "男" if int(number[16]) % 2 else "女"  # GB 11643: an odd sequence number is a man
    return name, mask_id_number(number) if mask else number, "", sex, int(number[6:10])


def _defaulters(
    rng: random.Random,
    case_numbers: range,
    people: list[_Subject],
    organizations: list[_Subject],
    organization_share: float,
    performed_share: float,
) -> Iterator[tuple[Any, ...]]:
    # One loop with precomputed text and bare rng.random(): a million rows in a few seconds.
    draw = rng.random
    calendar = _Calendar(_FIRST_PUBLISHED - timedelta(days=400), _PUBLISH_DAYS + 400)
    for case_number in case_numbers:
        province, short, area, _, courts = _PROVINCES[int(draw() * len(_PROVINCES))]
        court = courts[int(draw() * len(courts))]
        published = 400 + int(draw() * _PUBLISH_DAYS)
        registered = published - 3 - int(draw() * 397)
        if draw() < organization_share:
            name, number, head, sex, born = organizations[int(draw() * len(organizations))]
        else:
            name, number, head, sex, born = people[int(draw() * len(people))]
        year = calendar.years[registered]
        duty = _DUTIES[int(draw() * len(_DUTIES))]
        yield (
            name,
            number,
            head,
            sex,
            calendar.years[published] - born if born else 0,
            court,
            province,
            f"（{year - 1}）{short}{area[2:]}民初{1 + int(draw() * 30000)}号",
            calendar.compact[registered],
            f"（{year}）{short}{area[2:]}执{case_number}号",
            court,
            duty.format(who=name, amount=(5 + int(draw() * 495)) * 1000),
            "全部履行" if draw() < performed_share else _UNPERFORMED[int(draw() * 3)],
            _WEIGHTED_GROUNDS[int(draw() * len(_WEIGHTED_GROUNDS))],
            calendar.chinese[published],
        )


class _Calendar:
    """Every day of a span, formatted once as the listing writes it."""

    def __init__(self, first: date, days: int) -> None:
        span = [first + timedelta(days=offset) for offset in range(days)]
        self.years = [day.year for day in span]
        self.compact = [f"{day:%Y%m%d}" for day in span]  # 立案时间 20190709
        self.chinese = [f"{day.year}年{day.month:02d}月{day.day:02d}日" for day in span]


def _judgment(
    rng: random.Random, index: int, bodies: list[tuple[str, str, str]]
) -> tuple[Any, ...]:
    name, uscc, _ = rng.choice(bodies)
    _, short, area, _, courts = _BY_AREA[uscc[2:8]]  # a body is sued where it sits
    kind, cause, orders = rng.choice(_CAUSES)
    judged = _FIRST_PUBLISHED + timedelta(days=rng.randrange(_PUBLISH_DAYS))
    effective = judged + timedelta(days=rng.randrange(15, 60))
    amount = rng.randrange(10, 3000) * 1000
    performance = rng.choice(("未履行", "部分履行", "已履行"))
    performed = effective + timedelta(days=rng.randrange(30, 300))
    return (
        f"（{judged.year}）{short}{area[2:]}{kind}{index + 1}号",
        name,
        uscc,
        rng.choice(courts),
        judged.isoformat(),
        effective.isoformat(),
        cause,
        "败诉",
        orders.format(amount=amount),
        str(amount),
        performance,
        performed.isoformat() if performance == "已履行" else "",
        "",
    )


def _person(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2))))
    area = rng.choice(_PROVINCES)[2]
    born = date(1955, 1, 1) + timedelta(days=rng.randrange(45 * 365))
    first17 = f"{area}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return name, first17 + id_check_char(first17)


def _organizations(
    rng: random.Random, count: int, government: bool | None = None
) -> list[tuple[str, str, str]]:
    return [_organization(rng, government) for _ in range(count)]


def _organization(rng: random.Random, government: bool | None) -> tuple[str, str, str]:
    """(name, USCC, 法定代表人或者负责人); government bodies are registered by 机构编制 (11…)."""
    _, _, area, city, _ = rng.choice(_PROVINCES)
    if government is None:
        government = rng.random() < 0.3
    if government:
        name, prefix = city + rng.choice(_BODIES), "11"
    else:
        name, prefix = city + _person(rng)[0][:1] + "某" + rng.choice(_COMPANIES), "91"
    body = "".join(rng.choices("0123456789ABCDEFGHJKLMNPQRTUWXY", k=9))
    first17 = prefix + area + body
    return name, first17 + uscc_check_char(first17), _person(rng)[0]


def _write(
    path: Path,
    format: str,
    encoding: str,
    headers: Sequence[str],
    keys: Sequence[str],
    entries: Iterable[tuple[Any, ...]],
) -> None:
    if format == "csv":
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows(entries)
    elif format == "jsonl":
        with path.open("w", encoding=encoding) as handle:
            handle.writelines(_json_lines(keys, entries))
    elif format == "xlsx":
        _write_xlsx(path, headers, entries)
    else:
        raise ValueError(f"unknown format {format!r}; use csv, xlsx or jsonl")


def _json_lines(keys: Sequence[str], entries: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    for entry in entries:
        yield json.dumps(dict(zip(keys, entry, strict=True)), ensure_ascii=False) + "\n"


def _write_xlsx(path: Path, headers: Sequence[str], entries: Iterable[tuple[Any, ...]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)  # rows go to disk as appended
    sheet = workbook.create_sheet("Sheet1")
    sheet.append(list(headers))
    for entry in entries:
        sheet.append(list(entry))
    workbook.save(path)
