"""The change feed over HTTP, as a sync job reads it, on both databases: CloudEvents in commit
order with an opaque cursor, the subject masked without the PII scope and every person given
audited, jurisdiction applied, filters, a stale cursor refused with the way back, and a
snapshot that hands over to the feed without losing a change."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from factories import body, person, record, submit, token_for
from sqlalchemy import select
from support import gql, make_id_number, sequenced

from hub.audit.models import AuditEvent, PendingAccess
from hub.db.base import utcnow

CHANGES = """query($after: String, $first: Int, $f: ChangeFilter) {
  changes(after: $after, first: $first, filter: $f) {
    edges { cursor node { id specversion source type subject time datacontenttype data } }
    pageInfo { hasNextPage endCursor } } }"""
SNAPSHOT = """query($after: String, $first: Int) { recordsSnapshot(after: $after, first: $first) {
  edges { cursor node { id type subject data } } pageInfo { hasNextPage endCursor } feedCursor asOf } }"""

ZHANG = person(301, "张三丰")
LI = {"idNumber": make_id_number(region="320102", seq=302), "name": "李四"}  # 南京, not 江州
BUREAU = body(303, "江州市某局")
SOURCE = 31


async def _seeded(app, db):
    rows = [
        record("江监政处〔2026〕1号", ZHANG, kind="DEMERIT", decided="2026-03-01"),
        record("江监政处〔2026〕2号", LI, decided="2026-03-02"),
        record("江监政处〔2026〕3号", BUREAU, category="PROMISE_BROKEN", kind=None,
               severity="GENERAL", decided="2026-03-03", summary="未履行招商引资承诺"),
    ]  # fmt: skip
    await submit(app.http, db, rows, agency_seed=SOURCE)


async def _changes(app, token, **variables):
    answer = (await gql(app.http, token, CHANGES, variables)).json()
    assert "errors" not in answer, answer
    return answer["data"]["changes"]


async def test_a_sync_job_reads_cloudevents_in_order_and_resumes_from_its_cursor(app, db):
    await _seeded(app, db)
    await sequenced(app.runtime)
    sync = await token_for(app.http, db, "sync:read", agency_seed=32)
    first = await _changes(app, sync, first=2)
    events = [e["node"] for e in first["edges"]]
    assert [e["id"] for e in events] == ["1", "2"] and first["pageInfo"]["hasNextPage"]
    created = events[0]
    assert created["specversion"] == "1.0"
    assert created["source"] == app.runtime.settings.issuer
    assert created["type"] == "cn.gov.credit.record.created"
    assert created["datacontenttype"] == "application/json"
    origin = created["data"]["origin"]
    assert origin["sourceRef"] == "江监政处〔2026〕1号" and origin["stream"] == "push"
    assert created["subject"] == "/".join(
        [origin["hub"], origin["agencyUscc"], "push", "江监政处〔2026〕1号"]
    )
    # Without records:read:pii the person is masked, as every read of the hub shows them.
    subject = created["data"]["subject"]
    assert subject["idNumber"] != ZHANG["idNumber"] and "*" in subject["idNumber"]
    assert subject["name"] == "张**"
    assert (created["data"]["sanctionKind"], created["data"]["status"]) == ("DEMERIT", "ACTIVE")

    rest = await _changes(app, sync, after=first["pageInfo"]["endCursor"])
    assert [e["node"]["id"] for e in rest["edges"]] == ["3"]
    assert not rest["pageInfo"]["hasNextPage"]
    # At the end the cursor stays where it is until something new commits.
    end = rest["pageInfo"]["endCursor"]
    idle = await _changes(app, sync, after=end)
    assert idle["edges"] == [] and idle["pageInfo"]["endCursor"] == end

    await submit(app.http, db, [record("江监政处〔2026〕1号", ZHANG, kind="DEMERIT",
                                       decided="2026-03-01", summary="更正：违反工作纪律")],
                 agency_seed=SOURCE)  # fmt: skip
    await sequenced(app.runtime)
    updated = await _changes(app, sync, after=end)
    assert [(e["node"]["id"], e["node"]["type"]) for e in updated["edges"]] == [
        ("4", "cn.gov.credit.record.updated")
    ]
    assert updated["edges"][0]["node"]["data"]["recordVersion"] == 2


async def test_the_pii_scope_gives_persons_in_clear_and_every_person_given_is_audited(app, db):
    await _seeded(app, db)
    await sequenced(app.runtime)
    sync = await token_for(app.http, db, "sync:read records:read:pii", agency_seed=33)
    page = await _changes(app, sync)
    subjects = [e["node"]["data"]["subject"] for e in page["edges"]]
    assert [s["idNumber"] for s in subjects[:2]] == [ZHANG["idNumber"], LI["idNumber"]]
    assert subjects[0]["name"] == "张三丰"
    assert subjects[2] == {
        "type": "ORGANIZATION", "idNumber": None, "uscc": BUREAU["uscc"],
        "name": "江州市某局", "regionCode": "361200",
    }  # fmt: skip
    await app.runtime.sealer.seal_all()
    async with db.sessions() as session:
        trail = (
            await session.execute(
                select(AuditEvent.operation, AuditEvent.purpose, AuditEvent.subject_key)
            )
        ).all()
        left = await session.scalar(select(PendingAccess.id).limit(1))
    keys = {app.runtime.pii.lookup_hash(p["idNumber"]) for p in (ZHANG, LI)}
    given = {(op, purpose) for op, purpose, key in trail if key in keys}
    assert given == {("changes", "PLATFORM_SYNC")} and left is None
    assert {key for op, _, key in trail if op == "changes"} == keys


async def test_a_client_bound_to_a_jurisdiction_follows_only_its_region(app, db):
    await _seeded(app, db)
    await sequenced(app.runtime)
    nanjing = await token_for(app.http, db, "sync:read", agency_seed=34, jurisdiction="320100")
    page = await _changes(app, nanjing)
    assert [e["node"]["data"]["origin"]["sourceRef"] for e in page["edges"]] == [
        "江监政处〔2026〕2号"
    ]
    # It still passes the others: its cursor ends at the head, not at its last event.
    assert page["pageInfo"]["endCursor"] != page["edges"][-1]["cursor"]


async def test_filters_by_category_subject_type_and_time(app, db):
    await _seeded(app, db)
    await sequenced(app.runtime)
    sync = await token_for(app.http, db, "sync:read", agency_seed=35)

    async def refs(**flt):
        page = await _changes(app, sync, f=flt)
        return [e["node"]["data"]["origin"]["sourceRef"] for e in page["edges"]]

    assert await refs(categories=["PROMISE_BROKEN"]) == ["江监政处〔2026〕3号"]
    assert await refs(subjectType="PERSON") == ["江监政处〔2026〕1号", "江监政处〔2026〕2号"]
    later = (utcnow() + timedelta(minutes=1)).isoformat()
    assert await refs(since=later) == []


async def test_bad_requests_are_refused_with_their_field(app, db):
    sync = await token_for(app.http, db, "sync:read", agency_seed=36)
    reader = await token_for(app.http, db, "records:read", agency_seed=37)
    for variables, field in (({"first": 0}, "first"), ({"first": 5001}, "first"),
                             ({"after": "bm90LWEtY3Vyc29y"}, "after")):  # fmt: skip
        error = (await gql(app.http, sync, CHANGES, variables)).json()["errors"][0]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    error = (await gql(app.http, reader, CHANGES)).json()["errors"][0]
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_a_stale_cursor_is_refused_and_the_snapshot_hands_over_to_the_feed(app, db):
    await _seeded(app, db)
    await sequenced(app.runtime)
    sync = await token_for(app.http, db, "sync:read", agency_seed=38)
    kept = (await _changes(app, sync, first=1))["pageInfo"]["endCursor"]

    later = utcnow() + timedelta(days=401)
    app.use(runtime=dataclasses.replace(app.runtime, now=lambda: later))
    stale = (await gql(app.http, sync, CHANGES, {"after": kept})).json()["errors"][0]
    assert stale["extensions"] == {
        "code": "CURSOR_EXPIRED", "field": "after", "resync": "recordsSnapshot",
    }  # fmt: skip
    assert "400 days" in stale["message"]

    first = (await gql(app.http, sync, SNAPSHOT, {"first": 2})).json()["data"]["recordsSnapshot"]
    assert [e["node"]["type"] for e in first["edges"]] == ["cn.gov.credit.record.snapshot"] * 2
    # A change committed while the snapshot is being read …
    await submit(app.http, db, [record("江监政处〔2026〕4号", ZHANG, decided="2026-04-01")],
                 agency_seed=SOURCE)  # fmt: skip
    await sequenced(app.runtime)
    rest = (await gql(app.http, sync, SNAPSHOT, {"after": first["pageInfo"]["endCursor"]})).json()[
        "data"
    ]["recordsSnapshot"]
    assert rest["feedCursor"] == first["feedCursor"]
    snapshot = [e["node"]["data"]["origin"]["sourceRef"] for e in first["edges"] + rest["edges"]]
    # … comes from the feed after the snapshot's cursor, whether the snapshot had it or not.
    app.use(runtime=dataclasses.replace(app.runtime, now=utcnow))
    after = await _changes(app, sync, after=first["feedCursor"])
    followed = [e["node"]["data"]["origin"]["sourceRef"] for e in after["edges"]]
    assert followed == ["江监政处〔2026〕4号"]
    assert set(snapshot[:3]) == {
        "江监政处〔2026〕1号",
        "江监政处〔2026〕2号",
        "江监政处〔2026〕3号",
    }
