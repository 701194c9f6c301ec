"""Demo data of the plan side: training institutions, catalog programmes and classes (manage.py load_demo).

Every responsible unit runs classes in each quarter of 2019–2021, sized so that its
completions come close to its quota (the attachment table). ``SCALE`` shrinks everything
for tests.
"""

import datetime
import math

from .creditcodes import check_character
from .models import (
    ActionPlan, Assignment, CertificateType, Institution, Occupation, Programme, Quota, SkillLevel, TrainingClass,
    TrainingType,
)

SCALE = 1.0
CLASS_SIZE = 45
PLAN_CODE = "qijiang-2019-2021"

INSTITUTIONS = [
    ("重庆市綦江职业教育中心", Institution.Ownership.PUBLIC, Institution.Kind.BOTH),
    ("重庆市綦江区技工学校", Institution.Ownership.PUBLIC, Institution.Kind.BOTH),
    ("綦江区古南职业技能培训学校", Institution.Ownership.PRIVATE, Institution.Kind.TRAINING),
    ("綦江区文龙家政服务培训中心", Institution.Ownership.PRIVATE, Institution.Kind.TRAINING),
    ("綦江区通惠电焊技术培训学校", Institution.Ownership.PRIVATE, Institution.Kind.TRAINING),
    ("綦江区三江汽车维修培训学校", Institution.Ownership.PRIVATE, Institution.Kind.TRAINING),
    ("綦江区东溪农业技术培训中心", Institution.Ownership.PRIVATE, Institution.Kind.TRAINING),
    ("綦江区版画艺术培训学校", Institution.Ownership.PRIVATE, Institution.Kind.TRAINING),
    ("綦江区安全生产技术培训中心", Institution.Ownership.PRIVATE, Institution.Kind.TRAINING),
    ("綦江区电子商务创业培训学校", Institution.Ownership.PRIVATE, Institution.Kind.TRAINING),
    ("綦江区养老护理职业培训学校", Institution.Ownership.PRIVATE, Institution.Kind.TRAINING),
    ("綦江区职业技能鉴定评价中心", Institution.Ownership.PUBLIC, Institution.Kind.EVALUATION),
]

# (occupation, level code, training type code, certificate type code) per responsible unit.
PROGRAMMES = {
    "区人力社保局": [("电焊", "level-5", "employment-skills", "skill-level"), ("家政", "level-5", "employment-skills", "skill-level"),
                ("电子商务", "special", "entrepreneurship", "training-completion"), ("钳工", "level-4", "job-skills-upgrade", "skill-level")],
    "区经济信息委": [("钳工", "level-4", "on-job", "skill-level"), ("特色食品加工", "level-5", "pre-job", "skill-level")],
    "区教委": [("托幼/保育", "level-5", "employment-skills", "skill-level"), ("人工智能", "level-4", "job-skills-upgrade", "skill-level")],
    "区住房城乡建委": [("电焊", "level-4", "safety-skills", "special-operation"), ("钳工", "level-5", "pre-job", "skill-level")],
    "区农业农村委": [("农林药种植", "special", "professional-farmer", "special-ability"), ("家畜家禽养殖", "special", "professional-farmer", "special-ability")],
    "区商务委": [("电子商务", "special", "employment-skills", "special-ability"), ("餐厅服务", "level-5", "on-job", "skill-level")],
    "区文化旅游委": [("乡村旅游", "special", "employment-skills", "special-ability"), ("版画制作", "special", "employment-skills", "special-ability")],
    "区卫生健康委": [("养老护理", "level-5", "employment-skills", "skill-level")],
    "区国资委": [("钳工", "level-3", "job-skills-upgrade", "skill-level"), ("电焊", "level-4", "on-job", "skill-level")],
    "区扶贫办": [("中式烹调/特色农家菜", "level-5", "employment-skills", "skill-level"), ("家政", "special", "employment-skills", "special-ability")],
    "区应急局": [("电焊", "special", "special-operations", "special-operation")],
    "区司法局": [("传统工艺品加工", "special", "employment-skills", "training-completion")],
    "区交通局": [("汽车维修", "level-4", "job-skills-upgrade", "skill-level")],
    "区退役军人事务局": [("汽车维修", "level-5", "employment-skills", "skill-level")],
    "区总工会": [("钳工", "level-4", "job-transfer", "skill-level"), ("客房服务", "level-5", "on-job", "skill-level")],
    "团区委": [("电子商务", "special", "entrepreneurship", "training-completion")],
    "区妇联": [("家政", "level-5", "employment-skills", "skill-level"), ("托幼/保育", "level-5", "employment-skills", "skill-level")],
    "区市场监管局": [("特色食品加工", "special", "safety-skills", "training-completion")],
}

