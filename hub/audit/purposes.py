"""Why a caller reads a person (PIPL Art. 6: purpose-bound processing). A check states its
purpose in its input; any other read of a person states one of these."""

from __future__ import annotations

from hub.records.enums import LabelledEnum


class AccessPurpose(LabelledEnum):
    HIRING = ("HIRING", "录用")
    TRANSFER = ("TRANSFER", "调任")
    AWARD = ("AWARD", "评优评先")
    APPRAISAL = ("APPRAISAL", "年度考核")
    PROCUREMENT = ("PROCUREMENT", "采购人信用")
    RECORD_MANAGEMENT = ("RECORD_MANAGEMENT", "本单位记录管理")
    OBJECTION = ("OBJECTION", "异议处理")
    REPAIR = ("REPAIR", "信用修复")
    SUPERVISION = ("SUPERVISION", "监督检查")
    SUBJECT_REQUEST = ("SUBJECT_REQUEST", "本人查询")
    PLATFORM_SYNC = ("PLATFORM_SYNC", "平台共享同步")
