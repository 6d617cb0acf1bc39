"""The floor of one HIRING check (issue 14): what PostgreSQL alone does for it, measured by
pgbench (`-M prepared`, 32 clients, 2 threads, 15 s) with a script of the minimal durable
SQL: one read statement (the client's agency, the person and the records it may see), one
write statement (the check row and its audit entry), COMMIT — on the hub's real tables and
the bench's data set, in the same run as the hub."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import asyncpg

SCRIPT = """\\set pid random(1, {max_person})
BEGIN;
SELECT c.agency_id, a.region_code, p.id, r.id, r.category, r.sanction_kind, r.status, \
r.decided_at, r.effective_until, r.severity, r.detail ->> 'actRef', r.objection_kind, \
r.objection_due, r.repaired_on, r.source_ref FROM clients c JOIN agencies a ON a.id = \
c.agency_id LEFT JOIN persons p ON p.id = :pid LEFT JOIN credit_records r ON r.person_id = \
p.id AND (r.source_agency_id = c.agency_id OR r.status <> 'REVOKED') WHERE c.id = '{client}' \
AND c.revoked_at IS NULL;
WITH stored AS (INSERT INTO checks (id, client_id, agency_id, purpose, reference, \
subject_type, subject_key, as_of, verdict, ruleset_version, result, checked_at) VALUES \
(gen_random_uuid()::text, '{client}', {agency}, 'HIRING', 'floor', 'PERSON', \
md5(:pid::text) || md5(:pid::text), current_date, 'CLEAR', 'floor', \
'{{"verdict": "CLEAR", "findings": []}}', now()) RETURNING id) INSERT INTO audit_pending \
(at, request_id, client_id, agency_id, operation, subject_type, subject_key, purpose, \
reference, result) SELECT now(), 'floor', '{client}', {agency}, 'check', 'PERSON', \
md5(:pid::text) || md5(:pid::text), 'HIRING', 'floor', 'CLEAR' FROM stored;
COMMIT;
"""


@dataclass(frozen=True)
class Floor:
    tps: float
    latency_ms: float
    clients: int
    seconds: float


async def _facts(dsn: str, client_id: str) -> tuple[int, int]:
    connection = await asyncpg.connect(dsn)
    try:
        agency = await connection.fetchval("SELECT agency_id FROM clients WHERE id = $1", client_id)
        max_person = await connection.fetchval("SELECT max(id) FROM persons")
    finally:
        await connection.close()
    return int(agency), int(max_person)


def measure_floor(dsn: str, client_id: str, clients: int = 32, seconds: float = 15) -> Floor | None:
    pgbench = shutil.which("pgbench")
    if pgbench is None:
        print("NOTE: pgbench unavailable (apt-get install postgresql-client): no floor")
        return None
    agency, max_person = asyncio.run(_facts(dsn, client_id))
    url = urlparse(dsn)
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "hiring_check.sql"
        script.write_text(SCRIPT.format(client=client_id, agency=agency, max_person=max_person))
        command = [
            pgbench, "-n", "-M", "prepared", "-c", str(clients), "-j", "2",
            "-T", str(int(seconds)), "-f", str(script),
            "-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432),
            "-U", url.username or "postgres", url.path.lstrip("/"),
        ]  # fmt: skip
        print(f"floor: pgbench -M prepared -c {clients} -T {int(seconds)}", flush=True)
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    if done.returncode != 0:
        raise RuntimeError(f"pgbench failed: {done.stderr[-2000:]}")
    tps = re.search(r"tps = ([\d.]+)", done.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", done.stdout)
    if tps is None or latency is None:
        raise RuntimeError(f"unexpected pgbench output: {done.stdout[-2000:]}")
    return Floor(float(tps.group(1)), float(latency.group(1)), clients, seconds)
