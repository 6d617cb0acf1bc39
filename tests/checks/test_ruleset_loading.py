"""Loading a rule set strictly: a mistake in the file stops start-up and names the rule."""

from __future__ import annotations

import copy
import tomllib
from datetime import date
from typing import Any

import pytest

from hub.checks.purposes import AppraisalEffect, Outcome, Purpose, Verdict
from hub.checks.rules import (
    Basis,
    EffectStep,
    PublicityTerms,
    RecordFacts,
    WindowKind,
    evaluate,
)
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
    "basis": "statute",
    "legal_basis": "《中华人民共和国公职人员政务处分法》第八条",
}

# The legal constants as shipped: a test document changes only what it is about.
SHIPPED = tomllib.loads(CURRENT.read_text(encoding="utf-8"))
CONSTANTS = {key: SHIPPED[key] for key in ("publicity", "listing", "ranking")}


def document(*rules: dict[str, Any], **top_level: Any) -> dict[str, Any]:
    return {
        "version": "test.1",
        "rule": [copy.deepcopy(r) for r in rules],
        **copy.deepcopy(CONSTANTS),
        **top_level,
    }


def rule_with(**changes: Any) -> dict[str, Any]:
    rule = copy.deepcopy(VALID_RULE)
    rule.update(changes)
    return rule


def rule_without(key: str) -> dict[str, Any]:
    rule = copy.deepcopy(VALID_RULE)
    del rule[key]
    return rule


def appraisal_rule_with(**changes: Any) -> dict[str, Any]:
    rule = rule_without("months")
    del rule["outcome"]
    rule |= {
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
        # Statuses are the record's business (source status, objections), not a rule's.
        pytest.param(rule_with(statuses=["ACTIVE"]), id="statuses-no-longer-a-filter"),
        pytest.param(rule_without("basis"), id="missing-basis"),
        pytest.param(rule_with(basis="custom"), id="bad-basis"),
        pytest.param(rule_with(jurisdiction="湖南"), id="jurisdiction-not-a-region-prefix"),
        pytest.param(rule_with(jurisdiction="431"), id="jurisdiction-odd-length"),
        pytest.param(rule_with(max_months=3), id="max-months-below-months"),
        pytest.param(rule_with(after_months=0), id="zero-after-months"),
        pytest.param(rule_without("outcome"), id="missing-outcome"),
        pytest.param(appraisal_rule_with(outcome="RESTRICTED"), id="appraisal-with-outcome"),
        pytest.param(rule_with(sanction_kinds=["警告处分"]), id="label-that-is-no-kind"),
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


def test_severity_filter_parses():
    (rule,) = parse_ruleset(document(rule_with(severities=["SERIOUS"]))).rules
    assert rule.severities == {Severity.SERIOUS}


def test_legal_labels_read_as_the_enum_they_name():
    raw = appraisal_rule_with(
        purposes=["年度考核"],
        categories=["党纪处分"],
        sanction_kinds=["留党察看一年", "PARTY_PROBATION_2Y"],
        effects=[{"effect": "不称职", "years": 1}, {"effect": "不确定等次", "years": 1}],
    )
    (rule,) = parse_ruleset(document(raw)).rules
    assert rule.purposes == {Purpose.APPRAISAL}
    assert rule.categories == {RecordCategory.PARTY_DISCIPLINE}
    assert rule.sanction_kinds == {SanctionKind.PARTY_PROBATION_1Y, SanctionKind.PARTY_PROBATION_2Y}
    assert [s.effect for s in rule.effects] == [
        AppraisalEffect.INCOMPETENT,
        AppraisalEffect.NO_GRADE,
    ]


def test_an_appraisal_rule_states_effects_and_restricts_for_the_verdict():
    (rule,) = parse_ruleset(document(appraisal_rule_with())).rules
    assert rule.outcome is Outcome.RESTRICTED


def test_basis_jurisdiction_and_decision_set_periods_parse():
    raw = rule_with(basis="measure", jurisdiction="3201", max_months=48, after_months=24)
    (rule,) = parse_ruleset(document(raw)).rules
    assert (rule.basis, rule.jurisdiction) == (Basis.MEASURE, "3201")
    assert (rule.window.months, rule.window.max_months, rule.window.after_months) == (6, 48, 24)


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


@pytest.mark.parametrize("table", ["publicity", "listing", "ranking"])
def test_the_legal_constants_are_required_in_the_file(table):
    broken = document(VALID_RULE)
    del broken[table]
    with pytest.raises(ConfigurationError) as caught:
        parse_ruleset(broken)
    assert f"[{table}]" in caught.value.message


@pytest.mark.parametrize("table", ["publicity", "listing", "ranking"])
def test_each_legal_constant_states_its_basis(table):
    broken = document(VALID_RULE)
    del broken[table]["legal_basis"]
    with pytest.raises(ConfigurationError) as caught:
        parse_ruleset(broken)
    assert "legal_basis" in caught.value.message


def test_publicity_terms_are_read_from_the_file():
    terms = CONSTANTS["publicity"] | {"in_force_from": date(2027, 1, 1), "general_months": 6}
    publicity = parse_ruleset(document(VALID_RULE, publicity=terms)).publicity
    assert (publicity.in_force_from, publicity.general_months) == (date(2027, 1, 1), 6)
    assert publicity.minor_months == 3
    assert publicity.earlier_categories == {RecordCategory.ADMINISTRATIVE_PENALTY}


def test_a_ranking_that_leaves_a_kind_out_is_refused():
    ranking = {**CONSTANTS["ranking"], "sanction_kinds": ["警告", "记过"]}
    with pytest.raises(ConfigurationError) as caught:
        parse_ruleset(document(VALID_RULE, ranking=ranking))
    assert "[ranking]" in caught.value.message and "EXPULSION" in caught.value.message


def test_changes_since_a_version_list_only_later_entries():
    changes = [
        {"version": "2026.11.2", "rules": ["A"], "change": "old", "reason": "r"},
        {"version": "2026.12.1", "rules": ["B"], "change": "new", "reason": "r"},
    ]
    ruleset = parse_ruleset(document(VALID_RULE, change=changes))
    assert [c.change for c in ruleset.changes_since("2026.11.2")] == ["new"]
    assert [c.change for c in ruleset.changes_since("2026.9")] == ["old", "new"]
    assert ruleset.changes_since("2026.12.1") == ()


@pytest.mark.parametrize(
    "terms",
    [
        pytest.param({"minor": 3}, id="unknown-key"),
        pytest.param({"minor_months": 0}, id="zero-months"),
        pytest.param({"minor_months": "3"}, id="months-as-text"),
        pytest.param({"in_force_from": "2026-04-01"}, id="date-as-text"),
        pytest.param({"earlier_categories": ["FINES"]}, id="bad-earlier-category"),
    ],
)
def test_broken_publicity_terms_are_refused_and_named(terms):
    with pytest.raises(ConfigurationError) as caught:
        parse_ruleset(document(VALID_RULE, publicity=CONSTANTS["publicity"] | terms))
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
        earlier_categories=frozenset({RecordCategory.ADMINISTRATIVE_PENALTY}),
    )


