"""江州市, the fictional city of the demo (行政区划 3612xx): its agencies and civil servants."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from hub.agencies.models import AgencyFamily, AgencyLevel
from hub.subjects.identifiers import USCC_ALPHABET, id_check_char, uscc_check_char

CITY_CODE = "361200"
COUNTIES = (("361202", "江城区"), ("361203", "东湖区"), ("361221", "柳溪县"), ("361222", "云岭县"))
BIRTH_FROM, BIRTH_TO = date(1965, 1, 1), date(2001, 12, 31)

# The agencies that other modules refer to by name. The 监委 decides 政务处分; the 纪委
# decides 党纪处分 and 问责.
SUPERVISION = "江州市监察委员会"
DISCIPLINE = "中共江州市纪律检查委员会"
INTERMEDIATE_COURT = "江州市中级人民法院"
ORGANIZATION_DEPT = "中共江州市委组织部"
HR_BUREAU = "江州市人力资源和社会保障局"
CIVIL_SERVICE = "江州市公务员局"
FINANCE_BUREAU = "江州市财政局"
PUBLIC_RESOURCES = "江州市公共资源交易管理办公室"
_F = AgencyFamily
_CITY_SPECIAL = (
    (DISCIPLINE, _F.DISCIPLINE),
    (SUPERVISION, _F.DISCIPLINE),
    (INTERMEDIATE_COURT, _F.COURT),
    (ORGANIZATION_DEPT, _F.HR),
    (HR_BUREAU, _F.HR),
    (CIVIL_SERVICE, _F.HR),
    (FINANCE_BUREAU, _F.FINANCE),
    (PUBLIC_RESOURCES, _F.FINANCE),
)
_CITY_DEPARTMENTS = (
    "人民政府",
    "发展和改革委员会",
    "教育局",
    "科学技术局",
    "工业和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化广电新闻出版旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "城市管理局",
)


def _weighted(spec: str) -> tuple[list[str], list[int]]:
    """Parses `王71 李70` into (["王", "李"], [71, 70]): weighted tables stay compact."""
    names, weights = [], []
    for token in spec.split():
        name = token.rstrip("0123456789")
        names.append(name)
        weights.append(int(token[len(name) :]))
    return names, weights


# Approximate national frequencies (per mille), with the Jiangxi surnames 熊 万 涂 邹 a bit up.
_SURNAMES = _weighted(
    "王71 李70 张68 刘54 陈45 杨31 黄22 赵20 吴20 周19 徐15 孙15 马12 朱12 胡11 郭11 何10 "
    "高10 林10 罗9 郑9 梁9 谢8 熊7 宋7 唐7 许6 韩6 冯6 邓6 曹6 彭6 曾6 肖6 田5 董5 袁5 潘5 "
    "于5 蒋5 蔡5 余5 万4 杜4 叶4 程4 魏4 邹4 钟3 龚3 涂2 欧阳1"
)
_MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林洋毅峰建国志文海东亮晨博荣"
_FEMALE_CHARS = "芳娟敏静丽艳娜秀英霞燕玲兰红梅琳婷雪莉倩颖佳欣怡慧琴晶萍洁璐瑶悦璇丹"
_SHARED_CHARS = "华明文春晓立新子嘉思雨"


@dataclass(frozen=True)
class DemoAgency:
    uscc: str
    name: str
    region_code: str
    level: AgencyLevel
    family: AgencyFamily


@dataclass(frozen=True)
class DemoPerson:
    id_number: str
    name: str
    # None for exam applicants, who are not (yet) civil servants.
    employer_uscc: str | None


def make_agencies(rng: random.Random) -> tuple[DemoAgency, ...]:
    specs = [(name, CITY_CODE, AgencyLevel.CITY, family) for name, family in _CITY_SPECIAL]
    specs += [(f"江州市{d}", CITY_CODE, AgencyLevel.CITY, _F.OTHER) for d in _CITY_DEPARTMENTS]
    for code, county in COUNTIES:
        specs.append((f"江州市{county}人民政府", code, AgencyLevel.COUNTY, _F.OTHER))
        specs.append((f"江州市{county}人民法院", code, AgencyLevel.COUNTY, _F.COURT))
    used: set[str] = set()
    agencies = []
    for name, region, level, family in specs:
        uscc = _organ_uscc(rng, region)
        while uscc in used:
            uscc = _organ_uscc(rng, region)
        used.add(uscc)
        agencies.append(DemoAgency(uscc, name, region, level, family))
    return tuple(agencies)


def _organ_uscc(rng: random.Random, region: str) -> str:
    # 1 = registered by 机构编制, 1 = 机关; then the region, then the 主体标识码.
    body = "".join(rng.choice("0123456789") for _ in range(8)) + rng.choice(USCC_ALPHABET)
    first17 = "11" + region + body
    return first17 + uscc_check_char(first17)


def id_number(region: str, birth: date, sequence: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


def make_civil_servants(
    rng: random.Random, agencies: Sequence[DemoAgency], count: int, taken: set[str]
) -> tuple[DemoPerson, ...]:
    """`taken` holds the ID numbers already handed out; the new ones are added to it."""
    # County governments and courts employ more people than a city bureau.
    weights = [
        5 if a.level is AgencyLevel.COUNTY else 3 if a.family is not _F.OTHER else 2
        for a in agencies
    ]
    employers = rng.choices([a.uscc for a in agencies], weights=weights, k=count)
    return tuple(make_person(rng, employer, taken) for employer in employers)


def make_person(
    rng: random.Random, employer: str | None, taken: set[str], born_from: date = BIRTH_FROM
) -> DemoPerson:
    regions = [CITY_CODE] + [code for code, _ in COUNTIES]
    span = (BIRTH_TO - born_from).days
    while True:
        region = rng.choices(regions, weights=(1, 4, 3, 2, 2))[0]
        birth = born_from + timedelta(days=rng.randrange(span + 1))
        sequence = rng.randrange(1, 1000)
        number = id_number(region, birth, sequence)
        if number not in taken:
            taken.add(number)
            # The sequence number is odd for men, even for women (GB 11643-1999).
            return DemoPerson(number, _name(rng, male=sequence % 2 == 1), employer)


def _name(rng: random.Random, *, male: bool) -> str:
    surname = rng.choices(*_SURNAMES)[0]
    pool = (_MALE_CHARS if male else _FEMALE_CHARS) + _SHARED_CHARS
    length = 1 if rng.random() < 0.25 else 2
    return surname + "".join(rng.choice(pool) for _ in range(length))
