"""The action plan as data: plans, units, the division of work and yearly quotas.

Source: 綦江府办发〔2019〕39号, 一（二） and the attachment table
(綦江区大规模职业技能提升行动工作分工及指导计划). A later plan (e.g. 2022–2025) is
added as another data file, never as code.
"""

from django.db import models
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
