"""Sections of the public page (/public/, no login) filled by the subsidies app (contract: reports.public).

``fund_usage`` 资金使用情况 — 四（四） "定期向社会公开资金使用情况": per year, the money allocated
into the special ledger, the subsidies paid out of it and the year-end balance, by fund source,
and the subsidies paid by subsidy type (payouts net of recoveries, allocations net of their
corrections), with the totals to date.
``notice_lists`` 补贴公示名单 — the claims on public notice now or whose notice ended in the last
``selectors.NOTICE_KEPT_DAYS`` days, from the same masked selector and template as the notice
page: names ``张*三`` and ID numbers ``500222********1234`` only.

Aggregates and masked data only: the context functions take the plan, never a user or a session,
and read through selectors that are public by design. reports finds this module by its name;
nothing here imports reports.
"""

from __future__ import annotations

from django.utils import timezone

from . import selectors
from .models import SubsidyClaim

NOTICE_LIMIT = 20  # notice lists on the public page; the page stays cheap however many claims there are


def fund_usage_context(plan) -> dict:
    return {"usage": selectors.public_fund_usage(years=plan.years)}


def notice_lists_context(plan) -> dict:
    today = timezone.localdate()
    claims = list(selectors.notice_claims_recent(today=today)[: NOTICE_LIMIT + 1])
    shown = claims[:NOTICE_LIMIT]
    on_notice = {claim.pk for claim in shown if claim.status == SubsidyClaim.Status.PUBLICIZED}
    return {
        "notices": [(block, block.claim_id in on_notice) for block in selectors.notice_blocks(shown)],
        "more": len(claims) > NOTICE_LIMIT, "limit": NOTICE_LIMIT, "kept_days": selectors.NOTICE_KEPT_DAYS,
    }


PUBLIC_SECTIONS = [
    {
        "key": "fund_usage", "title": "资金使用情况", "template": "subsidies/public/_fund_usage.html",
        "context": fund_usage_context, "order": 30,
    },
    {
        "key": "notice_lists", "title": "补贴公示名单", "template": "subsidies/public/_notice_lists.html",
        "context": notice_lists_context, "order": 40,
    },
]
