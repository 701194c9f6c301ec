"""Factories for institutions, programmes and classes (catalog rows come from the seed)."""

import datetime

import factory
from factory.django import DjangoModelFactory

from programs.creditcodes import check_character
from programs.models import (
    CertificateType, Institution, Occupation, Programme, SkillLevel, TrainingClass, TrainingType, Unit,
)


def credit_code(n: int) -> str:
    """A valid GB 32100-2015 code for a company registered in 綦江区 (500222)."""
    first17 = f"91500222{n:09d}"
    return first17 + check_character(first17)


class InstitutionFactory(DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"綦江区第{n + 1}职业培训学校")
    credit_code = factory.Sequence(lambda n: credit_code(n + 1))
    kind = Institution.Kind.TRAINING
    ownership = Institution.Ownership.PRIVATE
    catalog_status = Institution.CatalogStatus.LISTED
    joined_alliance = True


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("occupation", "level", "training_type", "unit", "valid_from_year")

    occupation = factory.LazyFunction(lambda: Occupation.objects.get(name="电焊"))
    level = factory.LazyFunction(lambda: SkillLevel.objects.get(code="level-5"))
    training_type = factory.LazyFunction(lambda: TrainingType.objects.get(code="employment-skills"))
    hours = 80
    certificate_type = factory.LazyFunction(lambda: CertificateType.objects.get(code="skill-level"))
    unit = factory.LazyFunction(lambda: Unit.objects.get(name="区人力社保局"))
    valid_from_year = 2019
    valid_to_year = 2021


class TrainingClassFactory(DjangoModelFactory):
    class Meta:
        model = TrainingClass

    code = factory.Sequence(lambda n: f"QJ2019-{n + 1:04d}")
    name = factory.LazyAttribute(lambda o: f"{o.programme.occupation}{o.programme.level}培训班")
    unit = factory.LazyFunction(lambda: Unit.objects.get(name="区人力社保局"))
    programme = factory.SubFactory(ProgrammeFactory, unit=factory.SelfAttribute("..unit"))
    institution = factory.SubFactory(InstitutionFactory)
    start_date = datetime.date(2019, 3, 4)
    end_date = datetime.date(2019, 3, 29)
    capacity = 50
    is_project_based = False
    status = TrainingClass.Status.FINISHED
