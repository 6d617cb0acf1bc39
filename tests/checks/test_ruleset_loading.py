"""Loading a rule set strictly: a mistake in the file stops start-up and names the rule."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from hub.checks.purposes import Outcome, Purpose
from hub.checks.rules import WindowKind
from hub.checks.ruleset import CURRENT, current_ruleset, load_ruleset, parse_ruleset
from hub.errors import ConfigurationError
from hub.records.enums import RecordCategory, SanctionKind, SubjectType

RULE_ID = "TEST-AWARD-WARNING"

VALID_RULE: dict[str, Any] = {
    "id": RULE_ID,
    "description": "受警告处分，处分期间（六个月）不得评优评先",
    "purposes": ["AWARD"],
    "subject_type": "PERSON",
    "categories": ["GOVERNMENT_SANCTION"],
    "sanction_kinds": ["WARNING"],
    "window": "months",
    "months": 6,
    "outcome": "RESTRICTED",
    "legal_basis": "《中华人民共和国公职人员政务处分法》第八条",
}


def document(*rules: dict[str, Any], **top_level: Any) -> dict[str, Any]:
    return {"version": "test.1", "rule": [copy.deepcopy(r) for r in rules], **top_level}


def rule_with(**changes: Any) -> dict[str, Any]:
    rule = copy.deepcopy(VALID_RULE)
    rule.update(changes)
    return rule


def rule_without(key: str) -> dict[str, Any]:
    rule = copy.deepcopy(VALID_RULE)
    del rule[key]
    return rule


def test_a_valid_rule_parses_into_typed_values():
    (rule,) = parse_ruleset(document(VALID_RULE)).rules
    assert rule.id == RULE_ID
    assert rule.purposes == {Purpose.AWARD}
    assert rule.categories == {RecordCategory.GOVERNMENT_SANCTION}
    assert rule.sanction_kinds == {SanctionKind.WARNING}
    assert rule.subject_type is SubjectType.PERSON
    assert (rule.window.kind, rule.window.months) == (WindowKind.MONTHS, 6)
    assert rule.outcome is Outcome.RESTRICTED


def test_unknown_top_level_key_is_refused_and_named():
    with pytest.raises(ConfigurationError) as caught:
        parse_ruleset(document(VALID_RULE, rules_extra=[]))
    assert "rules_extra" in caught.value.message


@pytest.mark.parametrize(
    "broken_rule",
    [
        pytest.param(rule_with(legal_base="typo"), id="unknown-rule-key"),
        pytest.param(rule_without("legal_basis"), id="missing-legal-basis"),
        pytest.param(rule_with(legal_basis=""), id="empty-legal-basis"),
        pytest.param(rule_with(legal_basis="   "), id="blank-legal-basis"),
        pytest.param(rule_with(purposes=["HIRE"]), id="bad-purpose"),
        pytest.param(rule_with(categories=["CRIMINAL"]), id="bad-category"),
        pytest.param(rule_with(sanction_kinds=["REPRIMAND"]), id="bad-sanction-kind"),
        pytest.param(rule_with(subject_type="PEOPLE"), id="bad-subject-type"),
        pytest.param(rule_with(window="forever"), id="bad-window"),
        pytest.param(rule_with(outcome="DENIED"), id="bad-outcome"),
        pytest.param(rule_without("months"), id="months-window-without-months"),
        pytest.param(rule_with(months=0), id="months-window-with-zero-months"),
    ],
)
def test_broken_rule_is_refused_with_a_message_naming_it(broken_rule):
    other = rule_with(id="TEST-OTHER")
    with pytest.raises(ConfigurationError) as caught:
        parse_ruleset(document(other, broken_rule))
    assert RULE_ID in caught.value.message


def test_duplicated_rule_id_is_refused_and_named():
    with pytest.raises(ConfigurationError) as caught:
        parse_ruleset(document(VALID_RULE, rule_with(description="again")))
    assert RULE_ID in caught.value.message


def test_permanent_window_needs_no_months():
    permanent = rule_without("months") | {"window": "permanent"}
    (rule,) = parse_ruleset(document(permanent)).rules
    assert rule.window.kind is WindowKind.PERMANENT


def test_legal_basis_is_stored_without_surrounding_spaces():
    (rule,) = parse_ruleset(document(rule_with(legal_basis="  《公务员法》第二十六条 "))).rules
    assert rule.legal_basis == "《公务员法》第二十六条"


# --- the shipped file ----------------------------------------------------------------------


def test_shipped_rule_set_loads():
    assert load_ruleset(CURRENT).rules


def test_shipped_rule_set_has_a_version():
    assert current_ruleset().version.strip()


def test_every_shipped_rule_has_a_legal_basis():
    missing = [rule.id for rule in current_ruleset().rules if not rule.legal_basis.strip()]
    assert missing == []


def test_shipped_rule_ids_are_unique():
    ids = [rule.id for rule in current_ruleset().rules]
    assert len(ids) == len(set(ids))
