from __future__ import annotations

from hub.records.enums import LabelledEnum


class Purpose(LabelledEnum):
    HIRING = ("HIRING", "录用")
    TRANSFER = ("TRANSFER", "调任")
    AWARD = ("AWARD", "评优评先")
    APPRAISAL = ("APPRAISAL", "年度考核")
    PROCUREMENT = ("PROCUREMENT", "采购人信用")

    @property
    def scope(self) -> str:
        return f"check:{self.value.lower()}"


class Verdict(LabelledEnum):
    CLEAR = ("CLEAR", "未发现限制")
    REVIEW = ("REVIEW", "需人工复核")
    RESTRICTED = ("RESTRICTED", "受限")


class Outcome(LabelledEnum):
    RESTRICTED = ("RESTRICTED", "限制")
    REVIEW = ("REVIEW", "复核")


class AppraisalEffect(LabelledEnum):
    """What a record does to a 年度考核 grade (公务员法 Art. 38 grades), lightest first."""

    NOT_EXCELLENT = ("NOT_EXCELLENT", "不得确定为优秀")
    NO_GRADE = ("NO_GRADE", "不确定等次")
    INCOMPETENT = ("INCOMPETENT", "不称职")

    @property
    def weight(self) -> int:
        # "The heaviest effect decides" (RULES.md §3): declaration order is the ranking.
        return list(AppraisalEffect).index(self)
