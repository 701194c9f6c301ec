"""Accounts bound to a unit, and the append-only audit trail."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A named person with one role; unit operators are bound to a unit, institution operators to an institution."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    unit = models.ForeignKey(
        "programs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="所属单位",
    )
    institution = models.ForeignKey(
        "programs.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="所属机构",
    )
    must_change_password = models.BooleanField(
        "下次登录须修改密码", default=False, help_text="使用一次性密码创建的账号首次登录后必须修改密码。"
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]
        permissions = [("assign_roles", "分配角色与权限")]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）" if self.full_name else self.username


class AuditEntry(models.Model):
    """One line of the audit trail (等保 2.0 安全审计): never updated, never deleted."""

    class Action(models.TextChoices):
        LOGIN = "login", "登录成功"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKED_OUT = "locked_out", "账号锁定"
        LOGOUT = "logout", "退出登录"
        SESSION_EXPIRED = "session_expired", "会话超时"
        PASSWORD_CHANGED = "password_changed", "修改密码"
        ACCOUNT_CREATED = "account_created", "创建账号"
        ACCOUNT_CHANGED = "account_changed", "变更账号"
        REVEAL = "reveal", "查看完整个人信息"
        EXPORT = "export", "导出"
        TRANSITION = "transition", "流程流转"
        PAYMENT = "payment", "支付"
        CATALOG_CHANGE = "catalog_change", "目录变更"
        POLICY_CHANGE = "policy_change", "政策参数变更"
        PLAN_CHANGE = "plan_change", "计划变更"
        DEADLINE_CHANGE = "deadline_change", "报送期限变更"
        STATISTICS_ENTRY = "statistics_entry", "统计数据录入"
        REGISTRATION = "registration", "登记"

    class Result(models.TextChoices):
        SUCCESS = "success", "成功"
        FAILURE = "failure", "失败"
        DENIED = "denied", "拒绝"

    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="操作人"
    )
    actor_username = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("操作", max_length=30, choices=Action.choices, db_index=True)
    result = models.CharField("结果", max_length=10, choices=Result.choices, default=Result.SUCCESS)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    source_ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.get_action_display()}"


class Notification(models.Model):
    """An in-app message to one user (站内消息). Upper apps choose the ``kind``; it needs no migration."""

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name="接收人"
    )
    kind = models.SlugField("类别", max_length=50)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title
