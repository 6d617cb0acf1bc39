"""政务诚信评价 through the API: the evaluation of a period, manual values, publishing. Thin:
hub.evaluation decides; this layer shapes the answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from hub.auth.scopes import ADMIN, EVALUATION_MANAGE, EVALUATION_READ
from hub.evaluation import service as evaluation
from hub.evaluation.indicators import current_system
from hub.evaluation.periods import parse_period
from hub.evaluation.scoring import IndicatorResult, Status, UnitResult
from schema.permissions import scoped_field, scoped_mutation

EvaluationLevel = strawberry.enum(
    evaluation.Level, name="EvaluationLevel", description="Score agencies or regions."
)
IndicatorStatus = strawberry.enum(
    Status,
    name="IndicatorStatus",
    description="SCORED; NOT_APPLICABLE (nothing to judge); PENDING_INPUT (待录入: a manual "
    "indicator not entered yet — left out of the total, never guessed).",
)


@strawberry.type(description="An indicator of the system (indicators.toml), with its basis.")
class IndicatorDefinition:
    id: str
    name: str
    dimension: str
    dimension_name: str
    weight: float
    scoring: str
    manual: bool
    basis: str


@strawberry.type(description="What a score rests on: a record, objection, repair, commitment, "
                 "clue, feed or an evaluator's entry.")  # fmt: skip
class EvaluationEvidence:
    kind: str
    id: strawberry.ID | None
    label: str


@strawberry.type
class IndicatorScore:
    indicator_id: str
    status: IndicatorStatus  # type: ignore[valid-type]
    value: float | None = strawberry.field(description="The raw value (count, share, days).")
    fraction: float | None = strawberry.field(description="Share of the weight achieved, 0..1.")
    points: float | None
    detail: str
    evidence: list[EvaluationEvidence]


@strawberry.type(description="An agency (code: USCC) or a region (code: 行政区划代码).")
class EvaluationUnit:
    code: str
    name: str
    score: float = strawberry.field(description="0..100 over the indicators that apply.")
    grade: str
    grade_label: str = strawberry.field(description="优秀 / 良好 / 中等 / 较差")
    rank: int = strawberry.field(description="Equal scores share a rank (1, 2, 2, 4).")
    pending_inputs: int
    indicators: list[IndicatorScore]


@strawberry.type
class Evaluation:
    period: str
    level: EvaluationLevel  # type: ignore[valid-type]
    as_of: date = strawberry.field(description="The day its facts are judged on.")
    indicator_version: str
    published: bool
    published_at: datetime | None
    published_by: str | None
    indicators: list[IndicatorDefinition]
    units: list[EvaluationUnit]


def evaluation_of(result: evaluation.Evaluation) -> Evaluation:
    system = current_system()
    return Evaluation(
        period=result.period,
        level=result.level,
        as_of=result.as_of,
        indicator_version=result.version,
        published=result.published_at is not None,
        published_at=result.published_at,
        published_by=result.published_by,
        indicators=[
            IndicatorDefinition(
                id=i.id,
                name=i.name,
                dimension=i.dimension,
                dimension_name=system.dimensions[i.dimension],
                weight=i.weight,
                scoring=i.scoring.value,
                manual=i.manual,
                basis=i.basis,
            )
            for i in system.indicators
        ],
        units=[_unit(u) for u in result.units],
    )


def _unit(u: UnitResult) -> EvaluationUnit:
    return EvaluationUnit(
        code=u.code,
        name=u.name,
        score=u.score,
        grade=u.grade,
        grade_label=u.grade_label,
        rank=u.rank,
        pending_inputs=u.pending,
        indicators=[_score(r) for r in u.indicators],
    )


def _score(r: IndicatorResult) -> IndicatorScore:
    return IndicatorScore(
        indicator_id=r.indicator_id,
        status=r.status,
        value=r.value,
        fraction=r.fraction,
        points=r.points,
        detail=r.detail,
        evidence=[
            EvaluationEvidence(
                kind=e.kind,
                id=strawberry.ID(str(e.id)) if e.id is not None else None,
                label=e.label,
            )
            for e in r.evidence
        ],
    )


@strawberry.type
class EvaluationQueries:
    @scoped_field(
        EVALUATION_READ,
        EVALUATION_MANAGE,
        ADMIN,
        description='政务诚信评价 of a period ("2026" or "2026-Q3"): the published round '
        "if there is one, else computed now from the hub's data. Same data and indicator "
        "version, same result.",
    )
    async def evaluation(
        self,
        info: strawberry.Info,
        period: str,
        level: EvaluationLevel = evaluation.Level.AGENCY,  # type: ignore[valid-type]
    ) -> Evaluation:
        context = info.context
        result = await evaluation.evaluate(
            context.session, parse_period(period), level, context.runtime.today()
        )
        return evaluation_of(result)


@strawberry.type
class EvaluationMutations:
    @scoped_mutation(
        EVALUATION_MANAGE,
        description="An evaluator's value for an indicator the hub cannot compute (percent "
        "achieved, 0..100), with a note; recorded with who and when.",
    )
    async def enter_indicator_value(
        self,
        info: strawberry.Info,
        period: str,
        indicator: str,
        agency: Annotated[str, strawberry.argument(description="The agency's USCC.")],
        percent: float,
        note: str,
    ) -> bool:
        context = info.context
        await evaluation.enter_value(
            context.session, context.actor, parse_period(period), indicator, agency, percent, note
        )
        return True

    @scoped_mutation(
        EVALUATION_MANAGE,
        description="Publish a finished period's round: stored as computed now, and what "
        "`evaluation` answers for it from then on.",
    )
    async def publish_evaluation(
        self,
        info: strawberry.Info,
        period: str,
        level: EvaluationLevel = evaluation.Level.AGENCY,  # type: ignore[valid-type]
    ) -> Evaluation:
        context = info.context
        result = await evaluation.publish(
            context.session, context.actor, parse_period(period), level, context.runtime.today()
        )
        return evaluation_of(result)
