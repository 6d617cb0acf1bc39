"""Roles, passwords, lock-out and session lifetime: pure decisions over values.

A role is a bundle of the API's scopes, so one access policy (hub.access, the scope checks of
each service) governs the console and the API alike; the console adds no permission of its
own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.auth import scopes as s


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    scopes: frozenset[str]


ROLES: dict[str, Role] = {
    role.name: role
    for role in (
        Role(
            "checker",
            "核查员（录用、调任、评优评先、年度考核核查）",
            frozenset(
                {
                    s.CHECK_HIRING,
                    s.CHECK_TRANSFER,
                    s.CHECK_AWARD,
                    s.CHECK_APPRAISAL,
                    s.RECORDS_READ,
                    s.OBJECTIONS_FILE,
                    s.REPAIR_APPLY,
                }
            ),
        ),
        Role("procurement", "采购人信用核查", frozenset({s.CHECK_PROCUREMENT})),
        Role("pii", "查看完整个人信息（姓名、身份证号码）", frozenset({s.RECORDS_READ_PII})),
        Role(
            "objection-handler",
            "异议与信用修复办理（本单位报送的记录）",
            frozenset({s.OBJECTIONS_MANAGE, s.REPAIR_DECIDE, s.RECORDS_READ}),
        ),
        Role("auditor", "审计查阅", frozenset({s.AUDIT_READ})),
        Role(
            "evaluator",
            "政务诚信考核评价（评价结果、预警处置、人工指标录入）",
            frozenset({s.EVALUATION_READ, s.EVALUATION_MANAGE}),
        ),
        Role("ledger", "本单位承诺台账", frozenset({s.COMMITMENTS_MANAGE})),
        Role("clues", "失信线索受理与核查", frozenset({s.CLUES_MANAGE})),
        Role("admin", "系统管理员", frozenset({s.ADMIN, s.RECORDS_READ})),
    )
}

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
# Five wrong passwords in a row lock the account for a quarter of an hour: slow enough to
# stop guessing, short enough that a forgetful officer is not locked out for the day.
FAILURES_BEFORE_LOCK = 5
LOCK_DURATION = timedelta(minutes=15)
# However active, a session ends after a working day; the idle limit is a setting.
MAX_SESSION_AGE = timedelta(hours=12)


def parse_roles(text: str) -> frozenset[str]:
    """Comma- or space-separated role names; an unknown name is an error, not ignored."""
    roles = frozenset(part for part in text.replace(",", " ").split() if part)
    unknown = roles - ROLES.keys()
    if unknown:
        raise ValueError(
            f"unknown role(s): {', '.join(sorted(unknown))}; known: {', '.join(ROLES)}"
        )
    return roles


def scopes_of(roles: Iterable[str]) -> frozenset[str]:
    return frozenset(scope for name in roles if name in ROLES for scope in ROLES[name].scopes)


def password_problem(password: str, login: str) -> str | None:
    """Why a new password is refused (in Chinese, shown next to the field), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少 {MIN_PASSWORD_LENGTH} 个字符"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"密码不能超过 {MAX_PASSWORD_LENGTH} 个字符"
    if login.lower() in password.lower():
        return "密码不能包含登录名"
    if len(set(password)) < 4:
        return "密码过于简单，请混合使用字母、数字和符号"
    return None


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


def after_failure(failures: int, now: datetime) -> tuple[int, datetime | None]:
    """The failure count and lock after one more wrong password."""
    failures += 1
    if failures >= FAILURES_BEFORE_LOCK:
        return 0, now + LOCK_DURATION
    return failures, None


def session_alive(
    created_at: datetime, last_seen_at: datetime, now: datetime, idle: timedelta
) -> bool:
    return now - last_seen_at < idle and now - created_at < MAX_SESSION_AGE
