"""`CheckInput` is built by its own hook (schema.checks, for the batch's speed); it must
build what Strawberry's generic conversion builds from the same coerced value, every field
included — a field added to the input and forgotten in the hook fails here."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strawberry.types.arguments import convert_argument

from hub.checks.purposes import Purpose
from schema import build_schema
from schema.checks import CheckInput

SCHEMA = build_schema(production=False)
CONVERTER = SCHEMA.schema_converter
DEFINITION = CheckInput.__strawberry_definition__  # type: ignore[attr-defined]

texts = st.none() | st.text(max_size=20)
subjects = st.fixed_dictionaries({}, optional={"idNumber": texts, "uscc": texts, "name": texts})
inputs = st.fixed_dictionaries(
    {"purpose": st.sampled_from(Purpose), "subject": subjects, "reference": st.text(max_size=30)},
    optional={
        "asOf": st.none() | st.dates(date(1950, 1, 1), date(2199, 12, 31)),
        "appraisalYear": st.none() | st.integers(1950, 2199),
    },
)


def _generic(value: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patched:
        patched.setattr(DEFINITION, "from_input", None)
        return convert_argument(value, CheckInput, CONVERTER.scalar_registry, CONVERTER.config)


def _hooked(value: dict[str, Any]) -> Any:
    return convert_argument(value, CheckInput, CONVERTER.scalar_registry, CONVERTER.config)


@settings(max_examples=200, deadline=None)
@given(value=inputs)
def test_the_hook_builds_what_strawberry_builds(value: dict[str, Any]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert _hooked(value) == _generic(value, monkeypatch)


def test_every_field_of_the_input_is_carried(monkeypatch: pytest.MonkeyPatch) -> None:
    names = {CONVERTER.config.name_converter.from_field(f) for f in DEFINITION.fields}
    assert names == {"purpose", "subject", "reference", "asOf", "appraisalYear"}, (
        "CheckInput changed: teach schema.checks._check_input_of the new field"
    )
    value = {
        "purpose": Purpose.APPRAISAL,
        "subject": {"idNumber": "x", "uscc": "y", "name": "张三"},
        "reference": "r",
        "asOf": date(2026, 12, 5),
        "appraisalYear": 2025,
    }
    assert _hooked(value) == _generic(value, monkeypatch)
