"""The demo's 评价 and 预警 material, so every indicator and warning has something to show:
commitments kept, late and broken; clues verified, dismissed and waiting; objections and
repair applications answered on time, late and not at all; a few values entered by an
evaluator; a source gone quiet; a fresh serious record and a fresh 失信被执行人 listing.

Dates are counted back from the day of loading, so a demo loaded on any day shows the same
situation. Written through the hub's services (the same paths as real users). Loaded once:
a database that already holds the demo's commitments is left alone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.agencies.feeds import mark_delivered
from hub.agencies.models import Agency
from hub.auth import scopes as s
from hub.auth.actor import Actor
from hub.checks.rules import RuleSet
from hub.clues.models import ClueChannel
from hub.clues.service import ClueReport, decide_clue, report_clue
from hub.commitments.models import Commitment, CommitmentKind
from hub.commitments.service import CommitmentDraft, record_commitment, report_fulfilled
from hub.db.base import utcnow
from hub.demo.city import (
    FINANCE_BUREAU,
    INTERMEDIATE_COURT,
    ORGANIZATION_DEPT,
    PUBLIC_RESOURCES,
    SUPERVISION,
)
from hub.demo.dataset import DemoDataset
from hub.errors import HubError
from hub.evaluation.periods import parse_period
from hub.evaluation.service import enter_value
from hub.lifecycle.calendar import WorkCalendar
from hub.objections.service import Filing, Resolution, file_objection, resolve
from hub.records.drafts import RecordDraft, SubjectDraft
from hub.records.enums import ObjectionKind, RecordCategory, RecordStatus, Severity
from hub.records.models import CreditRecord
from hub.records.service import submit_records
from hub.repairs.service import Application, Decision, apply_for_repair, decide
from hub.subjects.models import Person
from hub.subjects.pii import PiiCipher

ACTOR = "demo"
# The 社会信用体系建设 lead (市信用办 sits in the 发改委): the demo's evaluator and hotline.
EVALUATION_OFFICE = "江州市发展和改革委员会"

# (agency, kind, counterparty, content, made, due, fulfilled): days from the day of loading.
COMMITMENTS: tuple[tuple[str, CommitmentKind, str, str, int, int, int | None], ...] = (
    ("江州市商务局", CommitmentKind.INVESTMENT, "江州新能源电池有限公司",
     "兑现招商引资协议约定的厂房租金减免及设备补贴500万元", -300, -120, -130),
    (EVALUATION_OFFICE, CommitmentKind.GOVERNMENT_PLEDGE, "江州市民营企业家协会",
     "涉企政策兑现“免申即享”，年内兑现率达到100%", -330, -30, -20),
    ("江州市江城区人民政府", CommitmentKind.PPP, "江城污水处理PPP项目公司",
     "按合同支付2026年上半年可用性服务费", -320, -100, None),
    ("江州市柳溪县人民政府", CommitmentKind.INVESTMENT, "柳溪绿色食品产业园投资公司",
     "完成产业园区配套道路建设并交付使用", -250, 5, None),
    (FINANCE_BUREAU, CommitmentKind.GOVERNMENT_PLEDGE, "江州市中小企业服务中心",
     "清偿上年度逾期未付中小企业账款", -200, -60, -61),
    ("江州市住房和城乡建设局", CommitmentKind.GOVERNMENT_PLEDGE, "江州城建工程有限公司",
     "支付城北安置房项目工程进度款", -180, -15, None),
    ("江州市东湖区人民政府", CommitmentKind.PPP, "东湖智慧停车PPP项目公司",
     "按约定完成项目用地交付", -320, -200, -210),
    ("江州市教育局", CommitmentKind.CREDIT_PLEDGE, "社会公众",
     "校舍维修工程款按合同节点支付，不拖欠", -90, 60, None),
    ("江州市云岭县人民政府", CommitmentKind.INVESTMENT, "云岭文旅开发有限公司",
     "兑现旅游项目落地奖励资金200万元", -280, -90, -95),
    ("江州市交通运输局", CommitmentKind.GOVERNMENT_PLEDGE, "江州公交集团",
     "拨付本年度公交运营补贴", -150, -45, -40),
)  # fmt: skip

# (channel, agency, content, received, decision (True verified, False dismissed, None open),
# reason, reporter's contact)
CLUES: tuple[tuple[ClueChannel, str, str, int, bool | None, str, str], ...] = (
    (ClueChannel.HOTLINE_12345, "江州市住房和城乡建设局",
     "来电人反映城北安置房项目施工单位工程进度款被拖欠逾半年，多次催要未果。", -40, True,
     "经核查，该局确有逾期未付工程进度款情形，已督促限期支付并依法报送失信信息。", "13870011234"),
    (ClueChannel.PUBLIC, "江州市商务局",
     "举报人称商务局未兑现招商引资协议约定的设备补贴，企业已停产待款。", -60, False,
     "经核查，补贴已于约定期限内拨付到位，举报情况不属实。", "13970025678"),
    (ClueChannel.HOTLINE_12345, "江州市江城区人民政府",
     "污水处理PPP项目公司来电反映可用性服务费长期未支付，影响项目运营。", -30, None, "",
     "0791-86001234"),
    (ClueChannel.MEDIA, "江州市统计局",
     "媒体报道某区上报的规模以上工业产值数据与实际明显不符，疑似虚报。", -2, None, "", ""),
    (ClueChannel.HOTLINE_12345, FINANCE_BUREAU,
     "软件企业来电反映财政局信息化项目服务费逾期三个月未支付。", -80, True,
     "经核查属实，款项已于核查期间支付完毕，相关情况纳入拖欠账款台账。", "18679012345"),
)  # fmt: skip

# Values an evaluator entered for the manual indicators; the other agencies stay 待录入.
MANUAL: tuple[tuple[str, str, float, str], ...] = (
    ("I11", FINANCE_BUREAU, 100, "已于门户网站公开上年度逾期未支付中小企业款项情况"),
    ("I11", "江州市住房和城乡建设局", 50, "公开内容缺少合同金额，仅公开合同数量"),
    ("I11", "江州市交通运输局", 100, "按期公开，内容完整"),
    ("I12", EVALUATION_OFFICE, 90, "政府信息公开年度报告按时发布，评议良好"),
    ("I12", "江州市教育局", 80, "年度报告发布逾期5日"),
)


def _actor(agency_id: int, *scopes: str) -> Actor:
    return Actor(client_id=ACTOR, agency_id=agency_id, scopes=frozenset(scopes))


async def load_oversight(
    session: AsyncSession,
    pii: PiiCipher,
    calendar: WorkCalendar,
    ruleset: RuleSet,
    dataset: DemoDataset,
    *,
    today: date,
) -> bool:
    """Returns False (and does nothing) when the demo's commitments are already there."""
    done = await session.scalar(
        select(func.count()).select_from(Commitment).where(Commitment.recorded_by == ACTOR)
    )
    if done:
        return False
    by_uscc = {
        uscc: agency_id for uscc, agency_id in await session.execute(select(Agency.uscc, Agency.id))
    }
    ids = {a.name: by_uscc[a.uscc] for a in dataset.agencies}
    await _fresh_records(session, pii, dataset, ids, today)
    usccs = {a.name: a.uscc for a in dataset.agencies}
    await _commitments(session, ids, today)
    await _clues(session, pii, calendar, ids, usccs, today)
    await _objections(session, pii, calendar, ids, await _showcase(session, pii, dataset), today)
    await _repairs(session, pii, calendar, ruleset, ids, today)
    evaluator = _actor(ids[EVALUATION_OFFICE], s.EVALUATION_MANAGE)
    period = parse_period(str(today.year))
    for indicator, agency, percent, note in MANUAL:
        await enter_value(session, evaluator, period, indicator, usccs[agency], percent, note)
    # The 公管办's feed went quiet three weeks ago: a silent-source warning, and a
    # freshness indicator below full marks.
    await mark_delivered(session, ids[PUBLIC_RESOURCES], "push", utcnow() - timedelta(days=21))
    return True


