"""Loading a rule set strictly: a mistake in the file stops start-up and names the rule."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from hub.checks.purposes import AppraisalEffect, Outcome, Purpose, Verdict
from hub.checks.rules import EffectStep, PublicityTerms, RecordFacts, WindowKind, evaluate
from hub.checks.ruleset import CURRENT, current_ruleset, load_ruleset, parse_ruleset
from hub.errors import ConfigurationError
from hub.records.enums import RecordCategory, RecordStatus, SanctionKind, Severity, SubjectType

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


def appraisal_rule_with(**changes: Any) -> dict[str, Any]:
    rule = rule_without("months") | {
        "purposes": ["APPRAISAL"],
        "window": "calendar_years",
        "effects": [{"effect": "INCOMPETENT", "years": 1}, {"effect": "NO_GRADE", "years": 2}],
    }
    rule.update(changes)
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
        pytest.param(rule_with(window="permanent"), id="months-with-another-window"),
        pytest.param(rule_with(severities=["GRAVE"]), id="bad-severity"),
        pytest.param(rule_with(statuses=["ACTIVE"]), id="active-without-under-objection"),
        pytest.param(rule_with(statuses=["REVOKED"]), id="status-that-never-restricts"),
        pytest.param(rule_with(statuses=["LIVE"]), id="bad-status"),
        pytest.param(
            rule_with(effects=[{"effect": "NO_GRADE", "years": 1}]), id="effects-outside-appraisal"
        ),
        pytest.param(appraisal_rule_with(effects=[]), id="appraisal-without-effects"),
        pytest.param(
            appraisal_rule_with(purposes=["APPRAISAL", "AWARD"]), id="appraisal-mixed-purposes"
        ),
        pytest.param(
            appraisal_rule_with(effects=[{"effect": "NO_GRADE"}]),
            id="calendar-effect-without-years",
        ),
        pytest.param(
            appraisal_rule_with(effects=[{"effect": "EXCELLENT", "years": 1}]), id="bad-effect"
        ),
        pytest.param(
            appraisal_rule_with(effects=[{"effect": "NO_GRADE", "years": 0}]), id="zero-years"
        ),
        pytest.param(
            appraisal_rule_with(effects=[{"effect": "NO_GRADE", "year": 1}]), id="bad-effect-key"
        ),
        pytest.param(appraisal_rule_with(effects=["NO_GRADE"]), id="effect-not-a-table"),
        pytest.param(
            appraisal_rule_with(
                window="while_active", effects=[{"effect": "NO_GRADE", "years": 1}]
            ),
            id="years-outside-calendar-window",
        ),
        pytest.param(
            appraisal_rule_with(window="publicity", effects=[{"effect": "NO_GRADE"}] * 2),
            id="two-effects-outside-calendar-window",
        ),
        pytest.param(
            rule_without("months") | {"window": "calendar_years"}, id="calendar-window-for-award"
        ),
    ],
)
def test_broken_rule_is_refused_with_a_message_naming_it(broken_rule):
    other = rule_with(id="TEST-OTHER")
    with pytest.raises(ConfigurationError) as caught:
        parse_ruleset(document(other, broken_rule))
    assert RULE_ID in caught.value.message


def test_staged_appraisal_effects_parse_in_order():
    (rule,) = parse_ruleset(document(appraisal_rule_with())).rules
    assert rule.window.kind is WindowKind.CALENDAR_YEARS
    assert rule.effects == (
        EffectStep(AppraisalEffect.INCOMPETENT, 1),
        EffectStep(AppraisalEffect.NO_GRADE, 2),
    )
    assert rule.effect_span == 3


def test_a_single_effect_holds_while_another_window_runs():
    raw = appraisal_rule_with(window="while_active", effects=[{"effect": "NO_GRADE"}])
    (rule,) = parse_ruleset(document(raw)).rules
    assert rule.effects == (EffectStep(AppraisalEffect.NO_GRADE, None),)


def test_severity_and_status_filters_parse():
    raw = rule_with(severities=["SERIOUS"], statuses=["ACTIVE", "UNDER_OBJECTION"])
    (rule,) = parse_ruleset(document(raw)).rules
    assert rule.severities == {Severity.SERIOUS}
    assert rule.statuses == {RecordStatus.ACTIVE, RecordStatus.UNDER_OBJECTION}


def test_severity_filter_decides_which_records_match():
    ruleset = parse_ruleset(document(rule_with(severities=["SERIOUS"])))

    def verdict(severity: Severity | None) -> Verdict:
        record = RecordFacts(
            id=1,
            subject_type=SubjectType.PERSON,
            category=RecordCategory.GOVERNMENT_SANCTION,
            sanction_kind=SanctionKind.WARNING,
            status=RecordStatus.ACTIVE,
            decided_at=date(2026, 1, 10),
            severity=severity,
        )
        return evaluate(ruleset, [record], Purpose.AWARD, date(2026, 2, 1)).verdict

    assert verdict(Severity.SERIOUS) is Verdict.RESTRICTED
    assert [verdict(Severity.GENERAL), verdict(None)] == [Verdict.CLEAR, Verdict.CLEAR]


def test_publicity_terms_default_to_the_law_when_absent():
    assert parse_ruleset(document(VALID_RULE)).publicity == PublicityTerms()


def test_publicity_terms_are_read_from_the_file():
    terms = {"in_force_from": date(2027, 1, 1), "general_months": 6}
    publicity = parse_ruleset(document(VALID_RULE, publicity=terms)).publicity
    assert (publicity.in_force_from, publicity.general_months) == (date(2027, 1, 1), 6)
    assert publicity.minor_months == 3


@pytest.mark.parametrize(
    "terms",
    [
        pytest.param({"minor": 3}, id="unknown-key"),
        pytest.param({"minor_months": 0}, id="zero-months"),
        pytest.param({"minor_months": "3"}, id="months-as-text"),
        pytest.param({"in_force_from": "2026-04-01"}, id="date-as-text"),
    ],
)
def test_broken_publicity_terms_are_refused_and_named(terms):
    with pytest.raises(ConfigurationError) as caught:
        parse_ruleset(document(VALID_RULE, publicity=terms))
    assert "[publicity]" in caught.value.message


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


def test_shipped_publicity_terms_follow_the_credit_repair_measures():
    assert current_ruleset().publicity == PublicityTerms(
        in_force_from=date(2026, 4, 1),
        minor_months=3,
        general_months=12,
        serious_months=36,
        earlier_months=36,
        unknown_months=36,
    )


def test_shipped_rule_set_answers_every_purpose():
    answered = {purpose for rule in current_ruleset().rules for purpose in rule.purposes}
    assert answered == set(Purpose)
