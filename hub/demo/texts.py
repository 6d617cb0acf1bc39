"""The words of the demo records: acts, reasons and legal bases, as the sources write them.
Articles are cited only where the numbering is settled; otherwise the act is named alone."""

from __future__ import annotations

from datetime import date

from hub.agencies.models import AgencyFamily, AgencyLevel
from hub.demo.city import CIVIL_SERVICE, FINANCE_BUREAU, HR_BUREAU, PUBLIC_RESOURCES
from hub.records.enums import RecordCategory, SanctionKind, Severity

Cat, Kind, Sev = RecordCategory, SanctionKind, Severity

_COURT_POSTS = ("书记员", "法官助理", "审判员", "副庭长", "庭长")
_OFFICE_POSTS = ("科员", "一级科员", "副科长", "科长", "四级主任科员", "一级主任科员", "办公室主任")
_COUNTY_POSTS = ("科员", "副镇长", "镇党委副书记", "乡长", "办公室副主任", "街道办事处副主任")
# The deputy head's title follows the kind of body: 局 → 副局长, 部 → 副部长, 委员会 → 副主任.
_DEPUTY_HEADS = (("局", "副局长"), ("部", "副部长"), ("委员会", "副主任"))

GOV = "《中华人民共和国公职人员政务处分法》"
DEFAULTER_BASIS = "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条"
PPP_BASIS = "《财政部关于推进政府和社会资本合作规范发展的实施意见》（财金〔2019〕10号）"
EXAM_SOURCES = (
    (CIVIL_SERVICE, "江公考违〔{year}〕{n}号"),
    (HR_BUREAU, "江人社考违〔{year}〕{n}号"),
)
# (what was done, the 政务处分法 article); the heavier kinds draw from the same acts.
MISCONDUCT = (
    ("违反中央八项规定精神，违规收受管理服务对象礼品礼金", "第三十四条"),
    ("违规公款吃喝，在公务接待中超标准、超范围", "第三十五条"),
    ("违规发放津贴补贴", "第三十五条"),
    ("违规使用公务用车办理私事", "第三十五条"),
    ("违规经商办企业并在企业兼职取酬", "第三十六条"),
    ("违规借用管理服务对象资金", "第三十三条"),
    ("在惠民资金发放中优亲厚友", "第三十三条"),
    ("在项目审批中不正确履行职责，造成不良影响", "第三十九条"),
    ("在安全生产监管工作中失职失责", "第三十九条"),
    ("工作中存在形式主义、官僚主义问题，贻误工作", "第三十九条"),
)
# (what was done, 政务处分法 article, the crime it amounts to, 刑法 articles)
GRAVE = (
    (
        "利用职务便利为他人谋取利益并非法收受巨额财物",
        "第三十三条",
        "受贿罪",
        "第三百八十五条、第三百八十六条",
    ),
    ("利用职务便利侵吞公款", "第三十三条", "贪污罪", "第三百八十二条、第三百八十三条"),
    ("挪用公款用于个人经营活动", "第三十三条", "挪用公款罪", "第三百八十四条"),
    ("滥用职权，致使国家利益遭受重大损失", "第三十九条", "滥用职权罪", "第三百九十七条"),
    ("严重不负责任，致使国有资产遭受重大损失", "第三十九条", "玩忽职守罪", "第三百九十七条"),
)
GOV_KINDS = (
    (Kind.WARNING, Sev.MINOR, 34),
    (Kind.DEMERIT, Sev.GENERAL, 27),
    (Kind.MAJOR_DEMERIT, Sev.GENERAL, 16),
    (Kind.DEMOTION, Sev.SERIOUS, 10),
    (Kind.REMOVAL, Sev.SERIOUS, 8),
    (Kind.EXPULSION, Sev.SERIOUS, 3),
)
PARTY_KINDS = (
    (Kind.PARTY_WARNING, Sev.MINOR, 40),
    (Kind.PARTY_SERIOUS_WARNING, Sev.GENERAL, 30),
    (Kind.PARTY_POST_REMOVAL, Sev.GENERAL, 8),
    (Kind.PARTY_PROBATION_1Y, Sev.SERIOUS, 8),
    (Kind.PARTY_PROBATION_2Y, Sev.SERIOUS, 6),
    (Kind.PARTY_EXPULSION, Sev.SERIOUS, 3),
)
PARTY_MISCONDUCT = (
    "违反中央八项规定精神，违规收受礼品礼金",
    "违反中央八项规定精神，违规公款吃喝",
    "违反廉洁纪律，违规从事营利活动",
    "违反组织纪律，不如实报告个人有关事项",
    "违反群众纪律，在惠民资金发放中优亲厚友",
    "违反工作纪律，履职不力造成不良影响",
    "违反生活纪律，造成不良社会影响",
)
ACCOUNTABILITY_KINDS = (
    (Kind.ADMONISHMENT, Sev.MINOR, 50),
    (Kind.POST_ADJUSTMENT, Sev.GENERAL, 15),
    (Kind.ORDERED_RESIGNATION, Sev.GENERAL, 8),
    (Kind.REMOVAL_FROM_POST, Sev.GENERAL, 15),
    (Kind.POST_DEMOTION, Sev.GENERAL, 12),
)
ACCOUNTABILITY_REASONS = (
    "履行主体责任不力，辖区内发生较大安全生产事故",
    "在生态环境保护督察整改中敷衍应付、表面整改",
    "在信访工作中推诿扯皮，造成不良影响",
    "选人用人把关不严",
    "在防汛救灾工作中履职不力",
)
COURT_CASES = (
    (
        "行初",
        "在行政诉讼中败诉，被判决撤销其作出的行政行为",
        "《中华人民共和国行政诉讼法》第七十条",
    ),
    ("行初", "在行政诉讼中败诉，被判决限期履行法定职责", "《中华人民共和国行政诉讼法》第七十二条"),
    ("民初", "拖欠工程款，被判决支付工程款及利息", "《中华人民共和国民法典》第五百七十七条"),
    ("民初", "违反政府采购合同约定，被判决承担违约责任", "《中华人民共和国民法典》第五百七十七条"),
)
# (source, 文号, what was done, legal basis, subject is a person)
PENALTIES = (
    (
        "江州市公安局",
        "江公（交）行罚决字〔{year}〕{n}号",
        "饮酒后驾驶机动车，被处以罚款并暂扣机动车驾驶证六个月",
        "《中华人民共和国道路交通安全法》第九十一条",
        True,
    ),
    (
        "江州市公安局",
        "江公（治）行罚决字〔{year}〕{n}号",
        "参与赌博，被处以行政拘留",
        "《中华人民共和国治安管理处罚法》第七十条",
        True,
    ),
    (
        "江州市生态环境局",
        "江环罚〔{year}〕{n}号",
        "建设项目未依法报批环境影响评价文件即擅自开工建设",
        "《中华人民共和国环境影响评价法》第三十一条",
        False,
    ),
    (
        "江州市自然资源局",
        "江自然资罚〔{year}〕{n}号",
        "未经批准非法占用土地建设",
        "《中华人民共和国土地管理法》第七十七条",
        False,
    ),
)
EXAM_BEHAVIOUR = {
    Kind.BAN_5Y: ("使用禁止带入考场的通讯工具", "伪造有关材料骗取报考资格", "抄袭他人试题答案"),
    Kind.BAN_LIFE: ("由他人代替参加考试", "组织作弊", "串通作弊，情节严重"),
}
DISMISSAL_REASONS = (
    "在年度考核中连续两年被确定为不称职",
    "旷工连续超过十五天",
    "不履行公务员义务、不遵守公务员纪律，经教育仍无转变",
)
# (source, 文号, category, what was done, legal basis, first allowed decision date)
ORG_BREACHES = (
    (
        FINANCE_BUREAU,
        "江财采违〔{year}〕{n}号",
        Cat.PROCUREMENT_BREACH,
        "作为采购人无正当理由拒不与中标供应商签订政府采购合同",
        "《中华人民共和国政府采购法》第七十一条",
    ),
    (
        PUBLIC_RESOURCES,
        "江公管罚〔{year}〕{n}号",
        Cat.PROCUREMENT_BREACH,
        "作为采购人以不合理的条件对供应商实行差别待遇",
        "《中华人民共和国政府采购法》第七十一条",
    ),
    (
        PUBLIC_RESOURCES,
        "江公管罚〔{year}〕{n}号",
        Cat.PROCUREMENT_BREACH,
        "作为采购人在招标采购过程中与投标人进行协商谈判",
        "《中华人民共和国政府采购法》第七十一条",
    ),
    (
        "江州市发展和改革委员会",
        "江发改信用〔{year}〕{n}号",
        Cat.PROMISE_BROKEN,
        "未兑现招商引资协议中约定的奖补政策",
        "《国务院关于加强政务诚信建设的指导意见》（国发〔2016〕76号）",
    ),
    (
        "江州市发展和改革委员会",
        "江发改信用〔{year}〕{n}号",
        Cat.PROMISE_BROKEN,
        "新官不理旧账，拒不履行前任签订的合同",
        "《国务院关于加强政务诚信建设的指导意见》（国发〔2016〕76号）",
    ),
    (
        "江州市统计局",
        "江统执罚〔{year}〕{n}号",
        Cat.STATISTICS_FRAUD,
        "在统计调查中提供不真实的统计资料",
        "《中华人民共和国统计法》第三十七条",
    ),
    (
        "江州市统计局",
        "江统执罚〔{year}〕{n}号",
        Cat.STATISTICS_FRAUD,
        "要求统计调查对象虚报统计数据",
        "《中华人民共和国统计法》第三十七条",
    ),
)
ORG_BREACH_COUNTS = {Cat.PROCUREMENT_BREACH: 60, Cat.PROMISE_BROKEN: 40, Cat.STATISTICS_FRAUD: 25}
CREDITORS = (
    "宏远建筑工程",
    "华兴市政工程",
    "赣江信息技术",
    "鑫源物业管理",
    "恒通园林绿化",
    "瑞丰医疗器械",
    "锦程交通设施",
    "金桥办公设备",
)
PPP_PROJECTS = ("污水处理", "城区道路提升改造", "智慧停车", "学校建设", "综合管廊")
PPP_BREACHES = ("足额支付可行性缺口补助", "履行政府付费义务", "按期交付项目建设用地")


