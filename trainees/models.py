"""The real-name registry (实名制信息管理, 三（四）): trainees, enrolments, certificates."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from programs.models import CertificateType, Occupation, SkillLevel, TrainingClass, Unit

from .idnumbers import mask_id_number
from .phones import mask_mobile


class TargetGroup(models.Model):
    """A category that decides eligibility (二, 四（一）); a person can be in several.

    The flags are what the subsidy rules read: who trains free of charge, who may
    receive the living allowance, who may be hired under 以工代训.
    """

    code = models.SlugField("编码", max_length=50, unique=True)
    name = models.CharField("人员类别", max_length=50, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级类别"
    )
    position = models.PositiveSmallIntegerField("排列顺序", default=0)
    free_training = models.BooleanField("免费职业技能培训（四（一））", default=False)
    living_allowance = models.BooleanField("培训期间生活费补贴（四（一））", default=False)
    work_based_training = models.BooleanField("以工代训吸纳对象（四（一））", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "人员类别"
        verbose_name_plural = "人员类别"
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Trainee(models.Model):
    """A worker in the registry, keyed by the resident ID number (GB 11643-1999)."""

    class Sex(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    class HouseholdType(models.TextChoices):
        AGRICULTURAL = "agricultural", "农业户口"
        NON_AGRICULTURAL = "non_agricultural", "非农业户口"

    class Education(models.TextChoices):
        PRIMARY = "primary", "小学及以下"
        JUNIOR = "junior", "初中"
        SENIOR = "senior", "高中/中专/技校"
        COLLEGE = "college", "大专"
        BACHELOR = "bachelor", "本科及以上"

    class EmploymentStatus(models.TextChoices):
        EMPLOYED = "employed", "在岗职工"
        FLEXIBLE = "flexible", "灵活就业"
        UNEMPLOYED = "unemployed", "失业"
        NOT_EMPLOYED = "not_employed", "未就业"
        STUDENT = "student", "在校学生"
        OTHER = "other", "其他"

    id_number = models.CharField("身份证号码", max_length=18, unique=True)
    name = models.CharField("姓名", max_length=30)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    mobile = models.CharField("手机号码", max_length=11, db_index=True)
    household_type = models.CharField("户口性质", max_length=20, choices=HouseholdType.choices, blank=True)
    household_address = models.CharField("户籍地址", max_length=200, blank=True)
    residence_address = models.CharField("常住地址", max_length=200, blank=True)
    seeks_work_in_district = models.BooleanField("在本区求职就业", default=False)
    education = models.CharField("文化程度", max_length=20, choices=Education.choices, blank=True)
    employment_status = models.CharField("就业状态", max_length=20, choices=EmploymentStatus.choices, blank=True)
    target_groups = models.ManyToManyField(TargetGroup, blank=True, related_name="trainees", verbose_name="人员类别")
    receives_monthly_pension = models.BooleanField("按月领取养老金", default=False)
    registered_by_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="registered_trainees", verbose_name="登记单位"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(m2m_fields=[target_groups])

    class Meta:
        verbose_name = "学员"
        verbose_name_plural = "学员"
        ordering = ["-created_at", "id"]
        permissions = [("reveal_personal_data", "查看完整身份证号码和手机号码")]

    def __str__(self) -> str:
        return self.name

    # What pages, API responses and exports show; the full values only through a recorded reveal.
    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile)


class Enrolment(models.Model):
    """One trainee in one class (参训记录)."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", "在训"
        COMPLETED = "completed", "已结业"
        DROPPED = "dropped", "已退学"

    # The only moves an enrolment may make; each has its own service (enrolment_complete, enrolment_drop).
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.ENROLLED: frozenset({Status.COMPLETED, Status.DROPPED}),
        Status.COMPLETED: frozenset(),
        Status.DROPPED: frozenset(),
    }

    trainee = models.ForeignKey(Trainee, on_delete=models.PROTECT, related_name="enrolments", verbose_name="学员")
    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.PROTECT, related_name="enrolments", verbose_name="培训班"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.ENROLLED)
    completion_date = models.DateField("结业日期", null=True, blank=True)
    overlaps_other_class = models.BooleanField(
        "与其他培训班时间重叠", default=False, help_text="同一学员同时参加时间重叠的培训班，供审核人员核查。"
    )
    created_at = models.DateTimeField("报名时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="登记人"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "参训记录"
        verbose_name_plural = "参训记录"
        ordering = ["training_class", "id"]
        constraints = [
            models.UniqueConstraint(fields=["trainee", "training_class"], name="enrolment_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="completed") | models.Q(completion_date__isnull=False),
                name="enrolment_completed_has_date",
            ),
        ]
        indexes = [models.Index(fields=["training_class", "status"], name="enrolment_class_status_idx")]

    def __str__(self) -> str:
        return f"{self.trainee} @ {self.training_class}"


class Certificate(models.Model):
    """A certificate a trainee holds (四（二）), optionally linked to the enrolment that led to it."""

    trainee = models.ForeignKey(Trainee, on_delete=models.PROTECT, related_name="certificates", verbose_name="学员")
    certificate_type = models.ForeignKey(
        CertificateType, on_delete=models.PROTECT, related_name="certificates", verbose_name="证书类型"
    )
    occupation = models.ForeignKey(Occupation, on_delete=models.PROTECT, related_name="certificates", verbose_name="职业（工种）")
    level = models.ForeignKey(SkillLevel, on_delete=models.PROTECT, related_name="certificates", verbose_name="等级")
    number = models.CharField("证书编号", max_length=50)
    issuing_body = models.CharField("发证机构", max_length=200)
    issued_on = models.DateField("发证日期")
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates", verbose_name="参训记录"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "证书"
        verbose_name_plural = "证书"
        ordering = ["-issued_on", "id"]
        constraints = [models.UniqueConstraint(fields=["certificate_type", "number"], name="certificate_number_unique")]
        # A number used on certificates of two types is a fraud signal; find it without a scan.
        indexes = [models.Index(fields=["number"], name="certificate_number_idx")]

    def __str__(self) -> str:
        return f"{self.certificate_type} {self.number}"
