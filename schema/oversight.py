"""监测预警, the 承诺台账 and 失信线索 through the API. Thin: the services decide who sees and
does what; this layer parses ids and dates and shapes the answers."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.scalars import JSON

from hub.alerts import service as alerts
from hub.alerts.models import Alert
from hub.alerts.rules import current_rules
from hub.alerts.service import WARNING_SCOPES
from hub.alerts.states import WarningLevel, WarningState
from hub.auth.scopes import (
    ADMIN,
    CLUES_MANAGE,
    COMMITMENTS_MANAGE,
    EVALUATION_READ,
)
from hub.clues import service as clues
from hub.clues.models import Clue as ClueRow
from hub.clues.models import ClueChannel, ClueState
from hub.commitments import service as commitments
from hub.commitments.models import Commitment as CommitmentRow
from hub.commitments.models import CommitmentKind, CommitmentState
from schema.lifecycle import parse_id
from schema.permissions import scoped_field, scoped_mutation
from schema.records import PageInfo, connection_of
from schema.types import Agency


async def _agency(info: strawberry.Info, agency_id: int) -> Agency:
    return Agency(row=await info.context.loaders.agency_by_id.load(agency_id))


@strawberry.type(description="A 监测预警 warning, owned by the agency concerned.")
class Warning:
    row: strawberry.Private[Alert]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field(description="The rule that raised it (hub/alerts/rules.toml).")
    def rule(self) -> str:
        return self.row.rule

    @strawberry.field
    def rule_name(self) -> str:
        found = next((r for r in current_rules() if r.id == self.row.rule), None)
        return found.name if found else self.row.rule

    @strawberry.field
    def level(self) -> WarningLevel:
        return self.row.level

    @strawberry.field
    def level_label(self) -> str:
        return self.row.level.label

    @strawberry.field
    async def agency(self, info: strawberry.Info) -> Agency:
        return await _agency(info, self.row.agency_id)

    @strawberry.field
    def message(self) -> str:
        return self.row.message

    @strawberry.field(description='What it points at, e.g. {"record": 12} (JSON).')
    def refs(self) -> JSON:
        return JSON(self.row.refs)

    @strawberry.field
    def state(self) -> WarningState:
        return self.row.state

    @strawberry.field
    def state_label(self) -> str:
        return self.row.state.label

    @strawberry.field
    def raised_at(self) -> datetime:
        return self.row.raised_at

    @strawberry.field
    def acknowledged_at(self) -> datetime | None:
        return self.row.acknowledged_at

    @strawberry.field
    def acknowledged_by(self) -> str | None:
        return self.row.acknowledged_by

    @strawberry.field
    def closed_at(self) -> datetime | None:
        return self.row.closed_at

    @strawberry.field
    def closed_by(self) -> str | None:
        return self.row.closed_by

    @strawberry.field
    def note(self) -> str | None:
        return self.row.note


@strawberry.type(description="A commitment (承诺) in the agency's 承诺台账.")
class Commitment:
    row: strawberry.Private[CommitmentRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    async def agency(self, info: strawberry.Info) -> Agency:
        return await _agency(info, self.row.agency_id)

    @strawberry.field
    def kind(self) -> CommitmentKind:
        return self.row.kind

    @strawberry.field
    def kind_label(self) -> str:
        return self.row.kind.label

    @strawberry.field
    def counterparty(self) -> str:
        return self.row.counterparty

    @strawberry.field
    def content(self) -> str:
        return self.row.content

    @strawberry.field
    def made_on(self) -> date:
        return self.row.made_on

    @strawberry.field
    def due_on(self) -> date:
        return self.row.due_on

    @strawberry.field
    def state(self) -> CommitmentState:
        return self.row.state

    @strawberry.field
    def state_label(self) -> str:
        return self.row.state.label

    @strawberry.field(description="Still open past its due day (逾期未兑现).")
    def overdue(self, info: strawberry.Info) -> bool:
        return commitments.overdue(self.row, info.context.runtime.today())

    @strawberry.field
    def fulfilled_on(self) -> date | None:
        return self.row.fulfilled_on

    @strawberry.field
    def kept_on_time(self) -> bool:
        return commitments.kept_on_time(self.row)

    @strawberry.field
    def evidence(self) -> str | None:
        return self.row.evidence

    @strawberry.field
    def recorded_by(self) -> str | None:
        return self.row.recorded_by


@strawberry.type(description="A 失信线索, routed to the competent agency.")
class Clue:
    row: strawberry.Private[ClueRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def channel(self) -> ClueChannel:
        return self.row.channel

    @strawberry.field
    def channel_label(self) -> str:
        return self.row.channel.label

    @strawberry.field(description="The agency it was routed to.")
    async def agency(self, info: strawberry.Info) -> Agency:
        return await _agency(info, self.row.agency_id)

    @strawberry.field
    def content(self) -> str:
        return self.row.content

    @strawberry.field(
        description="The reporter's contact: in clear with records:read:pii (audited), else ***."
    )
    def reporter_contact(self, info: strawberry.Info) -> str | None:
        context = info.context
        return clues.reporter_contact(context.session, context.runtime.pii, context.actor, self.row)

    @strawberry.field
    def received_on(self) -> date:
        return self.row.received_on

    @strawberry.field(description="Last day to verify or dismiss it (working days).")
    def decide_by(self) -> date:
        return self.row.decide_by

    @strawberry.field
    def overdue(self, info: strawberry.Info) -> bool:
        return clues.overdue(self.row, info.context.runtime.today())

    @strawberry.field
    def state(self) -> ClueState:
        return self.row.state

    @strawberry.field
    def state_label(self) -> str:
        return self.row.state.label

    @strawberry.field
    def decided_at(self) -> datetime | None:
        return self.row.decided_at

    @strawberry.field
    def reason(self) -> str | None:
        return self.row.reason


@strawberry.type
class WarningEdge:
    cursor: str
    node: Warning


@strawberry.type
class WarningConnection:
    edges: list[WarningEdge]
    page_info: PageInfo


@strawberry.type
class CommitmentEdge:
    cursor: str
    node: Commitment


@strawberry.type
class CommitmentConnection:
    edges: list[CommitmentEdge]
    page_info: PageInfo


@strawberry.type
class ClueEdge:
    cursor: str
    node: Clue


@strawberry.type
class ClueConnection:
    edges: list[ClueEdge]
    page_info: PageInfo


@strawberry.input
class WarningFilter:
    state: WarningState | None = None
    open_only: bool = strawberry.field(default=False, description="Not yet closed.")
    rule: str | None = None
    level: WarningLevel | None = None
    agency: strawberry.ID | None = None


@strawberry.input
class CommitmentFilter:
    state: CommitmentState | None = None
    overdue: bool = False
    due_within_days: int | None = strawberry.field(
        default=None, description="Open and due within this many days."
    )
    agency: strawberry.ID | None = None


@strawberry.input
class ClueFilter:
    state: ClueState | None = None
    overdue: bool = False
    agency: strawberry.ID | None = None


def _agency_filter(value: strawberry.ID | None) -> int | None:
    return parse_id(value, "filter.agency") if value is not None else None


@strawberry.type
class OversightQueries:
    @scoped_field(
        *WARNING_SCOPES,
        description="监测预警 warnings: all for evaluators, the agency's own for others.",
    )
    async def warnings(
        self,
        info: strawberry.Info,
        filter: WarningFilter | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> WarningConnection:
        flt = filter or WarningFilter()
        page = await alerts.list_warnings(
            info.context.session,
            info.context.actor,
            alerts.WarningFilter(
                flt.state, flt.open_only, flt.rule, flt.level, _agency_filter(flt.agency)
            ),
            first=first,
            after=after,
        )
        return connection_of(page, WarningConnection, WarningEdge, lambda r: Warning(row=r))

    @scoped_field(
        COMMITMENTS_MANAGE,
        EVALUATION_READ,
        ADMIN,
        description="The 承诺台账: the agency's own, or all for evaluators.",
    )
    async def commitments(
        self,
        info: strawberry.Info,
        filter: CommitmentFilter | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> CommitmentConnection:
        flt = filter or CommitmentFilter()
        page = await commitments.list_commitments(
            info.context.session,
            info.context.actor,
            commitments.CommitmentFilter(
                flt.state, flt.overdue, flt.due_within_days, _agency_filter(flt.agency)
            ),
            info.context.runtime.today(),
            first=first,
            after=after,
        )
        return connection_of(
            page, CommitmentConnection, CommitmentEdge, lambda r: Commitment(row=r)
        )

    @scoped_field(
        CLUES_MANAGE,
        EVALUATION_READ,
        ADMIN,
        description="失信线索 routed to the agency or taken in by it; all for evaluators.",
    )
    async def clues(
        self,
        info: strawberry.Info,
        filter: ClueFilter | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> ClueConnection:
        flt = filter or ClueFilter()
        page = await clues.list_clues(
            info.context.session,
            info.context.actor,
            clues.ClueFilter(flt.state, flt.overdue, _agency_filter(flt.agency)),
            info.context.runtime.today(),
            first=first,
            after=after,
        )
        return connection_of(page, ClueConnection, ClueEdge, lambda r: Clue(row=r))


@strawberry.input
class CommitmentInput:
    kind: CommitmentKind
    counterparty: str = strawberry.field(description="To whom (企业、项目公司、信用主体).")
    content: str = strawberry.field(description="What was promised, 5 to 2,000 characters.")
    made_on: date
    due_on: date


@strawberry.input
class ClueInput:
    channel: ClueChannel
    agency: str = strawberry.field(description="USCC of the competent agency it concerns.")
    content: str = strawberry.field(description="The clue, 10 to 4,000 characters.")
    reporter_contact: str | None = strawberry.field(
        default=None, description="Personal data: stored encrypted."
    )


@strawberry.type
class OversightMutations:
    @scoped_mutation(COMMITMENTS_MANAGE, description="Add a commitment to the agency's ledger.")
    async def record_commitment(self, info: strawberry.Info, input: CommitmentInput) -> Commitment:
        context = info.context
        draft = commitments.CommitmentDraft(
            input.kind, input.counterparty, input.content, input.made_on, input.due_on
        )
        row = await commitments.record_commitment(
            context.session, context.actor, draft, context.runtime.today()
        )
        return Commitment(row=row)

    @scoped_mutation(
        COMMITMENTS_MANAGE,
        description="Report a commitment kept, with the evidence. A broken one is confirmed "
        "by submitting a PROMISE_BROKEN record (submitRecords), never here.",
    )
    async def report_commitment_fulfilled(
        self, info: strawberry.Info, id: strawberry.ID, fulfilled_on: date, evidence: str
    ) -> Commitment:
        context = info.context
        row = await commitments.report_fulfilled(
            context.session,
            context.actor,
            parse_id(id, "id"),
            fulfilled_on,
            evidence,
            context.runtime.today(),
        )
        return Commitment(row=row)

    @scoped_mutation(
        CLUES_MANAGE, description="Take in a clue and route it to the competent agency."
    )
    async def report_clue(self, info: strawberry.Info, input: ClueInput) -> Clue:
        context = info.context
        report = clues.ClueReport(
            input.channel, input.agency, input.content, input.reporter_contact
        )
        row = await clues.report_clue(
            context.session,
            context.runtime.pii,
            context.runtime.calendar,
            context.actor,
            report,
            context.runtime.today(),
        )
        return Clue(row=row)

    @scoped_mutation(
        CLUES_MANAGE,
        description="The competent agency verifies or dismisses a clue, with reasons. A "
        "verified clue becomes a record only through the agency's own submitRecords.",
    )
    async def decide_clue(
        self, info: strawberry.Info, id: strawberry.ID, verified: bool, reason: str
    ) -> Clue:
        context = info.context
        row = await clues.decide_clue(
            context.session, context.actor, parse_id(id, "id"), verified, reason
        )
        return Clue(row=row)

    @scoped_mutation(*WARNING_SCOPES, description="The owner agency has seen the warning.")
    async def acknowledge_warning(self, info: strawberry.Info, id: strawberry.ID) -> Warning:
        context = info.context
        row = await alerts.acknowledge(context.session, context.actor, parse_id(id, "id"))
        return Warning(row=row)

    @scoped_mutation(*WARNING_SCOPES, description="Close the warning with a note (5+ chars).")
    async def close_warning(self, info: strawberry.Info, id: strawberry.ID, note: str) -> Warning:
        context = info.context
        row = await alerts.close(context.session, context.actor, parse_id(id, "id"), note)
        return Warning(row=row)
