"""What each role may do with subsidies (merged by accounts.roles.role_permissions).

Applicants (institution and unit operators) open and submit claims; unit operators do
the first review; bureau staff approve, publish the notice and record objections; bureau
admins also edit the policy tables; finance pays and keeps the ledger but sees claims only
once they are payable; auditors read everything and change nothing.
"""

POLICY = ("subsidystandard", "policyparameter", "publicholiday")


def _perms(verbs: tuple[str, ...], models: tuple[str, ...]) -> list[str]:
    return [f"subsidies.{verb}_{model}" for model in models for verb in verbs]


READ_POLICY = _perms(("view",), POLICY + ("fundsource",))
READ_ALL = [
    "subsidies.view_subsidyclaim", "subsidies.view_claim_pipeline", "subsidies.view_fraud_signals",
    "subsidies.view_payment", "subsidies.view_ledger", "subsidies.view_ledgerentry",
]

ROLE_PERMISSIONS = {
    "bureau_admin": [
        *READ_ALL, *READ_POLICY, *_perms(("add", "change"), POLICY),
        "subsidies.approve_claim", "subsidies.record_objection",
    ],
    "bureau_staff": [*READ_ALL, *READ_POLICY, "subsidies.approve_claim", "subsidies.record_objection"],
    "unit_operator": [
        *READ_POLICY, "subsidies.view_subsidyclaim", "subsidies.view_claim_pipeline", "subsidies.view_fraud_signals",
        "subsidies.add_subsidyclaim", "subsidies.change_subsidyclaim", "subsidies.submit_claim",
        "subsidies.review_claim", "subsidies.view_payment",
    ],
    "institution_operator": [
        *READ_POLICY, "subsidies.view_subsidyclaim", "subsidies.view_claim_pipeline",
        "subsidies.add_subsidyclaim", "subsidies.change_subsidyclaim", "subsidies.submit_claim",
        "subsidies.view_payment",
    ],
    "finance": [
        *READ_POLICY, "subsidies.view_subsidyclaim", "subsidies.pay_claim", "subsidies.view_payment",
        "subsidies.view_ledger", "subsidies.view_ledgerentry", "subsidies.manage_ledger",
    ],
    "auditor": [*READ_ALL, *READ_POLICY],
}
