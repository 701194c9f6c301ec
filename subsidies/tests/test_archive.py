"""The trainee archive's subsidy section (subsidies/archive.py), tested directly."""

import datetime

from subsidies import services
from subsidies.archive import archive_sections

from .conftest import run_to


def test_the_archive_lists_subsidies_the_user_may_see(claim, world, bureau_staff, finance, funded, operator_b, auditor):
    trainee = world.enrolments[0].trainee
    # A draft is not a subsidy yet.
    assert archive_sections(trainee=trainee, user=bureau_staff)[0]["rows"] == []
    claim = run_to(claim, "payable", world=world, bureau=bureau_staff)
    services.claim_pay(claim=claim, fund_source=funded, voucher_number="PZ-1", paid_on=datetime.date.today(), actor=finance)
    sections = archive_sections(trainee=trainee, user=auditor)
    assert [s["title"] for s in sections] == ["补贴享受记录"]
    section = sections[0]
    assert section["columns"] == ["申领编号", "补贴类型", "培训班", "职业（工种）", "等级", "补贴金额（元）", "申领状态", "支付日期"]
    klass = world.klass
    assert section["rows"] == [[
        claim.number, "职业培训补贴", f"{klass.name}（{klass.code}）", "电焊", "初级工（五级）", "1,000.00", "已支付",
        datetime.date.today().isoformat(),
    ]]
    assert all(isinstance(cell, str) for cell in section["rows"][0])
    assert archive_sections(trainee=trainee, user=world.applicant)[0]["rows"][0][5] == "1,000.00"
    assert archive_sections(trainee=trainee, user=finance)[0]["rows"][0][6] == "已支付"
    # Another unit's operator sees an empty section, never someone else's claims.
    assert archive_sections(trainee=trainee, user=operator_b) == [
        {"title": "补贴享受记录", "columns": section["columns"], "rows": []}
    ]


def test_ineligible_lines_are_not_subsidies(claim, world, bureau_staff):
    trainee = world.enrolments[0].trainee
    line = claim.lines.get(trainee=trainee)
    claim = services.claim_line_exclude(claim=claim, line_id=line.pk, excluded=True, reason="未参训", actor=world.applicant)
    services.claim_submit(claim=claim, actor=world.applicant)
    assert archive_sections(trainee=trainee, user=bureau_staff)[0]["rows"] == []
    other = world.enrolments[1].trainee
    assert archive_sections(trainee=other, user=bureau_staff)[0]["rows"][0][6] == "待初审"
