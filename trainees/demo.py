"""Demo data of the registry: trainees with valid ID numbers, enrolments in the demo classes, certificates.

Runs after programs/demo.py (INSTALLED_APPS order) and fills its classes: most trainees
complete on the class's last day, a few drop out, most of those who complete get a
certificate of the programme's type.
"""

import datetime

from programs.models import TrainingClass

from .idnumbers import parse_id_number
from .models import Certificate, Enrolment, TargetGroup, Trainee

COMPLETION_RATE = 0.93
CERTIFICATE_RATE = 0.8
# Each person attends 1.5 classes on average over the three years.
ENROLMENTS_PER_TRAINEE = 1.5

GROUPS_BY_TYPE = {
    "professional-farmer": ["new-professional-farmer", "rural-migrant"],
    "entrepreneurship": ["college-graduate", "rural-migrant"],
    "on-job": ["enterprise-employee"],
    "job-skills-upgrade": ["enterprise-employee"],
    "job-transfer": ["job-transfer", "enterprise-employee"],
    "pre-job": ["enterprise-employee", "college-graduate"],
    "safety-skills": ["enterprise-employee"],
    "special-operations": ["enterprise-employee"],
}
DEFAULT_GROUPS = ["rural-migrant", "laid-off", "liang-hou-sheng", "poverty-labourer", "veteran", "disabled",
                  "zero-employment-family", "urban-dibao"]


def _id_numbers(faker, count: int) -> list[str]:
    numbers: set[str] = set()
    while len(numbers) < count:
        number = faker.ssn(min_age=18, max_age=58)
        if number[:2] != "83":
            numbers.add(number)
    return sorted(numbers)


def demo_load(*, rng, faker) -> str:
    classes = list(
        TrainingClass.objects.select_related("programme__training_type", "programme__occupation",
                                             "programme__level", "programme__certificate_type", "unit")
        .order_by("start_date", "code")
    )
    seats = sum(c.capacity for c in classes)
    if not seats:
        return "没有培训班，未生成学员"
    groups = {g.code: g for g in TargetGroup.objects.all()}
    trainees = []
    for number in _id_numbers(faker, max(1, round(seats / ENROLMENTS_PER_TRAINEE))):
        parsed = parse_id_number(number)
        trainees.append(
            Trainee(
                id_number=number, name=faker.name_male() if parsed.sex == "M" else faker.name_female(),
                sex=parsed.sex, birth_date=parsed.birth_date, mobile=faker.phone_number(),
                household_type=rng.choice(list(Trainee.HouseholdType.values)),
                household_address=f"重庆市綦江区{rng.choice(['古南街道', '文龙街道', '三江街道', '通惠街道', '东溪镇', '打通镇', '石角镇'])}",
                residence_address="重庆市綦江区", seeks_work_in_district=rng.random() < 0.6,
                education=rng.choice(list(Trainee.Education.values)),
                employment_status=rng.choice(list(Trainee.EmploymentStatus.values)),
            )
        )
    rng.shuffle(trainees)
    Trainee.objects.bulk_create(trainees, batch_size=2000)
    trainees = list(Trainee.objects.order_by("id"))
    rng.shuffle(trainees)

    enrolments = []
    memberships = []
    grouped: set[int] = set()
    cursor = 0
    for training_class in classes:
        codes = GROUPS_BY_TYPE.get(training_class.programme.training_type.code, DEFAULT_GROUPS)
        for _ in range(training_class.capacity):
            trainee = trainees[cursor % len(trainees)]
            cursor += 1
            completed = rng.random() < COMPLETION_RATE
            enrolments.append(
                Enrolment(
                    trainee=trainee, training_class=training_class,
                    status=Enrolment.Status.COMPLETED if completed else Enrolment.Status.DROPPED,
                    completion_date=training_class.end_date if completed else None,
                )
            )
            if trainee.pk not in grouped and rng.random() < 0.85:
                grouped.add(trainee.pk)
                memberships.append(Trainee.target_groups.through(trainee_id=trainee.pk, targetgroup_id=groups[rng.choice(codes)].pk))
    Enrolment.objects.bulk_create(enrolments, batch_size=2000)
    Trainee.target_groups.through.objects.bulk_create(memberships, batch_size=2000)

    certificates = []
    held: set[tuple[int, int, int, int]] = set()
    for enrolment in Enrolment.objects.filter(status=Enrolment.Status.COMPLETED).select_related(
        "training_class__programme"
    ).order_by("id"):
        programme = enrolment.training_class.programme
        key = (enrolment.trainee_id, programme.certificate_type_id, programme.occupation_id, programme.level_id)
        if key in held or rng.random() >= CERTIFICATE_RATE:
            continue
        held.add(key)
        certificates.append(
            Certificate(
                trainee_id=enrolment.trainee_id, certificate_type_id=programme.certificate_type_id,
                occupation_id=programme.occupation_id, level_id=programme.level_id,
                number=f"{enrolment.completion_date:%Y}5002{len(certificates) + 1:08d}",
                issuing_body="重庆市綦江区职业技能鉴定评价中心",
                issued_on=enrolment.completion_date + datetime.timedelta(days=rng.randint(3, 20)),
                enrolment=enrolment,
            )
        )
    Certificate.objects.bulk_create(certificates, batch_size=2000)
    return f"学员 {len(trainees)} 人，参训记录 {len(enrolments)} 条，证书 {len(certificates)} 本"
