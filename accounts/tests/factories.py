import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from accounts.models import User
from accounts.roles import STAFF_ROLES, Role

TEST_PASSWORD = "Kaiping2019test"


class UserFactory(DjangoModelFactory):
    """A user with one role; without ``role=`` the account has no role at all."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if not (create and extracted):
            return
        role = Role(extracted)
        self.groups.add(Group.objects.get(name=role.label))
        if role in STAFF_ROLES:
            self.is_staff = True
            self.save(update_fields=["is_staff"])
