"""Subsidy claims, the policy as data, payments and the special ledger (四).

Standards and parameters carry validity dates and are edited by the bureau; a claim
reads the values in force on its class's start date and snapshots the amounts on its
lines. Claims move through a state machine (``SubsidyClaim.TRANSITIONS``) with one
append-only ``ClaimTransition`` row per step. Money moves only as append-only
``LedgerEntry`` rows (职业技能提升行动专账, 四（三）), by fund source; a source's balance
can never go below zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from programs.models import Institution, Programme, SkillLevel, TrainingClass, Unit
from trainees.models import Certificate, Enrolment, Trainee

from . import policy

MONEY = {"max_digits": 14, "decimal_places": 2}


class SubsidyType(models.TextChoices):
    TRAINING = policy.TRAINING, "职业培训补贴"
    LIVING = policy.LIVING, "生活费补贴（含交通费）"
    INSURED_UPGRADE = policy.INSURED_UPGRADE, "参保职工技能提升补贴"
    APPRENTICESHIP = policy.APPRENTICESHIP, "企业新型学徒制补贴"
    WORK_BASED = policy.WORK_BASED, "以工代训补贴"
    PROJECT = policy.PROJECT, "项目制培训补贴"


class Validity(models.Model):
    """Rows of policy that apply from one date to another (both included; open end when blank)."""

    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True, help_text="留空表示长期有效。")
    note = models.CharField("依据/说明", max_length=200, blank=True)
    seed_key = models.CharField(
        "系统预置编码", max_length=60, null=True, blank=True, unique=True, editable=False,
        help_text="系统预置的行；重新载入参考数据不会覆盖局管理员的修改。",
    )

    class Meta:
        abstract = True

    def _same_slot(self) -> models.QuerySet:
        raise NotImplementedError

    def clean(self):
        super().clean()
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "失效日期不能早于生效日期。"})
        if self.valid_from is None:
            return
        overlapping = self._same_slot().exclude(pk=self.pk).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from)
        )
        if self.valid_to:
            overlapping = overlapping.filter(valid_from__lte=self.valid_to)
        clash = overlapping.order_by("valid_from").first()
        if clash is not None:
            end = f"{clash.valid_to:%Y-%m-%d}" if clash.valid_to else "长期"
            raise ValidationError(
                f"与已有的一条（{clash.valid_from:%Y-%m-%d} 至 {end}）有效期重叠。"
                "调整标准时请先给原来的一条填写失效日期，再新增一条。"
            )


class SubsidyStandard(Validity):
    """An amount the bureau sets (四（二） "调整享受职业培训补贴标准"): per type and level, or per programme."""

    class Basis(models.TextChoices):
        PER_PERSON = "per_person", "每人每次"
        PER_MONTH = "per_month", "每人每月"
        PER_YEAR = "per_year", "每人每年"

    subsidy_type = models.CharField("补贴类型", max_length=30, choices=SubsidyType.choices)
    level = models.ForeignKey(
        SkillLevel, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="等级",
        help_text="按等级核定的标准；与培训项目二选一，都留空表示该类型统一标准。",
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="培训项目",
        help_text="按培训项目核定的标准，优先于按等级的标准。",
    )
    amount = models.DecimalField("补贴标准（元）", **MONEY)
    basis = models.CharField("计发方式", max_length=20, choices=Basis.choices, default=Basis.PER_PERSON)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "补贴标准"
        verbose_name_plural = "补贴标准"
        ordering = ["subsidy_type", "level__rank", "valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="standard_amount_positive"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")), name="standard_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(programme__isnull=True), name="standard_level_or_programme"
            ),
        ]
        indexes = [models.Index(fields=["subsidy_type", "valid_from"], name="standard_type_from_idx")]

    def __str__(self) -> str:
        target = self.programme or self.level or "统一标准"
        return f"{self.get_subsidy_type_display()}·{target}：{self.amount}元（{self.get_basis_display()}）"

    def _same_slot(self):
        return SubsidyStandard.objects.filter(
            subsidy_type=self.subsidy_type, level_id=self.level_id, programme_id=self.programme_id
        )


@dataclass(frozen=True)
class ParameterSpec:
    label: str
    kind: str  # "int", "decimal", "text"
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    section: str = ""


PARAMETER_SPECS: dict[str, ParameterSpec] = {
    "annual_cap": ParameterSpec("每人每年享受职业培训补贴次数上限", "int", Decimal(1), Decimal(12), "四（二）"),
    "apprenticeship_minimum": ParameterSpec("企业新型学徒制补贴最低标准（元/人·年）", "decimal", Decimal(0), None, "四（一）"),
    "work_based_max_months": ParameterSpec("以工代训补贴最长月数", "int", Decimal(1), Decimal(36), "四（一）"),
    "advance_ratio": ParameterSpec("先行拨付比例", "decimal", Decimal(0), Decimal(1), "四（二）"),
    "living_allowance_per_day": ParameterSpec("生活费补贴（含交通费）标准（元/人·天）", "decimal", Decimal(0), None, "四（一）"),
    "notice_working_days": ParameterSpec("公示期（工作日）", "int", Decimal(1), Decimal(30), "四（四）"),
    "spot_check_rate": ParameterSpec("随机抽查比例", "decimal", Decimal(0), Decimal(1), "四（四）"),
    "min_age": ParameterSpec("法定劳动年龄下限（周岁）", "int", Decimal(0), Decimal(30), ""),
    "retirement_age_male": ParameterSpec("男性法定退休年龄（周岁）", "int", Decimal(40), Decimal(80), ""),
    "retirement_age_female": ParameterSpec("女性法定退休年龄（周岁）", "int", Decimal(40), Decimal(80), ""),
    "district_name": ParameterSpec("本区名称（判断户籍地、常住地）", "text", section="四（二）"),
}


def parameter_parse(code: str, raw: str):
    """The typed value of a parameter, or ValidationError with a Chinese message."""
    spec = PARAMETER_SPECS.get(code)
    if spec is None:
        raise ValidationError(f"未知的政策参数“{code}”。")
    raw = (raw or "").strip()
    if spec.kind == "text":
        if not raw:
            raise ValidationError(f"“{spec.label}”不能为空。")
        return raw
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(f"“{spec.label}”应填写数字，当前为“{raw}”。") from None
    if not value.is_finite():
        raise ValidationError(f"“{spec.label}”应填写数字，当前为“{raw}”。")
    if spec.kind == "int" and value != value.to_integral_value():
        raise ValidationError(f"“{spec.label}”应填写整数，当前为“{raw}”。")
    if spec.minimum is not None and value < spec.minimum:
        raise ValidationError(f"“{spec.label}”不能小于 {spec.minimum}，当前为 {raw}。")
    if spec.maximum is not None and value > spec.maximum:
        raise ValidationError(f"“{spec.label}”不能大于 {spec.maximum}，当前为 {raw}。")
    return int(value) if spec.kind == "int" else value


class PolicyParameter(Validity):
    """A policy value with validity dates: the 3-a-year cap, 4,000 yuan, 6 months, 50%, … (四)."""

    code = models.CharField(
        "参数", max_length=40, choices=[(code, spec.label) for code, spec in PARAMETER_SPECS.items()]
    )
    value = models.CharField("取值", max_length=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "政策参数"
        verbose_name_plural = "政策参数"
        ordering = ["code", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")), name="parameter_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()}：{self.value}"

    def _same_slot(self):
        return PolicyParameter.objects.filter(code=self.code)

    def clean(self):
        try:
            parameter_parse(self.code, self.value)
        except ValidationError as exc:
            raise ValidationError({"value": exc.messages})
        super().clean()

    @property
    def typed_value(self):
        return parameter_parse(self.code, self.value)


class PublicHoliday(models.Model):
    """法定节假日 and 调休 working days, maintained by the bureau; the public notice counts working days."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假"
        WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("节日", max_length=30)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}{self.get_kind_display()}"


