"""The vocabularies of credit records. Values are the stable API names; `label` is the
Chinese term used by the source systems and shown to HR officers."""

from __future__ import annotations

from enum import Enum
from functools import cache
from typing import TYPE_CHECKING


class LabelledEnum(str, Enum):
    """Members are declared as (value, Chinese label); the value is what is stored and sent."""

    label: str

    # Hidden from type checkers, which would otherwise expect Purpose("HIRING", label) and
    # take the member values for tuples.
    if TYPE_CHECKING:

        @property
        def value(self) -> str: ...

    else:

        def __new__(cls, value: str, label: str) -> LabelledEnum:
            member = str.__new__(cls, value)
            member._value_ = value
            member.label = label
            return member

    @classmethod
    def from_label(cls, text: str) -> LabelledEnum | None:
        return _by_text(cls).get(text.strip())


@cache
def _by_text(kind: type[LabelledEnum]) -> dict[str, LabelledEnum]:
    # Built once per enum (ingest asks for every field of every row); the first member
    # with a value or label wins, as a scan in declaration order would.
    found: dict[str, LabelledEnum] = {}
    for member in kind:
        found.setdefault(member.value, member)
        found.setdefault(member.label, member)
    return found


class SubjectType(LabelledEnum):
    PERSON = ("PERSON", "自然人")
    ORGANIZATION = ("ORGANIZATION", "机构")


class RecordCategory(LabelledEnum):
    GOVERNMENT_SANCTION = ("GOVERNMENT_SANCTION", "政务处分")
    PARTY_DISCIPLINE = ("PARTY_DISCIPLINE", "党纪处分")
    ACCOUNTABILITY = ("ACCOUNTABILITY", "组织处理/问责")
    CRIMINAL_PUNISHMENT = ("CRIMINAL_PUNISHMENT", "刑事处罚")
    JUDGMENT_DEFAULTER = ("JUDGMENT_DEFAULTER", "失信被执行人")
    COURT_JUDGMENT = ("COURT_JUDGMENT", "生效裁判未履行/败诉")
    ADMINISTRATIVE_PENALTY = ("ADMINISTRATIVE_PENALTY", "行政处罚")
    EXAM_MISCONDUCT = ("EXAM_MISCONDUCT", "录用违规违纪")
    APPRAISAL_RESULT = ("APPRAISAL_RESULT", "年度考核")
    DISMISSAL = ("DISMISSAL", "辞退")
    PROCUREMENT_BREACH = ("PROCUREMENT_BREACH", "采购违约")
    PAYMENT_ARREARS = ("PAYMENT_ARREARS", "拖欠账款")
    PPP_DEFAULT = ("PPP_DEFAULT", "PPP违约")
    PROMISE_BROKEN = ("PROMISE_BROKEN", "未守信践诺")
    STATISTICS_FRAUD = ("STATISTICS_FRAUD", "统计造假")
    INVESTIGATION_OPEN = ("INVESTIGATION_OPEN", "立案审查调查未结案")


class SanctionKind(LabelledEnum):
    # 政务处分 (公职人员政务处分法 Art. 7)
    WARNING = ("WARNING", "警告")
    DEMERIT = ("DEMERIT", "记过")
    MAJOR_DEMERIT = ("MAJOR_DEMERIT", "记大过")
    DEMOTION = ("DEMOTION", "降级")
    REMOVAL = ("REMOVAL", "撤职")
    EXPULSION = ("EXPULSION", "开除")
    # 党纪处分 (中国共产党纪律处分条例 Art. 8)
    PARTY_WARNING = ("PARTY_WARNING", "党内警告")
    PARTY_SERIOUS_WARNING = ("PARTY_SERIOUS_WARNING", "党内严重警告")
    PARTY_POST_REMOVAL = ("PARTY_POST_REMOVAL", "撤销党内职务")
    PARTY_PROBATION_1Y = ("PARTY_PROBATION_1Y", "留党察看一年")
    PARTY_PROBATION_2Y = ("PARTY_PROBATION_2Y", "留党察看二年")
    PARTY_EXPULSION = ("PARTY_EXPULSION", "开除党籍")
    # 组织处理 / 问责
    ADMONISHMENT = ("ADMONISHMENT", "诫勉")
    POST_ADJUSTMENT = ("POST_ADJUSTMENT", "调整职务")
    ORDERED_RESIGNATION = ("ORDERED_RESIGNATION", "责令辞职")
    REMOVAL_FROM_POST = ("REMOVAL_FROM_POST", "免职")
    POST_DEMOTION = ("POST_DEMOTION", "降职")
    # 公务员录用违规违纪行为处理办法
    BAN_5Y = ("BAN_5Y", "五年内限制报考")
    BAN_LIFE = ("BAN_LIFE", "终身限制报考")