async def _showcase(session: AsyncSession, pii: PiiCipher, dataset: DemoDataset) -> frozenset[int]:
    """The README's showcase persons: no demo objection may change what their checks say."""
    hashes = [pii.lookup_hash(p.id_number) for p in dataset.showcase]
    found = await session.scalars(select(Person.id).where(Person.id_hash.in_(hashes)))
    return frozenset(found)


async def _fresh_records(
    session: AsyncSession,
    pii: PiiCipher,
    dataset: DemoDataset,
    ids: dict[str, int],
    today: date,
) -> None:
    """A 失信被执行人 listing of a county government and a serious 行政处罚 of a bureau,
    both decided in the last fortnight: what 监测预警 exists for."""
    by_name = {a.name: a for a in dataset.agencies}
    county = by_name["江州市云岭县人民政府"]
    bureau = by_name["江州市生态环境局"]
    listing = RecordDraft(
        source_ref="（2026）赣12执恢88号",
        decided_at=today - timedelta(days=10),
        status=RecordStatus.ACTIVE,
        category=RecordCategory.JUDGMENT_DEFAULTER,
        severity=Severity.SERIOUS,
        subject=SubjectDraft(uscc=county.uscc, name=county.name),
        summary="有履行能力而拒不履行生效法律文书确定的给付工程款义务，被纳入失信被执行人名单。",
        legal_basis="《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
    )
    penalty = RecordDraft(
        source_ref="江监罚〔2026〕77号",
        decided_at=today - timedelta(days=12),
        status=RecordStatus.ACTIVE,
        category=RecordCategory.ADMINISTRATIVE_PENALTY,
        severity=Severity.SERIOUS,
        subject=SubjectDraft(uscc=bureau.uscc, name=bureau.name),
        summary="在行政审批中违法设定收费项目，被上级机关责令改正并通报。",
        legal_basis="《中华人民共和国行政许可法》第五十九条",
    )
    for source, draft in ((INTERMEDIATE_COURT, listing), (SUPERVISION, penalty)):
        result = await submit_records(
            session, pii, agency_id=ids[source], drafts=[draft], actor=ACTOR, today=today
        )
        assert not result.rejected, result.rejected