# Share of a year's quota each quarter: training picks up after the spring festival.
QUARTER_SHARE = (0.15, 0.3, 0.3, 0.25)


def _credit_code(n: int) -> str:
    first17 = f"52500222MJ{n:07d}"
    return first17 + check_character(first17)


def demo_load(*, rng, faker) -> str:
    plan = ActionPlan.objects.get(code=PLAN_CODE)
    institutions = []
    for n, (name, ownership, kind) in enumerate(INSTITUTIONS, start=1):
        institutions.append(
            Institution.objects.create(
                name=name, credit_code=_credit_code(n), kind=kind, ownership=ownership,
                joined_alliance=rng.random() < 0.8, address=f"重庆市綦江区{faker.street_name()}{rng.randint(1, 300)}号",
                contact_name=faker.name(), contact_phone=faker.phone_number(),
            )
        )
    trainers = [i for i in institutions if i.kind != Institution.Kind.EVALUATION]
    occupations = {o.name: o for o in Occupation.objects.all()}
    levels = {lv.code: lv for lv in SkillLevel.objects.all()}
    types = {t.code: t for t in TrainingType.objects.all()}
    certificates = {c.code: c for c in CertificateType.objects.all()}
    quotas = {(q.unit_id, q.year): q.target for q in Quota.objects.filter(plan=plan)}
    programmes = 0
    classes = []
    for assignment in Assignment.objects.filter(plan=plan).select_related("unit").order_by("order"):
        unit = assignment.unit
        unit_programmes = [
            Programme.objects.create(
                occupation=occupations[occupation], level=levels[level], training_type=types[training_type],
                certificate_type=certificates[certificate], unit=unit, hours=rng.choice([40, 60, 80, 120]),
                valid_from_year=plan.start_year, valid_to_year=plan.end_year,
            )
            for occupation, level, training_type, certificate in PROGRAMMES[unit.name]
        ]
        programmes += len(unit_programmes)
        for year in plan.years:
            # Units reach 85–105% of their quota in a year.
            people = quotas.get((unit.pk, year), 0) * rng.uniform(0.85, 1.05) * SCALE
            for quarter, share in enumerate(QUARTER_SHARE, start=1):
                wanted = people * share
                count = max(1, math.ceil(wanted / CLASS_SIZE)) if wanted >= 1 else 0
                for n in range(count):
                    programme = rng.choice(unit_programmes)
                    start = datetime.date(year, 3 * quarter - 2, rng.randint(1, 20))
                    end = start + datetime.timedelta(days=rng.randint(10, 45))
                    if end.month > 3 * quarter or end.year > year:
                        end = datetime.date(year, 3 * quarter, 28)
                    classes.append(
                        TrainingClass(
                            code=f"QJ{year}-{assignment.order:02d}{quarter}{n + 1:03d}",
                            name=f"{year}年第{quarter}期{programme.occupation}{programme.level}培训班",
                            programme=programme, institution=rng.choice(trainers), unit=unit,
                            start_date=start, end_date=end,
                            capacity=max(1, round(wanted / count)),
                            is_project_based=rng.random() < 0.2,
                            status=TrainingClass.Status.FINISHED,
                        )
                    )
    TrainingClass.objects.bulk_create(classes, batch_size=1000)
    return f"培训机构 {len(institutions)} 个，培训项目 {programmes} 个，培训班 {len(classes)} 个"
