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
