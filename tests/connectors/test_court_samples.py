"""The sample-file generator the tests and the ingest benchmark use."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.base import Row
from connectors.court import Config, CourtConnector
from connectors.court.mapping import looks_like_person
from connectors.court.samples import mask_id_number, write_defaulters, write_judgments

connector = CourtConnector()
KNOWN = [("王伟", "11010519491231002X"), ("李娜", "440524188001010014")]


def records(path: Path, stream: str = "defaulters") -> list[dict]:
    config = Config(path=path, stream=stream)
    rows = [
        i for i in connector.read(config, connector.discover(config)[0], {}) if isinstance(i, Row)
    ]
    assert all(row.problem is None for row in rows), [row.problem for row in rows]
    return [dict(row.record or {}) for row in rows]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_the_same_seed_writes_the_same_file(tmp_path: Path, fmt: str) -> None:
    first = write_defaulters(tmp_path / f"a.{fmt}", 20, format=fmt, seed=5)
    second = write_defaulters(tmp_path / f"b.{fmt}", 20, format=fmt, seed=5)
    assert records(first) == records(second)
    assert records(first) != records(
        write_defaulters(tmp_path / f"c.{fmt}", 20, format=fmt, seed=6)
    )


def test_a_listing_mixes_masked_persons_and_organizations_under_unique_case_numbers(
    tmp_path: Path,
) -> None:
    listed = records(write_defaulters(tmp_path / "listing.csv", 300, format="csv", encoding="gbk"))
    assert len({r["source_ref"] for r in listed}) == 300
    persons = [r for r in listed if "subject_id_number" in r]
    organizations = [r for r in listed if "subject_uscc" in r]
    assert persons and organizations and len(persons) + len(organizations) == 300
    assert all("****" in r["subject_id_number"] for r in persons)
    assert all(r["detail"]["age"] >= 18 for r in persons)
    assert any(r["subject_uscc"].startswith("11") for r in organizations)  # government bodies
    assert {r["status"] for r in listed} == {"ACTIVE"}
    assert {r["severity"] for r in listed} == {"GENERAL", "SERIOUS"}


@pytest.mark.parametrize("mask", [True, False])
def test_given_persons_are_listed_clear_or_masked(tmp_path: Path, mask: bool) -> None:
    path = write_defaulters(
        tmp_path / "listing.jsonl",
        50,
        format="jsonl",
        persons=KNOWN,
        mask=mask,
        organization_share=0,
    )
    numbers = {r["subject_id_number"] for r in records(path)}
    expected = {mask_id_number(n) if mask else n for _, n in KNOWN}
    assert numbers == expected
    assert all(looks_like_person(n) for n in numbers)


def test_a_share_of_listings_can_have_ended(tmp_path: Path) -> None:
    listed = records(
        write_defaulters(tmp_path / "listing.csv", 200, format="csv", performed_share=0.5)
    )
    ended = [r for r in listed if r["status"] == "EXPIRED"]
    assert 50 < len(ended) < 150
    assert all(r["effective_until"] == r["decided_at"] for r in ended)


def test_masking_hides_the_birth_month_and_day_as_published() -> None:
    assert mask_id_number("342301196401013224") == "3423011964****3224"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_judgment_files_are_read_by_the_judgments_stream(tmp_path: Path, fmt: str) -> None:
    judged = records(write_judgments(tmp_path / f"judgments.{fmt}", 30, format=fmt), "judgments")
    assert len({r["source_ref"] for r in judged}) == 30
    assert {r["status"] for r in judged} == {"ACTIVE", "EXPIRED"}
    assert all(r["effective_until"] for r in judged if r["status"] == "EXPIRED")


def test_an_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        write_defaulters(tmp_path / "listing.xml", 1, format="xml")


def test_files_numbered_from_different_first_cases_share_no_case_number(tmp_path: Path) -> None:
    monday = records(write_defaulters(tmp_path / "a.csv", 100, format="csv", seed=1))
    tuesday = records(
        write_defaulters(tmp_path / "b.csv", 100, format="csv", seed=1, first_case=101)
    )
    assert not {r["source_ref"] for r in monday} & {r["source_ref"] for r in tuesday}
