"""The subsidy pages: what each role sees and may do, scoping (404), masking, CSP-clean HTML."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEntry
from subsidies import services
from subsidies.models import ClaimAttachment, Payment, PolicyParameter, SubsidyClaim

from .conftest import finished_class, run_to

FULL_ID = re.compile(r"(?<![\d*])\d{17}[\dX](?![\d*])")


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert "style=" not in html and "<script>" not in html and "<style" not in html
    assert "http://" not in html and "https://" not in html
    return html


def test_applicant_sees_lines_reasons_and_can_submit(client_for, world):
    from trainees.tests.factories import EnrolmentFactory

    dropped = EnrolmentFactory(training_class=world.klass, status="dropped")
    claim = services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.applicant)
    client = client_for(world.applicant)
    html = html_of(client.get(reverse("subsidy_claim_detail", args=[claim.pk])))
    assert "符合条件 <span class=\"figure\" id=\"eligible-count\">3</span> / 4 人" in html
    assert 'id="claim-total">3,000.00</span>' in html
    assert "该学员已退学，不能享受补贴。" in html and "（四（二））" in html
    assert dropped.trainee.id_number not in html and not FULL_ID.search(html)
    assert "提交申领" in html and "疑点" not in html  # applicants do not see fraud signals
    response = client.post(reverse("subsidy_claim_submit", args=[claim.pk]), follow=True)
    assert "已提交，等待责任单位初审。" in response.content.decode()
    assert SubsidyClaim.objects.get(pk=claim.pk).status == "submitted"


def test_new_claim_form_offers_only_own_classes(client_for, world, unit_b):
    other, _ = finished_class(unit=unit_b)
    client = client_for(world.applicant)
    html = html_of(client.get(reverse("subsidy_claim_new")))
    assert world.klass.code in html and other.code not in html
    response = client.post(reverse("subsidy_claim_new"), {"training_class": other.pk, "subsidy_type": "training"})
    assert "请选择本机构或本单位已开班或已结业的培训班。" in response.content.decode()
    response = client.post(reverse("subsidy_claim_new"), {"training_class": world.klass.pk, "subsidy_type": "project"})
    assert "项目制培训补贴只适用于项目制培训班" in response.content.decode()
    assert not SubsidyClaim.objects.exists()
    response = client.post(reverse("subsidy_claim_new"), {"training_class": world.klass.pk, "subsidy_type": "training"}, follow=True)
    claim = SubsidyClaim.objects.get()
    assert f"已创建申领 {claim.number}：3 名学员符合条件，合计 3,000.00 元。" in response.content.decode()


def test_reviewers_see_fraud_signals(client_for, world, bureau_staff):
    from subsidies.models import PolicyParameter

    PolicyParameter.objects.filter(code="spot_check_rate").update(value="1")
    claim = services.claim_submit(
        claim=services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.applicant),
        actor=world.applicant,
    )
    html = html_of(client_for(world.reviewer).get(reverse("subsidy_claim_detail", args=[claim.pk])))
    assert "疑点提示（1）" in html and "本申领被随机抽中" in html and "初审通过" in html
    listing = html_of(client_for(bureau_staff).get(reverse("subsidy_signal_list")))
    assert claim.number in listing


def test_unit_review_and_bureau_approval_through_the_pages(client_for, claim, world, bureau_staff):
    services.claim_submit(claim=claim, actor=world.applicant)
    response = client_for(world.reviewer).post(reverse("subsidy_claim_review", args=[claim.pk]), {"comment": "同意"}, follow=True)
    assert "初审通过，已转区人力社保局复核。" in response.content.decode()
    response = client_for(bureau_staff).post(reverse("subsidy_claim_return", args=[claim.pk]), {"reason": ""}, follow=True)
    assert "请填写原因。" in response.content.decode()
    client_for(bureau_staff).post(reverse("subsidy_claim_approve", args=[claim.pk]), {"comment": ""})
    client_for(bureau_staff).post(reverse("subsidy_claim_publicize", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.status == "publicized"
    html = html_of(client_for(bureau_staff).get(reverse("subsidy_claim_detail", args=[claim.pk])))
    assert "登记异议" in html and "复核通过" in html  # the history names each step


def test_finance_pays_through_the_page_once(client_for, claim, world, bureau_staff, finance, funded):
    claim = run_to(claim, "payable", world=world, bureau=bureau_staff)
    client = client_for(finance)
    html = html_of(client.get(reverse("subsidy_claim_detail", args=[claim.pk])))
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)
    data = {"fund_source": funded.pk, "voucher_number": "PZ-8", "paid_on": datetime.date.today().isoformat(),
            "idempotency_key": key}
    first = client.post(reverse("subsidy_claim_pay", args=[claim.pk]), data, follow=True).content.decode()
    again = client.post(reverse("subsidy_claim_pay", args=[claim.pk]), data, follow=True).content.decode()
    assert "已登记支付：一次性支付 3,000.00 元（凭证号 PZ-8）。" in first
    assert "该支付已登记过" in again  # a double click records nothing new
    assert Payment.objects.count() == 1
    assert "已支付" in again and "3,000.00" in again


def test_other_unit_operator_gets_404_everywhere(client_for, claim, world, operator_b, bureau_staff):
    services.claim_submit(claim=claim, actor=world.applicant)
    client = client_for(operator_b)
    assert client.get(reverse("subsidy_claim_detail", args=[claim.pk])).status_code == 404
    for name in ("subsidy_claim_submit", "subsidy_claim_review", "subsidy_claim_approve", "subsidy_claim_publicize",
                 "subsidy_claim_return", "subsidy_claim_reject", "subsidy_claim_settle", "subsidy_claim_evaluate",
                 "subsidy_claim_pay", "subsidy_attachment_upload", "subsidy_objection_create"):
        assert client.post(reverse(name, args=[claim.pk]), {"reason": "x"}).status_code == 404, name
    line = claim.lines.first()
    assert client.post(reverse("subsidy_line_exclude", args=[claim.pk, line.pk])).status_code == 404
    html = html_of(client.get(reverse("subsidy_claim_list")))
    assert claim.number not in html and "没有可查看的补贴申领" in html
    assert SubsidyClaim.objects.get(pk=claim.pk).status == "submitted"


def test_finance_sees_only_claims_waiting_for_payment(client_for, claim, world, finance, bureau_staff):
    assert client_for(finance).get(reverse("subsidy_claim_detail", args=[claim.pk])).status_code == 404
    run_to(claim, "payable", world=world, bureau=bureau_staff)
    html = html_of(client_for(finance).get(reverse("subsidy_claim_list")))
    assert claim.number in html


def test_attachments_upload_and_scoped_download(client_for, claim, world, operator_b, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.applicant)
    bad = SimpleUploadedFile("sheet.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(reverse("subsidy_attachment_upload", args=[claim.pk]), {"kind": "sign_in", "file": bad}, follow=True)
    assert "材料只能是 PDF、JPG 或 PNG 文件。" in response.content.decode()
    pdf = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 sign-in", content_type="application/pdf")
    client.post(reverse("subsidy_attachment_upload", args=[claim.pk]), {"kind": "sign_in", "file": pdf})
    attachment = ClaimAttachment.objects.get()
    assert attachment.original_name == "签到表.pdf" and attachment.size == 16
    url = reverse("subsidy_attachment_download", args=[claim.pk, attachment.pk])
    download = client_for(world.reviewer).get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 sign-in"
    assert client_for(operator_b).get(url).status_code == 404


def test_notice_page_shows_masked_names_and_ids(client_for, claim, world, bureau_staff, operator_b):
    run_to(claim, "publicized", world=world, bureau=bureau_staff)
    html = html_of(client_for(operator_b).get(reverse("subsidy_notice_list")))
    assert "职业培训补贴公示" in html and "合计（3人）" in html and "3,000.00" in html
    for enrolment in world.enrolments:
        trainee = enrolment.trainee
        assert trainee.id_number not in html and trainee.name not in html
        assert f"{trainee.id_number[:6]}********{trainee.id_number[-4:]}" in html
    assert not FULL_ID.search(html)


def test_ledger_page_for_finance_and_auditors_only(client_for, funded, finance, auditor, operator_a, world):
    html = html_of(client_for(finance).get(reverse("subsidy_ledger")))
    assert "100,000.00" in html and "登记拨入" in html
    auditor_html = html_of(client_for(auditor).get(reverse("subsidy_ledger")))
    assert "100,000.00" in auditor_html and "登记拨入" not in auditor_html
    assert client_for(operator_a).get(reverse("subsidy_ledger")).status_code == 403
    assert client_for(world.applicant).get(reverse("subsidy_ledger")).status_code == 403
    response = client_for(finance).post(
        reverse("subsidy_ledger_allocate"),
        {"fund_source": funded.pk, "amount": "abc", "entry_date": "2019-02-01"}, follow=True,
    )
    assert "拨入金额应填写数字，如 100000.00。" in response.content.decode()
    assert client_for(auditor).post(reverse("subsidy_ledger_allocate"), {}).status_code == 403


def test_policy_page_and_admin_edit_is_audited(client_for, bureau_admin, bureau_staff, operator_a):
    html = html_of(client_for(operator_a).get(reverse("subsidy_policy")))
    assert "每人每年享受职业培训补贴次数上限" in html and "4,000.00" in html
    parameter = PolicyParameter.objects.get(code="living_allowance_per_day")
    url = reverse("admin:subsidies_policyparameter_change", args=[parameter.pk])
    response = client_for(bureau_admin).post(
        url, {"code": "living_allowance_per_day", "value": "abc", "valid_from": "2019-01-01", "valid_to": "", "note": ""}
    )
    assert "应填写数字，当前为“abc”" in response.content.decode()
    response = client_for(bureau_admin).post(
        url, {"code": "living_allowance_per_day", "value": "35.00", "valid_from": "2019-01-01", "valid_to": "", "note": "调整"}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditEntry.Action.POLICY_CHANGE)
    assert entry.detail["before"]["value"] == "30.00" and entry.detail["after"]["value"] == "35.00"
    assert entry.actor == bureau_admin
    refused = client_for(bureau_staff).post(url, {"value": "1"})  # bureau staff have no admin
    assert refused.status_code == 302 and "/admin/login/" in refused["Location"]
    assert PolicyParameter.objects.get(pk=parameter.pk).value == "35.00"
    assert services.policy_row_save.__doc__ and AuditEntry.objects.filter(action=AuditEntry.Action.POLICY_CHANGE).count() == 1


@pytest.mark.parametrize("user_fixture, expected", [
    ("bureau_staff", ["补贴申领", "补贴公示", "疑点核查", "专账", "补贴标准"]),
    ("finance", ["补贴申领", "补贴公示", "专账", "补贴标准"]),
    ("operator_a", ["补贴申领", "补贴公示", "补贴标准"]),
    ("no_role_user", []),
])
def test_navigation(db, user_fixture, expected, request):
    from subsidies.navigation import nav_items

    user = request.getfixturevalue(user_fixture)
    assert [label for label, _ in nav_items(user)] == expected
