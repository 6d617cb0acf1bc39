"""The pure rules behind console accounts: roles as scopes, passwords, lock-out, sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.auth.scopes import ALL_SCOPES, CHECK_HIRING, OBJECTIONS_MANAGE, RECORDS_READ_PII
from hub.users.rules import (
    FAILURES_BEFORE_LOCK,
    LOCK_DURATION,
    MAX_SESSION_AGE,
    ROLES,
    after_failure,
    is_locked,
    parse_roles,
    password_problem,
    scopes_of,
    session_alive,
)

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def test_every_role_grants_only_scopes_the_api_knows():
    for role in ROLES.values():
        assert role.scopes and role.scopes <= ALL_SCOPES


def test_roles_combine_into_the_union_of_their_scopes():
    scopes = scopes_of(parse_roles("checker, pii"))
    assert CHECK_HIRING in scopes and RECORDS_READ_PII in scopes
    assert OBJECTIONS_MANAGE not in scopes


def test_an_unknown_role_is_an_error_naming_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown role.*boss.*known: checker"):
        parse_roles("checker boss")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "至少 10 个字符"),
        ("x" * 129, "不能超过"),
        ("my-wangmin-2026", "不能包含登录名"),
        ("aaaaaaaaaaab", "过于简单"),
        ("Solid-Pass-2026", None),
    ],
)
def test_a_new_password_is_judged_by_length_login_and_variety(password, problem):
    found = password_problem(password, "WangMin")
    assert (found is None) if problem is None else (problem in (found or ""))


def test_the_fifth_failure_in_a_row_locks_for_a_quarter_of_an_hour():
    failures, locked = 0, None
    for _ in range(FAILURES_BEFORE_LOCK - 1):
        failures, locked = after_failure(failures, NOW)
        assert locked is None
    failures, locked = after_failure(failures, NOW)
    assert failures == 0 and locked == NOW + LOCK_DURATION
    assert is_locked(locked, NOW + LOCK_DURATION - timedelta(seconds=1))
    assert not is_locked(locked, NOW + LOCK_DURATION)


def test_a_session_ends_when_idle_or_after_a_working_day_however_active():
    idle = timedelta(minutes=30)
    assert session_alive(NOW, NOW + timedelta(minutes=29), NOW + timedelta(minutes=58), idle)
    assert not session_alive(NOW, NOW, NOW + timedelta(minutes=30), idle)
    late = NOW + MAX_SESSION_AGE
    assert not session_alive(NOW, late - timedelta(minutes=1), late, idle)
