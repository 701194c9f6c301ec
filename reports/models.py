"""Quarterly returns (统计季报, 五（一）), their deadlines, the progress roll-up and outcome indicators.

A unit's return declares the person-times it trained in a quarter, split by target
group and by training type; the HR bureau reviews it. Approved returns are rolled up
with the real-name records (实名制, 二（四）) into ``UnitProgress`` rows against each
unit's yearly quota (the attachment table), which the dashboard reads.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from programs.models import ActionPlan, TrainingType, Unit
from trainees.models import TargetGroup

DEFAULT_DAYS_AFTER_QUARTER_END = 10
QUARTERS = (1, 2, 3, 4)


def quarter_start(year: int, quarter: int) -> datetime.date:
    return datetime.date(year, 3 * quarter - 2, 1)


def quarter_end(year: int, quarter: int) -> datetime.date:
    if quarter == 4:
        return datetime.date(year, 12, 31)
    return quarter_start(year, quarter + 1) - datetime.timedelta(days=1)


def quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


class QuarterlyReturn(models.Model):
    """One unit's statistical return for one quarter of a plan year (统计季报)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已报送待审核"
        RETURNED = "returned", "已退回修改"
        APPROVED = "approved", "已审核通过"

    class Action(models.TextChoices):
        SUBMIT = "submit", "报送"
        APPROVE = "approve", "审核通过"
        RETURN = "return", "退回"
        REOPEN = "reopen", "重新打开"

    # action -> (states it may start from, state it leads to)
    TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
        Action.SUBMIT: (frozenset({Status.DRAFT, Status.RETURNED}), Status.SUBMITTED),
        Action.APPROVE: (frozenset({Status.SUBMITTED}), Status.APPROVED),
        Action.RETURN: (frozenset({Status.SUBMITTED}), Status.RETURNED),
        Action.REOPEN: (frozenset({Status.APPROVED}), Status.RETURNED),
    }
    EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="returns", verbose_name="行动计划")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="returns", verbose_name="责任单位")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    person_times = models.PositiveIntegerField("培训人次", default=0)
    completions = models.PositiveIntegerField("结业人次", default=0)
    certificates_issued = models.PositiveIntegerField("取得证书人次", default=0)
    real_name_person_times = models.PositiveIntegerField(
        "实名制结业人次", null=True, blank=True, help_text="报送时按本单位培训班实名制结业记录统计。"
    )
    explanation = models.TextField("情况说明", blank=True, help_text="申报人次超过实名制结业人次时必须说明原因。")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_late = models.BooleanField("逾期报送", default=False)
    approved_at = models.DateTimeField("审核通过时间", null=True, blank=True)
    transition_count = models.PositiveIntegerField("流转次数", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="填报人"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "统计季报"
        verbose_name_plural = "统计季报"
        ordering = ["-year", "-quarter", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit", "year", "quarter"], name="return_unit_quarter_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="return_quarter_range"),
            models.CheckConstraint(condition=Q(completions__lte=F("person_times")), name="return_completions_le_total"),
        ]
        indexes = [models.Index(fields=["plan", "status", "year"], name="return_plan_status_idx")]
        permissions = [
            ("submit_quarterlyreturn", "填报和报送本单位季报"),
            ("review_quarterlyreturn", "审核季报（通过、退回、重新打开）"),
            ("grant_deadline_exception", "批准单位延期报送"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}年第{self.quarter}季度统计季报"

    @property
    def period(self) -> str:
        return f"{self.year}年第{self.quarter}季度"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def exceeds_real_name(self) -> bool:
        return self.real_name_person_times is not None and self.person_times > self.real_name_person_times


class ReturnGroupLine(models.Model):
    """Person-times of one target group; a line without a group counts people in none of them."""

    quarterly_return = models.ForeignKey(
        QuarterlyReturn, on_delete=models.CASCADE, related_name="group_lines", verbose_name="统计季报"
    )
    target_group = models.ForeignKey(
        TargetGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="人员类别"
    )
    person_times = models.PositiveIntegerField("人次")

    class Meta:
        verbose_name = "按人员类别分"
        verbose_name_plural = "按人员类别分"
        ordering = ["quarterly_return", F("target_group__position").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(fields=["quarterly_return", "target_group"], name="return_group_unique"),
            models.UniqueConstraint(
                fields=["quarterly_return"], condition=Q(target_group__isnull=True), name="return_other_group_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_group or '其他人员'}：{self.person_times}"


class ReturnTypeLine(models.Model):
    """Person-times of one training type."""

    quarterly_return = models.ForeignKey(
        QuarterlyReturn, on_delete=models.CASCADE, related_name="type_lines", verbose_name="统计季报"
    )
    training_type = models.ForeignKey(TrainingType, on_delete=models.PROTECT, related_name="+", verbose_name="培训类型")
    person_times = models.PositiveIntegerField("人次")

    class Meta:
        verbose_name = "按培训类型分"
        verbose_name_plural = "按培训类型分"
        ordering = ["quarterly_return", "training_type__position"]
        constraints = [models.UniqueConstraint(fields=["quarterly_return", "training_type"], name="return_type_unique")]

    def __str__(self) -> str:
        return f"{self.training_type}：{self.person_times}"


class ReturnTransition(models.Model):
    """One step of a return's workflow; append-only. ``sequence`` makes concurrent steps collide."""

    quarterly_return = models.ForeignKey(
        QuarterlyReturn, on_delete=models.PROTECT, related_name="transitions", verbose_name="统计季报"
    )
    sequence = models.PositiveIntegerField("序号")
    action = models.CharField("操作", max_length=20, choices=QuarterlyReturn.Action.choices)
    from_status = models.CharField("原状态", max_length=20, choices=QuarterlyReturn.Status.choices)
    to_status = models.CharField("新状态", max_length=20, choices=QuarterlyReturn.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="操作人"
    )
    reason = models.TextField("理由", blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "季报流转记录"
        verbose_name_plural = "季报流转记录"
        ordering = ["quarterly_return", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["quarterly_return", "sequence"], name="return_transition_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}：{self.get_from_status_display()} → {self.get_to_status_display()}"


def _attachment_path(instance: "ReturnAttachment", filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"returns/{timezone.now():%Y/%m}/{instance.quarterly_return_id}-{timezone.now():%H%M%S%f}.{suffix}"


class ReturnAttachment(models.Model):
    """Evidence attached to a return (sign-in sheets, photos, rosters)."""

    quarterly_return = models.ForeignKey(
        QuarterlyReturn, on_delete=models.PROTECT, related_name="attachments", verbose_name="统计季报"
    )
    file = models.FileField("文件", upload_to=_attachment_path)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["quarterly_return", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class ReturnDeadline(models.Model):
    """The due date of one quarter's returns in a plan; without a row it is 10 days after the quarter."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="return_deadlines", verbose_name="行动计划")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    days_after_quarter_end = models.PositiveSmallIntegerField("季度结束后天数", default=DEFAULT_DAYS_AFTER_QUARTER_END)
    lifted = models.BooleanField("不限截止日期", default=False, help_text="补报往年数据时可取消截止日期。")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="设置人"
    )
    updated_at = models.DateTimeField("设置时间", default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "报送截止日期"
        verbose_name_plural = "报送截止日期"
        ordering = ["plan", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year", "quarter"], name="deadline_quarter_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="deadline_quarter_range"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度：{'不限' if self.lifted else self.due_date}"

    @property
    def due_date(self) -> datetime.date:
        return quarter_end(self.year, self.quarter) + datetime.timedelta(days=self.days_after_quarter_end)


class DeadlineException(models.Model):
    """Leave for one unit to submit one quarter's return after the deadline (批准延期报送)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="+", verbose_name="行动计划")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="deadline_exceptions", verbose_name="责任单位")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    until = models.DateField("延期至")
    reason = models.TextField("理由")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="批准人"
    )
    granted_at = models.DateTimeField("批准时间", default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "延期报送"
        verbose_name_plural = "延期报送"
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit", "year", "quarter"], name="deadline_exception_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="deadline_exception_quarter_range"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}年第{self.quarter}季度延期至{self.until}"


class ReturnReminder(models.Model):
    """A reminder already sent: at most one per unit, quarter, kind and due date."""

    class Kind(models.TextChoices):
        NEAR = "deadline_near", "即将截止"
        MISSED = "deadline_missed", "已逾期"

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="+", verbose_name="行动计划")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name="责任单位")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    due_date = models.DateField("截止日期")
    sent_at = models.DateTimeField("发送时间", default=timezone.now)

    class Meta:
        verbose_name = "报送提醒"
        verbose_name_plural = "报送提醒"
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "unit", "year", "quarter", "kind", "due_date"], name="return_reminder_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}年第{self.quarter}季度{self.get_kind_display()}"


class UnitProgress(models.Model):
    """A unit's progress against its yearly quota at the end of a quarter (written only by the roll-up)."""

    class Status(models.TextChoices):
        ACHIEVED = "achieved", "已完成"
        ON_TRACK = "on_track", "进度正常"
        BEHIND = "behind", "进度滞后"

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="progress", verbose_name="行动计划")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="progress", verbose_name="责任单位")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("截至季度")
    quota = models.PositiveIntegerField("指导计划（人次）")
    quarter_person_times = models.PositiveIntegerField("本季度审核通过人次")
    approved_person_times = models.PositiveIntegerField("累计完成人次")
    real_name_person_times = models.PositiveIntegerField("累计实名制结业人次")
    percent = models.DecimalField("完成率（%）", max_digits=7, decimal_places=2, null=True)
    expected_percent = models.DecimalField("应完成进度（%）", max_digits=5, decimal_places=2)
    status = models.CharField("状态", max_length=20, choices=Status.choices)
    computed_at = models.DateTimeField("统计时间")

    class Meta:
        verbose_name = "单位完成进度"
        verbose_name_plural = "单位完成进度"
        ordering = ["plan", "year", "quarter", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit", "year", "quarter"], name="progress_unit_quarter_unique"),
        ]
        indexes = [models.Index(fields=["plan", "year", "quarter"], name="progress_plan_year_idx")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}年截至第{self.quarter}季度：{self.approved_person_times}/{self.quota}"


class IndicatorValue(models.Model):
    """District statistics for one year, entered by the bureau (一（二）: 24% and 29%)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="indicator_values", verbose_name="行动计划")
    year = models.PositiveSmallIntegerField("年度")
    employed_persons = models.PositiveIntegerField("就业人员总量（人）")
    skilled_workers = models.PositiveIntegerField("技能劳动者（人）")
    high_skilled_workers = models.PositiveIntegerField("高技能人才（人）")
    note = models.CharField("数据来源", max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="录入人"
    )
    updated_at = models.DateTimeField("录入时间", default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "目标指标年度数据"
        verbose_name_plural = "目标指标年度数据"
        ordering = ["plan", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="indicator_value_year_unique"),
            models.CheckConstraint(condition=Q(skilled_workers__lte=F("employed_persons")), name="indicator_skilled_le_employed"),
            models.CheckConstraint(
                condition=Q(high_skilled_workers__lte=F("skilled_workers")), name="indicator_high_skilled_le_skilled"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.year}年"


def _export_path(instance: "ExportFile", filename: str) -> str:
    # The stored name never carries the user's text; the download name is kept in ``filename``.
    return f"exports/{timezone.now():%Y/%m}/{instance.requester_id}-{instance.pk}-{timezone.now():%H%M%S%f}.xlsx"


class ExportFile(models.Model):
    """An export prepared in the background (五（一）, 四（四）): who asked for what, and the file when ready.

    Only the requester may download the file; it is deleted after EXPORT_FILE_RETENTION_DAYS
    and the row kept (status ``expired``) as the trace of the export.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        EXPIRED = "expired", "已过期"

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_files", verbose_name="申请人"
    )
    kind = models.CharField("导出类型", max_length=50)
    title = models.CharField("名称", max_length=200)
    filters = models.JSONField("筛选条件", default=dict, blank=True)
    unmasked = models.BooleanField("含完整个人信息", default=False)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.QUEUED)
    row_count = models.PositiveIntegerField("行数", default=0)
    progress = models.PositiveIntegerField("已写入行数", default=0)
    file = models.FileField("文件", upload_to=_export_path, blank=True)
    filename = models.CharField("下载文件名", max_length=200)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    error = models.TextField("失败原因", blank=True)
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)

    class Meta:
        verbose_name = "导出文件"
        verbose_name_plural = "导出文件"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requester", "-created_at"], name="export_requester_idx"),
            models.Index(fields=["status", "expires_at"], name="export_status_expiry_idx"),
        ]
        permissions = [("export_data", "导出 Excel 报表、名册和日志")]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.row_count:
            return 0
        return min(99, self.progress * 100 // self.row_count)

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
