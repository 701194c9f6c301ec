"""The dashboard and the error pages."""

from django.http import Http404
from django.shortcuts import render

from programs import selectors as plan_selectors


def dashboard(request):
    """The notice's attachment table, as far as the user's scope reaches."""
    plan = plan_selectors.plan_get(pk=request.GET.get("plan"))
    if plan is None:
        raise Http404("没有找到该行动计划。")
    table = plan_selectors.plan_table(user=request.user, plan=plan)
    return render(
        request, "reports/dashboard.html", {"table": table, "plans": plan_selectors.plan_list()}
    )


def _error(request, status: int, title: str, message: str):
    return render(request, "error.html", {"status": status, "title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "请求有误", "请求的内容无法处理，请返回上一页检查后重试。")


def permission_denied(request, exception=None):
    return _error(request, 403, "无权访问", "您的账号没有访问此页面的权限。如需开通，请联系安全管理员。")


def page_not_found(request, exception=None):
    return _error(request, 404, "页面不存在", "您访问的页面不存在，或不在您的账号可查看的范围内。")


def server_error(request):
    return _error(request, 500, "系统错误", "系统处理时发生错误，已记录。请稍后重试，如仍有问题请联系系统管理员。")


def csrf_failure(request, reason: str = ""):
    return _error(request, 403, "页面已过期", "页面已过期或来源不正确，请刷新页面后重新提交。")
