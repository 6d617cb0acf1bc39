"""The runtime an edge builds once: a transaction through it is audited and sealed at once,
and closing it seals what is left and releases the connections."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from sqlalchemy import func, select

from hub.audit.chain import AccessEntry
from hub.audit.models import AuditEvent, PendingAccess
from hub.audit.service import Caller, note, open_trail
from hub.checks.ruleset import current_ruleset
from hub.garbage import YOUNG_THRESHOLD
from hub.runtime import Runtime, open_runtime
from hub.settings import Settings
from hub.subjects.pii import PiiCipher


def access(key: str) -> AccessEntry:
    return AccessEntry(
        operation="person",
        subject_type="PERSON",
        subject_key=key,
        purpose="HIRING",
        reference="江组招-9",
        result="found",
        at=datetime.now(UTC),
    )


async def count(db, model) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_transaction_is_committed_audited_and_sealed_at_once(db, keys_dir, keys):
    async with open_runtime(Settings(database_url=db.url, keys_dir=keys_dir), keys) as runtime:
        async with runtime.transaction(Caller(None, None, "cli-test")) as session:
            note(session, [access("k1"), access("k2")])
        assert await count(db, PendingAccess) == 0
        assert await count(db, AuditEvent) == 2


async def test_closing_seals_what_other_sessions_left_pending(db, keys_dir, keys):
    runtime = Runtime.build(Settings(database_url=db.url, keys_dir=keys_dir), keys)
    async with runtime.sessions.begin() as session:  # as a request would, without sealing
        open_trail(session, Caller("c-1", None, "req-1"))
        note(session, [access("k3")])
    assert await count(db, PendingAccess) == 1
    await runtime.close()
    assert (await count(db, PendingAccess), await count(db, AuditEvent)) == (0, 1)
    assert runtime.engine.pool.checkedout() == 0


async def test_a_failed_transaction_records_nothing(db, keys_dir, keys):
    async with open_runtime(Settings(database_url=db.url, keys_dir=keys_dir), keys) as runtime:
        try:
            async with runtime.transaction(Caller(None, None, "cli-test")) as session:
                note(session, [access("k4")])
                raise LookupError("the command failed")
        except LookupError:
            pass
    assert (await count(db, PendingAccess), await count(db, AuditEvent)) == (0, 0)


async def test_the_runtime_carries_the_current_rule_set_and_the_pii_keys(db, keys_dir, keys):
    async with open_runtime(Settings(database_url=db.url, keys_dir=keys_dir), keys) as runtime:
        assert runtime.ruleset.rules
        number = "11010519491231002X"
        assert runtime.pii.lookup_hash(number) == PiiCipher(keys.pii).lookup_hash(number)
        assert runtime.ruleset.version == current_ruleset().version


async def test_a_serving_process_freezes_what_start_up_built_and_collects_less_often(http):
    # `http` is an app whose lifespan ran (hub.garbage: set once per process).
    assert (await http.get("/healthz")).status_code == 200
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    assert gc.get_freeze_count() > 0