class Severity(LabelledEnum):
    MINOR = ("MINOR", "轻微")
    GENERAL = ("GENERAL", "一般")
    SERIOUS = ("SERIOUS", "严重")


class RecordStatus(LabelledEnum):
    ACTIVE = ("ACTIVE", "有效")
    UNDER_OBJECTION = ("UNDER_OBJECTION", "异议处理中")
    CORRECTED = ("CORRECTED", "已更正")
    REVOKED = ("REVOKED", "已撤销")
    REPAIRED = ("REPAIRED", "已修复")
    EXPIRED = ("EXPIRED", "已失效")


class ObjectionKind(LabelledEnum):
    """What an open objection (异议) disputes. Only the data is suspended from use: a request
    for 复审/复核 does not suspend a 政务处分 (公职人员政务处分法 Art. 56)."""

    DATA_ERROR = ("DATA_ERROR", "数据异议")
    SANCTION_REVIEW = ("SANCTION_REVIEW", "申请复审复核")


class ObjectionState(LabelledEnum):
    OPEN = ("OPEN", "待受理")
    ACKNOWLEDGED = ("ACKNOWLEDGED", "核查中")
    UPHELD = ("UPHELD", "异议成立，待更正")
    REJECTED = ("REJECTED", "异议不成立")
    CORRECTED = ("CORRECTED", "已更正")
    WITHDRAWN = ("WITHDRAWN", "来源已撤销或更正记录")


# An objection in these states still disputes the record (an upheld one until corrected).
OBJECTION_OPEN = frozenset(
    {ObjectionState.OPEN, ObjectionState.ACKNOWLEDGED, ObjectionState.UPHELD}
)


class RepairState(LabelledEnum):
    PENDING = ("PENDING", "待决定")
    APPROVED = ("APPROVED", "已修复")
    REJECTED = ("REJECTED", "不予修复")
    WITHDRAWN = ("WITHDRAWN", "来源已撤销或更正记录")


# Which sanction kinds belong to which category; a kind outside its category is rejected.
KINDS_BY_CATEGORY: dict[RecordCategory, frozenset[SanctionKind]] = {
    RecordCategory.GOVERNMENT_SANCTION: frozenset(
        {
            SanctionKind.WARNING,
            SanctionKind.DEMERIT,
            SanctionKind.MAJOR_DEMERIT,
            SanctionKind.DEMOTION,
            SanctionKind.REMOVAL,
            SanctionKind.EXPULSION,
        }
    ),
    RecordCategory.PARTY_DISCIPLINE: frozenset(
        {
            SanctionKind.PARTY_WARNING,
            SanctionKind.PARTY_SERIOUS_WARNING,
            SanctionKind.PARTY_POST_REMOVAL,
            SanctionKind.PARTY_PROBATION_1Y,
            SanctionKind.PARTY_PROBATION_2Y,
            SanctionKind.PARTY_EXPULSION,
        }
    ),
    RecordCategory.ACCOUNTABILITY: frozenset(
        {
            SanctionKind.ADMONISHMENT,
            SanctionKind.POST_ADJUSTMENT,
            SanctionKind.ORDERED_RESIGNATION,
            SanctionKind.REMOVAL_FROM_POST,
            SanctionKind.POST_DEMOTION,
        }
    ),
    RecordCategory.EXAM_MISCONDUCT: frozenset({SanctionKind.BAN_5Y, SanctionKind.BAN_LIFE}),
}

# Categories whose records are meaningless without a sanction kind.
KIND_REQUIRED = frozenset(KINDS_BY_CATEGORY)

# Statuses that keep a record in force; the rest never restrict (DESIGN.md §5).
IN_FORCE = frozenset({RecordStatus.ACTIVE, RecordStatus.UNDER_OBJECTION})

# Statuses a source agency may set on its own record: revoked or corrected (政务处分法
# Art. 60), or expired when it ended the effect itself (a 失信被执行人 entry deleted once the
# debt is paid, 若干规定 Art. 10). UNDER_OBJECTION and REPAIRED belong to the hub's workflows.
SUBMITTABLE_STATUSES = frozenset(
    {RecordStatus.ACTIVE, RecordStatus.REVOKED, RecordStatus.CORRECTED, RecordStatus.EXPIRED}
)
# What a source's status column holds: its own word on the record (政务处分法 Art. 60). A
# submitted EXPIRED is read as the end of the effect (effectiveUntil); UNDER_OBJECTION,
# REPAIRED and EXPIRED are shown from the hub's own workflows (see records.lifecycle).
SOURCE_STATUSES = frozenset({RecordStatus.ACTIVE, RecordStatus.CORRECTED, RecordStatus.REVOKED})
