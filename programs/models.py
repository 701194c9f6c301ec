"""The action plan as data: plans, units, the division of work and yearly quotas.

Source: 綦江府办发〔2019〕39号, 一（二） and the attachment table
(綦江区大规模职业技能提升行动工作分工及指导计划). A later plan (e.g. 2022–2025) is
added as another data file, never as code.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class ActionPlan(models.Model):
    """One multi-year programme with its yearly district targets (一（二）)."""

    code = models.SlugField("编码", max_length=50, unique=True)
    name = models.CharField("名称", max_length=200)
    document_number = models.CharField("文号", max_length=100, blank=True)
    document_title = models.CharField("文件标题", max_length=200, blank=True)
    issuer = models.CharField("发文机关", max_length=100, blank=True)
    start_year = models.PositiveSmallIntegerField("起始年度")
    end_year = models.PositiveSmallIntegerField("截止年度")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "行动计划"
        verbose_name_plural = "行动计划"
        ordering = ["-start_year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="plan_years_ordered",
            )
        ]
        permissions = [
            ("view_all_units", "查看全部单位的数据"),
            ("view_own_unit", "查看本单位的数据"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))


class PlanYear(models.Model):
    """The district's target person-times for one year of a plan (一（二）)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="plan_years", verbose_name="行动计划")
    year = models.PositiveSmallIntegerField("年度")
    target = models.PositiveIntegerField("全区目标（人次）")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "年度目标"
        verbose_name_plural = "年度目标"
        ordering = ["plan", "year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="plan_year_unique")]

    def __str__(self) -> str:
        return f"{self.plan} {self.year}年：{self.target}人次"


class OutcomeIndicator(models.Model):
    """A target ratio the plan must reach by its deadline (一（二）: 24% and 29%)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="indicators", verbose_name="行动计划")
    code = models.SlugField("编码", max_length=50)
    position = models.PositiveSmallIntegerField("排列顺序", default=0)
    name = models.CharField("指标", max_length=200)
    numerator = models.CharField("分子", max_length=100)
    denominator = models.CharField("分母", max_length=100)
    target_percent = models.DecimalField("目标值（%）", max_digits=5, decimal_places=2)
    due_date = models.DateField("完成时限")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "目标指标"
        verbose_name_plural = "目标指标"
        ordering = ["plan", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="indicator_code_unique")]

    def __str__(self) -> str:
        return f"{self.name} ≥ {self.target_percent}%"


class Unit(models.Model):
    """A body the notice names: department, park committee, mass organisation or a group entry."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", "区级部门"
        PARK = "park", "园区管委会"
        MASS_ORGANISATION = "mass_organisation", "群团组织"
        STREET_TOWN = "street_town", "街道、镇"
        GROUP = "group", "单位集合"

    name = models.CharField("单位名称", max_length=100, unique=True)
    kind = models.CharField("类别", max_length=30, choices=Kind.choices)
    description = models.CharField("说明", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """One row of the attachment table: a responsible unit's duties in a plan."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="assignments", verbose_name="行动计划")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments", verbose_name="责任单位")
    order = models.PositiveSmallIntegerField("序号")
    duties = models.TextField("工作职责")
    cooperating_units = models.ManyToManyField(
        Unit, through="Cooperation", related_name="cooperations", verbose_name="配合单位"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "工作分工"
        verbose_name_plural = "工作分工"
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit"], name="assignment_unit_unique"),
            models.UniqueConstraint(fields=["plan", "order"], name="assignment_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.unit}"


class Cooperation(models.Model):
    """A cooperating unit named beside a responsible unit, in the notice's order."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="cooperations", verbose_name="工作分工")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="配合单位")
    position = models.PositiveSmallIntegerField("排列顺序")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "配合单位"
        verbose_name_plural = "配合单位"
        ordering = ["assignment", "position"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "unit"], name="cooperation_unique"),
        ]

    def __str__(self) -> str:
        return str(self.unit)


