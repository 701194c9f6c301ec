"""What each role may do in the registry (merged by accounts.roles.role_permissions)."""

REGISTRY = ("trainee", "enrolment", "certificate")


def _perms(verbs: tuple[str, ...], models: tuple[str, ...]) -> list[str]:
    return [f"trainees.{verb}_{model}" for model in models for verb in verbs]


ROLE_PERMISSIONS = {
    "bureau_admin": [
        *_perms(("view", "add", "change"), REGISTRY + ("targetgroup",)), "trainees.reveal_personal_data"
    ],
    "bureau_staff": [
        *_perms(("view", "add", "change"), REGISTRY), "trainees.view_targetgroup", "trainees.reveal_personal_data"
    ],
    "unit_operator": [*_perms(("view", "add", "change"), REGISTRY), "trainees.view_targetgroup"],
    "institution_operator": [*_perms(("view", "add", "change"), REGISTRY), "trainees.view_targetgroup"],
    "finance": _perms(("view",), REGISTRY + ("targetgroup",)),
    "auditor": _perms(("view",), REGISTRY + ("targetgroup",)),
}