def posts_at(agency: str, family: AgencyFamily, level: AgencyLevel) -> tuple[str, ...]:
    if family is AgencyFamily.COURT:
        return _COURT_POSTS
    if level is AgencyLevel.COUNTY:
        return _COUNTY_POSTS
    deputy = tuple(title for suffix, title in _DEPUTY_HEADS if agency.endswith(suffix))
    return _OFFICE_POSTS + deputy


# --- which text was in force on the day of the decision ---


def government_basis(day: date, article: str) -> str:
    # Before the 政务处分法 (2020-07-01) the 监委 sanctioned under 监察法 Art. 45.
    if day >= date(2020, 7, 1):
        return GOV + article
    return "《中华人民共和国监察法》第四十五条；《行政机关公务员处分条例》"


def party_basis(day: date) -> str:
    edition = "2023年修订" if day >= date(2024, 1, 1) else "2018年修订"
    return f"《中国共产党纪律处分条例》（{edition}）"


def accountability_ref(kind: SanctionKind, *, by_discipline: bool) -> str:
    if by_discipline:
        return "江纪问责〔{year}〕{n}号"
    return "江组诫〔{year}〕{n}号" if kind is Kind.ADMONISHMENT else "江组处〔{year}〕{n}号"


def accountability_basis(day: date, *, by_discipline: bool) -> str:
    if by_discipline or day < date(2021, 4, 1):
        return "《中国共产党问责条例》"
    return "《中国共产党组织处理规定（试行）》"


def exam_basis(day: date) -> str:
    # The 2021 办法 replaced 人社部令第30号 (2016).
    edition = "（人社部令第30号）" if day.year < 2022 else "（2021）"
    return "《公务员录用违规违纪行为处理办法》" + edition