class Quota(models.Model):
    """Target subsidised-training person-times for one unit in one year (指导计划)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="quotas", verbose_name="行动计划")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="quotas", verbose_name="责任单位")
    year = models.PositiveSmallIntegerField("年度")
    target = models.PositiveIntegerField("指导计划（人次）")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "指导计划"
        verbose_name_plural = "指导计划"
        ordering = ["plan", "unit", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit", "year"], name="quota_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}年：{self.target}人次"


class Occupation(models.Model):
    """A trade trained under the plan; featured trades are the district's own (二（四）)."""

    code = models.CharField("职业编码", max_length=20, blank=True)
    name = models.CharField("职业（工种）", max_length=100, unique=True)
    is_featured = models.BooleanField("綦江特色工种", default=False)
    is_active = models.BooleanField("启用", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "职业（工种）"
        verbose_name_plural = "职业（工种）"
        ordering = ["-is_featured", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~models.Q(code=""),
                name="occupation_code_unique",
                violation_error_message="职业编码已被其他职业（工种）使用，请核对编码或留空。",
            )
        ]

    def __str__(self) -> str:
        return self.name


class SkillLevel(models.Model):
    """专项能力 and the five vocational skill levels, ranked from lowest to highest."""

    code = models.SlugField("编码", max_length=30, unique=True)
    name = models.CharField("等级", max_length=30, unique=True)
    rank = models.PositiveSmallIntegerField("排序", unique=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "职业技能等级"
        verbose_name_plural = "职业技能等级"
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class TrainingType(models.Model):
    """A kind of training the notice names (二（一）, 二（二）, 四（一）)."""

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("培训类型", max_length=50, unique=True)
    position = models.PositiveSmallIntegerField("排列顺序", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "培训类型"
        verbose_name_plural = "培训类型"
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class CertificateType(models.Model):
    """The certificates that qualify for a training subsidy (四（二）)."""

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("证书类型", max_length=50, unique=True)
    position = models.PositiveSmallIntegerField("排列顺序", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "证书类型"
        verbose_name_plural = "证书类型"
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Institution(models.Model):
    """A training or evaluation body; public and private are treated alike (三（三）)."""

    class Kind(models.TextChoices):
        TRAINING = "training", "培训机构"
        EVALUATION = "evaluation", "评价机构"
        BOTH = "both", "培训和评价机构"

    class Ownership(models.TextChoices):
        PUBLIC = "public", "公办"
        PRIVATE = "private", "民办"

    class CatalogStatus(models.TextChoices):
        LISTED = "listed", "已列入目录"
        SUSPENDED = "suspended", "暂停"

    name = models.CharField("机构名称", max_length=200, unique=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    kind = models.CharField("机构类别", max_length=20, choices=Kind.choices, default=Kind.TRAINING)
    ownership = models.CharField("举办性质", max_length=20, choices=Ownership.choices, default=Ownership.PRIVATE)
    catalog_status = models.CharField(
        "目录状态", max_length=20, choices=CatalogStatus.choices, default=CatalogStatus.LISTED
    )
    joined_alliance = models.BooleanField("已入驻重庆市职业技能培训联盟服务平台", default=False)
    address = models.CharField("地址", max_length=200, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "培训评价机构"
        verbose_name_plural = "培训评价机构"
        ordering = ["name"]
        permissions = [("view_own_institution", "查看本机构的数据")]

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    """One entry of the published subsidisable training catalog (五（二） 目录清单管理)."""

    occupation = models.ForeignKey(Occupation, on_delete=models.PROTECT, related_name="programmes", verbose_name="职业（工种）")
    level = models.ForeignKey(SkillLevel, on_delete=models.PROTECT, related_name="programmes", verbose_name="等级")
    training_type = models.ForeignKey(TrainingType, on_delete=models.PROTECT, related_name="programmes", verbose_name="培训类型")
    hours = models.PositiveSmallIntegerField("培训课时")
    certificate_type = models.ForeignKey(
        CertificateType, on_delete=models.PROTECT, related_name="programmes", verbose_name="取得证书类型"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="programmes", verbose_name="责任单位")
    valid_from_year = models.PositiveSmallIntegerField("有效期起（年）")
    valid_to_year = models.PositiveSmallIntegerField("有效期止（年）")
    is_active = models.BooleanField("在目录中", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "培训项目"
        verbose_name_plural = "培训项目目录"
        ordering = ["occupation", "level__rank", "training_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["occupation", "level", "training_type", "unit", "valid_from_year"], name="programme_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(hours__gt=0),
                name="programme_hours_positive",
                violation_error_message="培训课时必须大于0。",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to_year__gte=models.F("valid_from_year")),
                name="programme_years_ordered",
                violation_error_message="有效期止（年）不能早于有效期起（年）。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occupation}·{self.level}·{self.training_type}"

    def clean(self) -> None:
        errors = {}
        if self.hours is not None and self.hours <= 0:
            errors["hours"] = "培训课时必须大于0。"
        if self.valid_from_year and self.valid_to_year and self.valid_to_year < self.valid_from_year:
            errors["valid_to_year"] = (
                f"有效期止（{self.valid_to_year}年）不能早于有效期起（{self.valid_from_year}年）。"
            )
        if errors:
            raise ValidationError(errors)

    def covers(self, start, end) -> bool:
        """Whether a class running from ``start`` to ``end`` lies inside the validity years."""
        return self.valid_from_year <= start.year and end.year <= self.valid_to_year


class TrainingClass(models.Model):
    """One run of a programme (培训班): it belongs to one responsible unit, which scopes it."""

    class Status(models.TextChoices):
        PLANNED = "planned", "筹备中"
        IN_PROGRESS = "in_progress", "培训中"
        FINISHED = "finished", "已结业"
        CANCELLED = "cancelled", "已撤销"

    # The workflow (planned → in_progress → finished; planned / in_progress → cancelled).
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.PLANNED: (Status.IN_PROGRESS, Status.CANCELLED),
        Status.IN_PROGRESS: (Status.FINISHED, Status.CANCELLED),
    }
    EDITABLE_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    code = models.CharField("班级编号", max_length=40, unique=True)
    name = models.CharField("班级名称", max_length=200)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="classes", verbose_name="培训项目")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="classes", verbose_name="培训机构")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="classes", verbose_name="责任单位")
    start_date = models.DateField("开班日期")
    end_date = models.DateField("结业日期")
    capacity = models.PositiveIntegerField("计划人数")
    is_project_based = models.BooleanField("项目制培训", default=False)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "培训班"
        verbose_name_plural = "培训班"
        ordering = ["-start_date", "code"]
        indexes = [
            models.Index(fields=["unit", "start_date"], name="class_unit_start_idx"),
            models.Index(fields=["institution", "start_date"], name="class_institution_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="class_dates_ordered",
                violation_error_message="结业日期不能早于开班日期。",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gt=0),
                name="class_capacity_positive",
                violation_error_message="计划人数必须大于0。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def clean(self) -> None:
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = (
                f"结业日期（{self.end_date:%Y-%m-%d}）不能早于开班日期（{self.start_date:%Y-%m-%d}）。"
            )
        if self.capacity is not None and self.capacity <= 0:
            errors["capacity"] = "计划人数必须大于0。"
        if errors:
            raise ValidationError(errors)

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, ())


class TrainingClassTransition(models.Model):
    """One status change of a training class (append-only: who, when, from, to, reason)."""

    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.PROTECT, related_name="transitions", verbose_name="培训班"
    )
    from_status = models.CharField("原状态", max_length=20, choices=TrainingClass.Status.choices)
    to_status = models.CharField("新状态", max_length=20, choices=TrainingClass.Status.choices)
    reason = models.TextField("原因", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "培训班状态变更"
        verbose_name_plural = "培训班状态变更"
        ordering = ["created_at", "id"]
        constraints = [
            # The workflow has no cycles, so a class reaches each status at most once; this
            # keeps two concurrent transitions from both being recorded.
            models.UniqueConstraint(fields=["training_class", "to_status"], name="class_transition_once"),
            models.CheckConstraint(
                condition=~models.Q(from_status=models.F("to_status")), name="class_transition_changes_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.training_class}：{self.get_from_status_display()} → {self.get_to_status_display()}"
