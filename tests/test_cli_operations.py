"""`hub operations hash|check`: writing and reviewing the persisted operations manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from click.testing import CliRunner, Result

from hub.cli import main

HIRING = "query HiringCheck($i: CheckInput!) {\r\n  check(input: $i) { verdict }\r\n}\r\n"
PING = "{ __typename }\n"


def run(*args: object, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": "200", **(env or {})})


def document(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def test_every_operations_command_has_help():
    for args in (["operations"], ["operations", "hash"], ["operations", "check"]):
        result = run(*args, "--help")
        assert result.exit_code == 0, result.output
        assert "Usage:" in result.output


def test_hash_prints_the_sha256_of_the_exact_text_and_the_name(tmp_path):
    hiring = document(tmp_path, "hiring.graphql", HIRING)
    ping = document(tmp_path, "ping.graphql", PING)
    result = run("operations", "hash", hiring, ping)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{hashlib.sha256(HIRING.encode()).hexdigest()}  HiringCheck  {hiring}",
        f"{hashlib.sha256(PING.encode()).hexdigest()}  (anonymous)  {ping}",
    ]


def test_hash_json_gives_manifest_entries_that_check_accepts(tmp_path):
    hiring = document(tmp_path, "hiring.graphql", HIRING)
    printed = run("operations", "hash", "--json", hiring)
    assert printed.exit_code == 0, printed.output
    entries = json.loads(printed.output)
    [entry] = entries["operations"]
    assert entry == {
        "id": hashlib.sha256(HIRING.encode()).hexdigest(),
        "name": "HiringCheck",
        "body": HIRING,
    }
    clients = {"c-1": {"mode": "enforce", "operations": [entry["id"]]}}
    manifest = tmp_path / "operations.json"
    manifest.write_text(json.dumps({**entries, "clients": clients}), encoding="utf-8")
    checked = run("operations", "check", manifest)
    assert checked.exit_code == 0, checked.output
    assert f"{manifest}: 1 operations, valid" in checked.output
    [row] = [line for line in checked.output.splitlines() if "c-1" in line]
    assert "enforce" in row and "HiringCheck" in row


def test_hash_refuses_a_file_of_two_operations(tmp_path):
    both = document(tmp_path, "both.graphql", "query A { __typename } query B { __typename }")
    result = run("operations", "hash", both)
    assert result.exit_code == 1
    assert f"{both} holds 2 operations; put each operation" in result.output


def test_hash_refuses_a_file_that_is_not_graphql(tmp_path):
    broken = document(tmp_path, "broken.graphql", "query {")
    result = run("operations", "hash", broken)
    assert result.exit_code == 1
    assert f"{broken}: the text is not a GraphQL document" in result.output


def test_check_names_the_file_and_the_problem(tmp_path):
    manifest = tmp_path / "operations.json"
    manifest.write_text('{"clients": {"c-1": {"mode": "block"}}}', encoding="utf-8")
    result = run("operations", "check", manifest)
    assert result.exit_code == 1
    assert f"persisted operations manifest {manifest}: clients['c-1']: \"mode\" must be" in (
        result.output
    )
    assert "[HUB_PERSISTED_OPERATIONS]" in result.output


def test_check_reads_the_setting_when_no_file_is_named(tmp_path):
    manifest = tmp_path / "operations.json"
    manifest.write_text('{"operations": []}', encoding="utf-8")
    result = run("operations", "check", env={"HUB_PERSISTED_OPERATIONS": str(manifest)})
    assert result.exit_code == 0, result.output
    assert "0 operations, valid" in result.output and "no clients are restricted" in result.output
    unset = run("operations", "check", env={"HUB_PERSISTED_OPERATIONS": ""})
    assert unset.exit_code == 1
    assert "name a manifest, or set HUB_PERSISTED_OPERATIONS" in unset.output
