"""Row rules as values: which 行政区划 prefix a jurisdiction covers, and who is inside it."""

from __future__ import annotations

import pytest

from hub.access.rules import in_jurisdiction, jurisdiction_prefix
from hub.errors import InvalidInput


@pytest.mark.parametrize(
    ("code", "prefix"),
    [
        ("320000", "32"),  # 江苏省
        ("320100", "3201"),  # 南京市
        ("320102", "320102"),  # 玄武区
        ("3201", "3201"),
        ("32", "32"),
        (" 320100 ", "3201"),
    ],
)
def test_a_jurisdiction_covers_the_prefix_its_code_names(code, prefix):
    assert jurisdiction_prefix(code) == prefix


@pytest.mark.parametrize("code", ["", "3", "32010", "3201000", "32010X", "三二零一零零"])
def test_a_jurisdiction_that_is_not_a_region_code_is_refused_naming_the_field(code):
    with pytest.raises(InvalidInput) as refused:
        jurisdiction_prefix(code, field="clients.jurisdiction")
    assert refused.value.field == "clients.jurisdiction"
    assert "320100" in refused.value.message  # the message shows what a valid value is


@pytest.mark.parametrize("code", ["３２０１００", "٣٢٠١٠٠"])
def test_a_jurisdiction_in_non_ascii_digits_is_refused(code):
    with pytest.raises(InvalidInput):
        jurisdiction_prefix(code)


def test_the_field_named_by_default_is_jurisdiction():
    with pytest.raises(InvalidInput) as refused:
        jurisdiction_prefix("abc")
    assert refused.value.field == "jurisdiction"


@pytest.mark.parametrize(
    ("prefix", "region_code", "inside"),
    [
        ("32", "320102", True),
        ("3201", "320102", True),
        ("3201", "320200", False),
        ("320102", "320102", True),
        ("320102", "320105", False),
        ("3201", "330106", False),
    ],
)
def test_a_subject_is_inside_when_its_region_starts_with_the_prefix(prefix, region_code, inside):
    assert in_jurisdiction(prefix, region_code) is inside


def test_a_client_without_a_jurisdiction_sees_every_region():
    assert in_jurisdiction(None, "650102")