def test_shipped_listing_terms_follow_the_court_rules():
    listing = current_ruleset().listing
    assert (listing.months, listing.grounds) == (24, {2, 3, 4, 5, 6})


def test_shipped_rule_set_is_2026_12_with_its_changelog():
    ruleset = current_ruleset()
    assert ruleset.version == "2026.12.1"
    changed = {rule for change in ruleset.changes_since("2026.11.2") for rule in change.rules}
    assert {"APPR-ORGANIZATIONAL-HANDLING", "PROC-DEFAULTER", "HIRE-EXAM-BAN-5Y"} <= changed


def test_every_shipped_rule_says_what_it_rests_on():
    ruleset = current_ruleset()
    assert {rule.basis for rule in ruleset.rules} == {Basis.STATUTE, Basis.MEASURE}
    local = {rule.id: rule.jurisdiction for rule in ruleset.rules if rule.jurisdiction}
    assert local == {
        "AWARD-PERSON-GOV-DISHONESTY-HN": "43",
        "APPR-RESPONSIBLE-PERSON": "3201",
        "APPR-ORG-DEFAULTER": "3201",
        "APPR-ORG-GOV-DISHONESTY": "3201",
    }
    # A local document's rule names the document it rests on.
    for rule in ruleset.rules:
        if rule.jurisdiction == "43":
            assert "湘政发〔2018〕18号" in rule.legal_basis
        if rule.jurisdiction == "3201":
            assert "宁政发〔2024〕89号" in rule.legal_basis


def test_no_national_rule_rests_on_a_local_document_alone():
    for rule in current_ruleset().rules:
        if rule.jurisdiction is None:
            assert "湘政发" not in rule.legal_basis and "宁政发" not in rule.legal_basis, rule.id


def test_shipped_rule_set_answers_every_purpose():
    answered = {purpose for rule in current_ruleset().rules for purpose in rule.purposes}
    assert answered == set(Purpose)


@pytest.mark.parametrize("since", ["²", "2026.١٢", "", "\x00", "v1"])
def test_changes_since_any_text_is_an_answer_not_a_failure(since):
    # ruleChanges(since:) takes what a caller types; the fuzzer sent a superscript two.
    assert current_ruleset().changes_since(since)


def test_the_rules_looked_up_for_a_record_are_those_that_name_its_purpose_and_category() -> None:
    ruleset = current_ruleset()
    for purpose in Purpose:
        for category in RecordCategory:
            expected = tuple(
                r for r in ruleset.rules if purpose in r.purposes and category in r.categories
            )
            assert ruleset.candidates(purpose, category) == expected
    assert [ruleset.rank_of[kind] for kind in ruleset.ranking] == list(range(len(ruleset.ranking)))
