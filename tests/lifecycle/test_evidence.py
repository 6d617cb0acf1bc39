"""Evidence files: checked before anything is stored, kept encrypted, downloadable by the
filing agency and the record's source agency only, every download audited."""

from __future__ import annotations

import base64

from parties import SUBJECT
from sqlalchemy import func, select
from test_objections_end_to_end import FILE, LIST, REASON, record_id

from hub.audit.models import AuditEvent
from hub.evidence.models import Evidence
from hub.evidence.service import MAX_BYTES

PDF = b"%PDF-1.4\n% scan of the appraisal file\n" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EVIDENCE = "{ id filename contentType size sha256 url }"


def attachment(data: bytes, name="档案记载.pdf", kind="application/pdf", encoded=None):
    content = encoded if encoded is not None else base64.b64encode(data).decode()
    return {"filename": name, "contentType": kind, "contentBase64": content}


async def file_with(parties, *files):
    variables = {
        "i": {
            "record": await record_id(parties),
            "kind": "DATA_ERROR",
            "reason": REASON,
            "evidence": list(files),
        }
    }
    query = FILE.replace("id kind state", "id evidence " + EVIDENCE + " kind state", 1)
    return await parties.ask(parties.hr, query, variables)


async def download(parties, token, url):
    return await parties.hub.http.get(url, headers={"Authorization": f"Bearer {token}"})


async def test_the_filer_and_the_source_download_the_file_and_no_one_else(parties, db):
    filed = await file_with(parties, attachment(PDF), attachment(PNG, "照片.png", "image/png"))
    files = filed["data"]["fileObjection"]["evidence"]
    assert [(f["filename"], f["contentType"], f["size"]) for f in files] == [
        ("档案记载.pdf", "application/pdf", len(PDF)),
        ("照片.png", "image/png", len(PNG)),
    ]
    url = files[0]["url"]
    for token in (parties.hr, parties.source):
        response = await download(parties, token, url)
        assert response.status_code == 200 and response.content == PDF
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "attachment" in response.headers["content-disposition"]
    stranger = await download(parties, parties.stranger, url)
    absent = await download(parties, parties.stranger, "/evidence/999999")
    assert stranger.status_code == absent.status_code == 404
    assert (await parties.hub.http.get(url)).status_code == 401
    # Stored encrypted, and each download noted in the subject's trail.
    async with db.sessions() as session:
        stored = await session.scalar(
            select(Evidence.content).where(Evidence.id == int(files[0]["id"]))
        )
        assert PDF not in stored and PDF[:8] not in stored
    await parties.hub.runtime.sealer.seal_all()
    async with db.sessions() as session:
        downloads = list(
            await session.scalars(
                select(AuditEvent.subject_key).where(AuditEvent.operation == "evidence")
            )
        )
    # Both downloads are in the person's own trail, under the keyed hash of the ID number.
    assert downloads == [parties.hub.runtime.pii.lookup_hash(SUBJECT["idNumber"])] * 2


async def test_a_wrong_file_is_refused_by_name_and_nothing_is_stored(parties, db):
    cases = [
        (attachment(PNG), "evidence.0", "first bytes"),  # a PNG claimed to be a PDF
        (
            attachment(b"MZ\x90\x00", "a.exe", "application/x-msdownload"),
            "evidence.0",
            "not accepted",
        ),
        (attachment(b"%PDF-" + b"x" * MAX_BYTES), "evidence.0", "a file holds 1 to 1000000"),
        (attachment(b"", encoded="not base64!"), "evidence.0.contentBase64", "base64"),
        (attachment(PDF, name="../../etc/passwd"), "evidence.0", "plain file name"),
    ]
    for item, field, words in cases:
        error = (await file_with(parties, item))["errors"][0]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, error
        assert words in error["message"]
    four = (await file_with(parties, *[attachment(PDF)] * 4))["errors"][0]
    assert four["extensions"] == {"code": "BAD_USER_INPUT", "field": "evidence"}
    assert (await parties.ask(parties.hr, LIST))["data"]["objections"]["edges"] == []
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Evidence)) == 0
