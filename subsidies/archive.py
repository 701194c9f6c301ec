"""The trainee archive's subsidy section (discovered by the trainees app's archive page)."""

from __future__ import annotations

from . import policy, selectors

COLUMNS = ["申领编号", "补贴类型", "培训班", "职业（工种）", "等级", "补贴金额（元）", "申领状态", "支付日期"]


def archive_sections(*, trainee, user) -> list[dict]:
    """补贴享受记录: the trainee's lines in the claims ``user`` may see (drafts left out), amounts as "1,200.00"."""
    rows = []
    for line in selectors.trainee_subsidy_lines(user=user, trainee_id=trainee.pk):
        claim = line.claim
        klass = claim.training_class
        paid_on = max((p.paid_on for p in claim.payments.all()), default=None)
        rows.append(
            [
                claim.number,
                claim.get_subsidy_type_display(),
                f"{klass.name}（{klass.code}）",
                klass.programme.occupation.name,
                klass.programme.level.name,
                policy.yuan(line.amount),
                claim.get_status_display(),
                f"{paid_on:%Y-%m-%d}" if paid_on else "",
            ]
        )
    return [{"title": "补贴享受记录", "columns": list(COLUMNS), "rows": rows}]
