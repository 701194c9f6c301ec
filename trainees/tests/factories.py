"""Factories for the registry. ID numbers are valid GB 11643-1999 numbers from Faker zh_CN."""

import datetime

import factory
from factory.django import DjangoModelFactory
from faker import Faker

from programs.models import CertificateType, Occupation, SkillLevel
from programs.tests.factories import TrainingClassFactory
from trainees.idnumbers import parse_id_number
from trainees.models import Certificate, Enrolment, Trainee

_faker = Faker("zh_CN")


def adult_id_number(min_age: int = 18, max_age: int = 55) -> str:
    """A valid mainland ID number (province code 11–65) of an adult."""
    while True:
        number = _faker.ssn(min_age=min_age, max_age=max_age)
        if number[:2] != "83":
            return number


class TraineeFactory(DjangoModelFactory):
    class Meta:
        model = Trainee
        skip_postgeneration_save = True

    id_number = factory.LazyFunction(adult_id_number)
    name = factory.Faker("name", locale="zh_CN")
    sex = factory.LazyAttribute(lambda o: parse_id_number(o.id_number).sex)
    birth_date = factory.LazyAttribute(lambda o: parse_id_number(o.id_number).birth_date)
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    household_type = Trainee.HouseholdType.AGRICULTURAL
    household_address = "重庆市綦江区古南街道"
    residence_address = "重庆市綦江区古南街道"
    education = Trainee.Education.JUNIOR
    employment_status = Trainee.EmploymentStatus.UNEMPLOYED

    @factory.post_generation
    def target_groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.target_groups.set(extracted)


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    trainee = factory.SubFactory(TraineeFactory)
    training_class = factory.SubFactory(TrainingClassFactory)
    status = Enrolment.Status.COMPLETED
    completion_date = factory.LazyAttribute(
        lambda o: o.training_class.end_date if o.status == Enrolment.Status.COMPLETED else None
    )


class CertificateFactory(DjangoModelFactory):
    class Meta:
        model = Certificate

    enrolment = factory.SubFactory(EnrolmentFactory)
    trainee = factory.SelfAttribute("enrolment.trainee")
    certificate_type = factory.LazyFunction(lambda: CertificateType.objects.get(code="skill-level"))
    occupation = factory.LazyAttribute(lambda o: o.enrolment.training_class.programme.occupation if o.enrolment else Occupation.objects.get(name="电焊"))
    level = factory.LazyAttribute(lambda o: o.enrolment.training_class.programme.level if o.enrolment else SkillLevel.objects.get(code="level-5"))
    number = factory.Sequence(lambda n: f"S{2019000000 + n}")
    issuing_body = "重庆市职业技能鉴定指导中心"
    issued_on = factory.LazyAttribute(
        lambda o: o.enrolment.training_class.end_date + datetime.timedelta(days=10) if o.enrolment else datetime.date(2019, 6, 1)
    )
