"""Why a caller reads a person (PIPL Art. 6: purpose-bound processing). A check states its
purpose in its input; any other read of a person states one of these."""

from __future__ import annotations

from dataclasses import dataclass

from hub.errors import InvalidInput, PurposeRequired
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


# A reference (招录公告号, 评选批次, 合同号, 工单号) is kept with every access; long enough for any
# of them, short enough to stay a reference.
MAX_REFERENCE = 200

PURPOSE_HELP = (
    "why the person is read (PIPL Art. 6): pass the argument `purpose` or the header "
    "X-Hub-Purpose, one of " + ", ".join(p.value for p in AccessPurpose)
)


@dataclass(frozen=True)
class Stated:
    """Why a read of persons happens, as the caller stated it."""

    purpose: AccessPurpose
    reference: str | None


def require_purpose(purpose: AccessPurpose | None, reference: str | None) -> Stated:
    """A read of a person must state its purpose (PIPL Art. 6); the reference is optional."""
    if purpose is None:
        raise PurposeRequired(PURPOSE_HELP, field="purpose")
    if reference is not None and len(reference) > MAX_REFERENCE:
        raise InvalidInput(f"longer than {MAX_REFERENCE} characters", field="reference")
    cleaned = reference.strip() if reference else ""
    return Stated(purpose, cleaned or None)