class FundSource(models.Model):
    """A source of money kept apart in the special ledger (四（三） 分账核算、专款专用)."""

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("资金来源", max_length=50, unique=True)
    position = models.PositiveSmallIntegerField("排列顺序", default=0)
    balance = models.DecimalField("余额（元）", default=Decimal("0.00"), **MONEY)

    class Meta:
        verbose_name = "资金来源"
        verbose_name_plural = "资金来源"
        ordering = ["position", "name"]
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="fund_source_balance_not_negative")]

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    permission: str
    needs_reason: bool = False


class SubsidyClaim(models.Model):
    """A request for money under one subsidy type for one class, with one line per trainee."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待初审"
        UNIT_REVIEWED = "unit_reviewed", "待复核"
        APPROVED = "approved", "已复核待公示"
        PUBLICIZED = "publicized", "公示中"
        PAYABLE = "payable", "待支付"
        ADVANCE_PAID = "advance_paid", "已预拨待结算"
        PAID = "paid", "已支付"
        REJECTED = "rejected", "不予补贴"

    class Phase(models.TextChoices):
        FULL = policy.PHASE_FULL, "一次性申领"
        ADVANCE = policy.PHASE_ADVANCE, "预拨"
        SETTLEMENT = policy.PHASE_SETTLEMENT, "结算"

    class EmployerKind(models.TextChoices):
        ENTERPRISE = policy.EMPLOYER_ENTERPRISE, "企业"
        COOPERATIVE = policy.EMPLOYER_COOPERATIVE, "农民专业合作社"
        POVERTY_WORKSHOP = policy.EMPLOYER_POVERTY_WORKSHOP, "扶贫车间"
        OTHER = policy.EMPLOYER_OTHER, "其他生产经营主体"

    S = Status
    TRANSITIONS: dict[str, Transition] = {
        t.action: t
        for t in (
            Transition("submit", "提交", frozenset({S.DRAFT}), S.SUBMITTED, "subsidies.submit_claim"),
            Transition("review", "初审通过", frozenset({S.SUBMITTED}), S.UNIT_REVIEWED, "subsidies.review_claim"),
            Transition("approve", "复核通过", frozenset({S.UNIT_REVIEWED}), S.APPROVED, "subsidies.approve_claim"),
            Transition("publicize", "发布公示", frozenset({S.APPROVED}), S.PUBLICIZED, "subsidies.approve_claim"),
            Transition("close_notice", "公示期满", frozenset({S.PUBLICIZED}), S.PAYABLE, ""),
            Transition(
                "uphold_objection", "异议成立，退回重审", frozenset({S.PUBLICIZED}), S.SUBMITTED,
                "subsidies.record_objection", needs_reason=True,
            ),
            Transition("pay", "登记支付", frozenset({S.PAYABLE}), S.PAID, "subsidies.pay_claim"),
            Transition("settle", "申请结算", frozenset({S.ADVANCE_PAID}), S.DRAFT, "subsidies.submit_claim"),
            Transition(
                "return", "退回修改", frozenset({S.SUBMITTED, S.UNIT_REVIEWED}), S.DRAFT, "", needs_reason=True
            ),
            Transition(
                "reject", "不予补贴", frozenset({S.SUBMITTED, S.UNIT_REVIEWED}), S.REJECTED, "", needs_reason=True
            ),
        )
    }
    # Statuses in which a claim's eligible lines count against the yearly cap and the same-level rule.
    LIVE_STATUSES = frozenset({S.SUBMITTED, S.UNIT_REVIEWED, S.APPROVED, S.PUBLICIZED, S.PAYABLE, S.ADVANCE_PAID, S.PAID})
    # What finance sees: claims waiting for or past a payment.
    FINANCE_STATUSES = frozenset({S.PAYABLE, S.ADVANCE_PAID, S.PAID})

    subsidy_type = models.CharField("补贴类型", max_length=30, choices=SubsidyType.choices)
    phase = models.CharField("申领阶段", max_length=20, choices=Phase.choices, default=Phase.FULL)
    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.PROTECT, related_name="subsidy_claims", verbose_name="培训班"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申领人"
    )
    applicant_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="申领单位"
    )
    applicant_institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="申领机构"
    )
    payee_name = models.CharField("收款单位", max_length=200)
    employer_kind = models.CharField(
        "吸纳就业主体类型", max_length=30, choices=EmployerKind.choices, blank=True, help_text="以工代训补贴填写。"
    )
    employer_insured = models.BooleanField("用人单位为参保企业", default=False)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    version = models.PositiveIntegerField("版本", default=0)
    total = models.DecimalField("补贴金额合计（元）", default=Decimal("0.00"), **MONEY)
    line_count = models.PositiveIntegerField("学员人数", default=0)
    eligible_count = models.PositiveIntegerField("符合条件人数", default=0)
    advance_ratio = models.DecimalField("先行拨付比例", max_digits=4, decimal_places=3, null=True, blank=True)
    policy_snapshot = models.JSONField("适用的政策参数", default=dict, blank=True)
    evaluated_at = models.DateTimeField("最近核算时间", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    notice_published_on = models.DateField("公示开始日期", null=True, blank=True)
    notice_ends_on = models.DateField("公示截止日期", null=True, blank=True)
    spot_check = models.BooleanField("随机抽查", default=False)
    spot_check_drawn = models.BooleanField("已抽签", default=False)
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "补贴申领"
        verbose_name_plural = "补贴申领"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="claim_total_not_negative"),
            models.CheckConstraint(condition=Q(eligible_count__lte=models.F("line_count")), name="claim_counts_ordered"),
        ]
        indexes = [
            models.Index(fields=["training_class", "subsidy_type"], name="claim_class_type_idx"),
            models.Index(fields=["status", "notice_ends_on"], name="claim_status_notice_idx"),
        ]
        permissions = [
            ("submit_claim", "提交补贴申领"),
            ("review_claim", "初审补贴申领"),
            ("approve_claim", "复核补贴申领并发布公示"),
            ("record_objection", "登记和处理公示异议"),
            ("pay_claim", "登记补贴支付"),
            ("view_claim_pipeline", "查看审核中的补贴申领"),
            ("view_fraud_signals", "查看疑点提示"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_subsidy_type_display()}"

    @property
    def number(self) -> str:
        year = self.created_at.year if self.created_at else date.today().year
        return f"BT{year}{self.pk or 0:06d}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class ClaimLine(models.Model):
    """One trainee in a claim, with the amount computed from the standard in force (snapshot)."""

    claim = models.ForeignKey(SubsidyClaim, on_delete=models.CASCADE, related_name="lines", verbose_name="补贴申领")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="+", verbose_name="参训记录")
    trainee = models.ForeignKey(Trainee, on_delete=models.PROTECT, related_name="subsidy_lines", verbose_name="学员")
    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="证书"
    )
    standard = models.ForeignKey(
        SubsidyStandard, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="适用标准"
    )
    unit_amount = models.DecimalField("单价（元）", default=Decimal("0.00"), **MONEY)
    quantity = models.DecimalField("数量", max_digits=8, decimal_places=2, default=Decimal("1"))
    amount = models.DecimalField("补贴金额（元）", default=Decimal("0.00"), **MONEY)
    eligible = models.BooleanField("符合条件", default=False)
    reasons = models.JSONField("不符合的规定", default=list, blank=True)
    excluded = models.BooleanField("申领人剔除", default=False)
    exclusion_reason = models.CharField("剔除原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "申领明细"
        verbose_name_plural = "申领明细"
        ordering = ["claim", "id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "enrolment"], name="claim_line_enrolment_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="claim_line_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(eligible=True, excluded=False) | Q(amount=0), name="claim_line_ineligible_is_zero"
            ),
        ]
        indexes = [models.Index(fields=["trainee", "claim"], name="claim_line_trainee_idx")]

    def __str__(self) -> str:
        return f"{self.claim_id} · {self.trainee_id}"

    @property
    def counts(self) -> bool:
        return self.eligible and not self.excluded


class ClaimTransition(models.Model):
    """One step of a claim's workflow (append-only): who, when, from, to, why."""

    claim = models.ForeignKey(SubsidyClaim, on_delete=models.PROTECT, related_name="transitions", verbose_name="补贴申领")
    seq = models.PositiveIntegerField("序号")
    action = models.CharField("操作", max_length=30)
    from_status = models.CharField("原状态", max_length=20, choices=SubsidyClaim.Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=SubsidyClaim.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="操作人"
    )
    reason = models.TextField("原因/意见", blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "申领流转记录"
        verbose_name_plural = "申领流转记录"
        ordering = ["claim", "seq"]
        # Two concurrent steps from the same version of a claim cannot both be written.
        constraints = [models.UniqueConstraint(fields=["claim", "seq"], name="claim_transition_seq_unique")]

    def __str__(self) -> str:
        return f"{self.claim_id} #{self.seq} {self.action}"

    @property
    def label(self) -> str:
        if self.action == "create":
            return "创建"
        transition = SubsidyClaim.TRANSITIONS.get(self.action)
        return transition.label if transition else self.action


class ClaimSignal(models.Model):
    """A fraud signal (四（四）) found when the claim was last evaluated, shown to reviewers."""

    claim = models.ForeignKey(SubsidyClaim, on_delete=models.CASCADE, related_name="signals", verbose_name="补贴申领")
    # Signals are always deleted before the lines they point at (services._evaluate), so the
    # lines can go in one DELETE; the database constraint still guards the reference.
    line = models.ForeignKey(
        ClaimLine, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="signals", verbose_name="申领明细"
    )
    code = models.CharField("疑点", max_length=40, choices=list(policy.SIGNAL_LABELS.items()))
    message = models.CharField("说明", max_length=300)

    class Meta:
        verbose_name = "疑点提示"
        verbose_name_plural = "疑点提示"
        ordering = ["claim", "id"]
        indexes = [models.Index(fields=["code"], name="claim_signal_code_idx")]

    def __str__(self) -> str:
        return self.message


class ClaimObjection(models.Model):
    """An objection raised during the public notice (公示期异议)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待核实"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"

    claim = models.ForeignKey(SubsidyClaim, on_delete=models.PROTECT, related_name="objections", verbose_name="补贴申领")
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="涉及学员"
    )
    objector = models.CharField("异议人", max_length=50, blank=True)
    content = models.TextField("异议内容")
    received_on = models.DateField("收到日期")
    status = models.CharField("处理结果", max_length=20, choices=Status.choices, default=Status.PENDING)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="处理人"
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision = models.TextField("核实情况", blank=True)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["claim", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id} 异议 {self.get_status_display()}"


def attachment_path(instance: ClaimAttachment, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"claims/{instance.claim_id}/{instance.kind}-{instance.uploaded_at:%Y%m%d%H%M%S%f}.{suffix}"


class ClaimAttachment(models.Model):
    """A supporting document: sign-in sheets, photos, certificates (四（四） 监督检查)."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "签到表"
        PHOTO = "photo", "培训照片"
        CERTIFICATE = "certificate", "证书"
        OTHER = "other", "其他材料"

    claim = models.ForeignKey(SubsidyClaim, on_delete=models.PROTECT, related_name="attachments", verbose_name="补贴申领")
    kind = models.CharField("材料类型", max_length=20, choices=Kind.choices)
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "申领材料"
        verbose_name_plural = "申领材料"
        ordering = ["claim", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.original_name}"


class Payment(models.Model):
    """A payment finance recorded for one stage of a claim (append-only; a correction is a ledger reversal)."""

    class Stage(models.TextChoices):
        FULL = "full", "一次性支付"
        ADVANCE = "advance", "预拨"
        SETTLEMENT = "settlement", "结算"

    claim = models.ForeignKey(SubsidyClaim, on_delete=models.PROTECT, related_name="payments", verbose_name="补贴申领")
    stage = models.CharField("支付阶段", max_length=20, choices=Stage.choices)
    amount = models.DecimalField("支付金额（元）", **MONEY)
    fund_source = models.ForeignKey(FundSource, on_delete=models.PROTECT, related_name="payments", verbose_name="资金来源")
    voucher_number = models.CharField("凭证号", max_length=50)
    paid_on = models.DateField("支付日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    idempotency_key = models.CharField("幂等键", max_length=100, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = "补贴支付"
        verbose_name_plural = "补贴支付"
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "stage"], name="payment_claim_stage_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.claim.number} {self.get_stage_display()} {self.amount}元"


class LedgerEntry(models.Model):
    """One line of the special ledger (职业技能提升行动专账): money into or out of a fund source.

    Append-only: a correction or a recovery (追回) is a new ``reversal`` row that points
    at the row it corrects. ``amount`` is signed (in +, out −); ``balance_after`` is the
    source's balance once this row was written.
    """

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", "资金拨入"
        PAYOUT = "payout", "补贴支出"
        REVERSAL = "reversal", "冲正/追回"

    fund_source = models.ForeignKey(FundSource, on_delete=models.PROTECT, related_name="entries", verbose_name="资金来源")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    amount = models.DecimalField("金额（元，拨入为正、支出为负）", **MONEY)
    balance_after = models.DecimalField("余额（元）", **MONEY)
    subsidy_type = models.CharField("补贴类型", max_length=30, choices=SubsidyType.choices, blank=True)
    claim = models.ForeignKey(
        SubsidyClaim, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries", verbose_name="补贴申领"
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries", verbose_name="补贴支付"
    )
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals", verbose_name="冲正的记录"
    )
    voucher_number = models.CharField("凭证号", max_length=50, blank=True)
    entry_date = models.DateField("记账日期")
    memo = models.CharField("摘要", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "专账记录"
        verbose_name_plural = "专账记录"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="ledger_balance_not_negative"),
            models.CheckConstraint(
                condition=(
                    Q(kind="allocation", amount__gt=0)
                    | Q(kind="payout", amount__lt=0, payment__isnull=False)
                    | (Q(kind="reversal", reverses__isnull=False) & ~Q(amount=0))
                ),
                name="ledger_amount_sign_by_kind",
            ),
            models.UniqueConstraint(
                fields=["payment"], condition=Q(kind="payout"), name="ledger_one_payout_per_payment"
            ),
        ]
        indexes = [models.Index(fields=["fund_source", "subsidy_type"], name="ledger_source_type_idx")]
        permissions = [("view_ledger", "查看专账和余额"), ("manage_ledger", "登记资金拨入、冲正和追回")]

    def __str__(self) -> str:
        return f"{self.fund_source} {self.get_kind_display()} {self.amount}"
