from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from simple_history.admin import SimpleHistoryAdmin

from .models import AuditEntry, User
from .roles import Role, roles_of
from .services import account_set_roles, role_binding_check


class RoleChangeForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label="角色", choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = User
        fields = ["unit", "institution"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["roles"] = [role.value for role in roles_of(self.instance)]

    def clean(self):
        cleaned = super().clean()
        try:
            role_binding_check(
                roles={Role(r) for r in cleaned.get("roles", [])},
                unit=cleaned.get("unit"),
                institution=cleaned.get("institution"),
            )
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages)
        return cleaned


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    """System admins keep accounts; only security admins change roles (三员分立)."""

    list_display = ["username", "full_name", "unit", "institution", "role_names", "is_active", "last_login"]
    list_filter = ["is_active", "groups", "unit"]
    search_fields = ["username", "full_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("个人信息", {"fields": ["full_name", "email"]}),
        ("状态", {"fields": ["is_active", "must_change_password", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["username", "full_name", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["change_roles"]

    @admin.display(description="角色")
    def role_names(self, obj: User) -> str:
        return "、".join(sorted(role.label for role in roles_of(obj))) or "（无）"

    def get_urls(self):
        from django.urls import path

        return [
            path("<int:pk>/roles/", self.admin_site.admin_view(self.roles_view), name="accounts_user_roles"),
            *super().get_urls(),
        ]

    def roles_view(self, request, pk: int):
        from django.shortcuts import get_object_or_404, redirect
        from django.template.response import TemplateResponse

        if not request.user.has_perm("accounts.assign_roles"):
            raise PermissionDenied
        user = get_object_or_404(User, pk=pk)
        form = RoleChangeForm(request.POST or None, instance=user)
        if request.method == "POST" and form.is_valid():
            try:
                account_set_roles(
                    user=user,
                    roles={Role(r) for r in form.cleaned_data["roles"]},
                    unit=form.cleaned_data["unit"],
                    institution=form.cleaned_data["institution"],
                    actor=request.user,
                )
            except PermissionDenied as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已更新 {user} 的角色。")
                return redirect("admin:accounts_user_change", pk)
        context = {**self.admin_site.each_context(request), "form": form, "target": user, "opts": self.model._meta,
                   "title": f"分配角色：{user}"}
        return TemplateResponse(request, "admin/accounts/user/roles.html", context)

    @admin.action(description="分配角色")
    def change_roles(self, request, queryset):
        from django.shortcuts import redirect

        if queryset.count() != 1:
            self.message_user(request, "请一次只选择一个账号分配角色。", level=messages.WARNING)
            return None
        return redirect("admin:accounts_user_roles", queryset.get().pk)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("accounts.assign_roles"):
            actions.pop("change_roles", None)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None) -> bool:
        # Accounts are deactivated, never deleted: the audit trail refers to them.
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_username", "action", "result", "object_type", "object_repr", "source_ip"]
    list_filter = ["action", "result", "created_at"]
    search_fields = ["actor_username", "object_repr", "object_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