async def _commitments(session: AsyncSession, ids: dict[str, int], today: date) -> None:
    for agency, kind, party, content, made, due, fulfilled in COMMITMENTS:
        actor = _actor(ids[agency], s.COMMITMENTS_MANAGE)
        draft = CommitmentDraft(
            kind, party, content, today + timedelta(days=made), today + timedelta(days=due)
        )
        row = await record_commitment(session, actor, draft, today)
        if fulfilled is not None:
            await report_fulfilled(
                session,
                actor,
                row.id,
                today + timedelta(days=fulfilled),
                "资金拨付凭证及验收材料已归档备查",
                today,
            )


async def _clues(
    session: AsyncSession,
    pii: PiiCipher,
    calendar: WorkCalendar,
    ids: dict[str, int],
    usccs: dict[str, str],
    today: date,
) -> None:
    hotline = _actor(ids[EVALUATION_OFFICE], s.CLUES_MANAGE)
    for channel, agency, content, received, verified, reason, contact in CLUES:
        report = ClueReport(channel, usccs[agency], content, contact or None)
        clue = await report_clue(
            session, pii, calendar, hotline, report, today + timedelta(days=received)
        )
        if verified is not None:
            competent = _actor(ids[agency], s.CLUES_MANAGE)
            await decide_clue(session, competent, clue.id, verified, reason)


async def _candidates(
    session: AsyncSession, source: int, category: RecordCategory | None, count: int
) -> Sequence[CreditRecord]:
    query = select(CreditRecord).where(
        CreditRecord.source_agency_id == source,
        CreditRecord.status == RecordStatus.ACTIVE,
        CreditRecord.objection_kind.is_(None),
    )
    if category is not None:
        query = query.where(CreditRecord.category == category)
    return list(await session.scalars(query.order_by(CreditRecord.id.desc()).limit(count)))


async def _objections(
    session: AsyncSession,
    pii: PiiCipher,
    calendar: WorkCalendar,
    ids: dict[str, int],
    showcase: frozenset[int],
    today: date,
) -> None:
    """Four objections to the 财政局's records: answered on time, answered late (filed a
    month ago, answered today), one left past its deadline, one still within it."""
    filer = _actor(ids[ORGANIZATION_DEPT], s.OBJECTIONS_FILE)
    answerer = _actor(ids[FINANCE_BUREAU], s.OBJECTIONS_MANAGE)
    records = [
        r
        for r in await _candidates(session, ids[FINANCE_BUREAU], None, 12)
        if r.person_id not in showcase
    ][:4]
    plan = ((0, "rejected"), (-30, "rejected"), (-30, None), (0, None))
    for record, (filed, answer) in zip(records, plan, strict=False):
        filing = Filing(
            record.id, ObjectionKind.DATA_ERROR, "债权金额与合同结算金额不一致，请核实。"
        )
        objection = await file_objection(
            session, pii, calendar, filer, filing, today + timedelta(days=filed)
        )
        if answer is not None:
            resolution = Resolution(
                objection.id, upheld=False, reason="经核对合同及支付凭证，记录无误。"
            )
            await resolve(session, calendar, answerer, resolution, today)


async def _repairs(
    session: AsyncSession,
    pii: PiiCipher,
    calendar: WorkCalendar,
    ruleset: RuleSet,
    ids: dict[str, int],
    today: date,
) -> None:
    """Repair applications for the 财政局's records that may be repaired (the newest, still
    in publicity): one decided on time, one decided late, one left waiting past its
    deadline."""
    applicant = _actor(ids[ORGANIZATION_DEPT], s.REPAIR_APPLY)
    decider = _actor(ids[FINANCE_BUREAU], s.REPAIR_DECIDE)
    plan = [(0, True), (-30, False), (-30, None)]
    for record in await _candidates(session, ids[FINANCE_BUREAU], None, 60):
        if not plan:
            return
        applied, approve = plan[0]
        application = Application(
            record.id, "本单位已足额支付拖欠款项，并郑重承诺今后严格按照合同约定期限付款。", True
        )
        try:
            async with session.begin_nested():
                row = await apply_for_repair(
                    session, pii, calendar, ruleset, applicant, application,
                    today + timedelta(days=applied),
                )  # fmt: skip
        except HubError:
            continue  # not eligible on that day: the next record
        plan.pop(0)
        if approve is not None:
            reason = (
                "已履行支付义务并作出信用承诺，符合修复条件。"
                if approve
                else "尚有部分款项未支付。"
            )
            await decide(session, decider, Decision(row.id, approve, reason), today)
