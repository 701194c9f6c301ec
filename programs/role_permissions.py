"""Permissions the programs app adds beyond accounts.roles (merged by accounts.roles.role_permissions).

Keys are role codes (accounts.roles.Role values); programs must not import accounts models.
"""

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Status changes of classes are read in admin by the roles that may open it.
    "bureau_admin": ["programs.view_trainingclasstransition"],
    "auditor": ["programs.view_trainingclasstransition"],
}
