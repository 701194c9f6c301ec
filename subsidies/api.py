"""API of the subsidies app (/api/v1/): claims, lines, one path per transition, payments, ledger, balances.

Every read goes through the scoped selectors (out-of-scope ids answer 404); every write
calls one service. Money is a string of a decimal ("1200.00"); ID numbers are masked.
A payment needs an ``Idempotency-Key`` header: replays of the same key return the
first payment instead of paying twice.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView, ListAPIView, RetrieveAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from programs.selectors import training_class_get
from trainees.masking import mask_id_number

from . import selectors, services
from .models import ClaimLine, ClaimObjection, FundSource, LedgerEntry, Payment, SubsidyClaim, SubsidyType

MONEY = {"max_digits": 14, "decimal_places": 2}


def _call(service, **kwargs):
    """Run a service; its Chinese ValidationError becomes a 400 with the messages."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        raise ValidationError({"detail": exc.messages}) from None


# ---------------------------------------------------------------- serializers


class ClaimReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    section = serializers.CharField()


class ClaimLineSerializer(serializers.ModelSerializer):
    trainee_name = serializers.CharField(source="trainee.name", label="姓名")
    id_number = serializers.SerializerMethodField(label="身份证号码（脱敏）")
    certificate_number = serializers.CharField(source="certificate.number", default="", label="证书编号")
    unit_amount = serializers.DecimalField(**MONEY, label="单价（元）")
    quantity = serializers.DecimalField(max_digits=8, decimal_places=2, label="数量")
    amount = serializers.DecimalField(**MONEY, label="补贴金额（元）")
    reasons = ClaimReasonSerializer(many=True, label="不符合的规定")
    signals = serializers.SerializerMethodField(label="疑点")

    class Meta:
        model = ClaimLine
        fields = [
            "id", "enrolment", "trainee", "trainee_name", "id_number", "certificate_number", "standard",
            "unit_amount", "quantity", "amount", "eligible", "excluded", "exclusion_reason", "reasons", "signals",
        ]

    def get_id_number(self, line) -> str:
        return mask_id_number(line.trainee.id_number)

    def get_signals(self, line) -> list[str]:
        request = self.context.get("request")
        if request is None or not request.user.has_perm("subsidies.view_fraud_signals"):
            return []
        return [signal.code for signal in line.signals.all()]


class TransitionSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    action = serializers.CharField()
    label = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(source="actor.username", default="系统")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class ClaimSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True, label="申领编号")
    subsidy_type_label = serializers.CharField(source="get_subsidy_type_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    class_code = serializers.CharField(source="training_class.code", read_only=True)
    class_name = serializers.CharField(source="training_class.name", read_only=True)
    unit = serializers.CharField(source="training_class.unit.name", read_only=True)
    institution = serializers.CharField(source="training_class.institution.name", read_only=True)
    total = serializers.DecimalField(**MONEY, read_only=True, label="补贴金额合计（元）")
    advance_ratio = serializers.DecimalField(max_digits=4, decimal_places=3, read_only=True)

    class Meta:
        model = SubsidyClaim
        fields = [
            "id", "number", "subsidy_type", "subsidy_type_label", "phase", "status", "status_label",
            "training_class", "class_code", "class_name", "unit", "institution", "payee_name", "employer_kind",
            "employer_insured", "total", "line_count", "eligible_count", "advance_ratio", "spot_check",
            "notice_published_on", "notice_ends_on", "submitted_at", "created_at",
        ]


class ClaimDetailSerializer(ClaimSerializer):
    lines = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = ClaimSerializer.Meta.fields + ["lines", "transitions"]

    @extend_schema(responses=ClaimLineSerializer(many=True))
    def get_lines(self, claim) -> list[dict]:
        return ClaimLineSerializer(selectors.claim_lines(claim=claim), many=True, context=self.context).data

    @extend_schema(responses=TransitionSerializer(many=True))
    def get_transitions(self, claim) -> list[dict]:
        return TransitionSerializer(selectors.claim_transitions(claim=claim), many=True).data


class ClaimCreateSerializer(serializers.Serializer):
    training_class = serializers.IntegerField(label="培训班编号")
    subsidy_type = serializers.ChoiceField(choices=SubsidyType.choices, label="补贴类型")
    employer_kind = serializers.ChoiceField(
        choices=SubsidyClaim.EmployerKind.choices, required=False, allow_blank=True, default=""
    )
    employer_insured = serializers.BooleanField(required=False, default=False)
    payee_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, error_messages={"required": "请填写原因。", "blank": "请填写原因。"})


class CommentInputSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ExcludeInputSerializer(serializers.Serializer):
    excluded = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ObjectionSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, label="处理结果")

    class Meta:
        model = ClaimObjection
        fields = ["id", "claim", "enrolment", "objector", "content", "received_on", "status", "decision", "recorded_at",
                  "decided_at"]
        read_only_fields = ["id", "claim", "status", "decision", "recorded_at", "decided_at"]
        extra_kwargs = {"received_on": {"required": False}}


class DecisionInputSerializer(serializers.Serializer):
    decision = serializers.CharField(max_length=2000, error_messages={"required": "请填写核实情况。"})


class PaymentSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(**MONEY, read_only=True)
    claim_number = serializers.CharField(source="claim.number", read_only=True)
    fund_source_name = serializers.CharField(source="fund_source.name", read_only=True)

    class Meta:
        model = Payment
        fields = ["id", "claim", "claim_number", "stage", "amount", "fund_source", "fund_source_name",
                  "voucher_number", "paid_on", "recorded_at"]
        read_only_fields = ["id", "stage", "amount", "recorded_at"]


class PaymentCreateSerializer(serializers.Serializer):
    claim = serializers.IntegerField(label="申领编号（id）")
    fund_source = serializers.IntegerField(label="资金来源编号")
    voucher_number = serializers.CharField(max_length=50, label="凭证号")
    paid_on = serializers.DateField(label="支付日期")


class LedgerEntrySerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(**MONEY)
    balance_after = serializers.DecimalField(**MONEY)
    fund_source_name = serializers.CharField(source="fund_source.name")

    class Meta:
        model = LedgerEntry
        fields = ["id", "fund_source", "fund_source_name", "kind", "amount", "balance_after", "subsidy_type", "claim",
                  "payment", "reverses", "voucher_number", "entry_date", "memo", "created_at"]


class AllocationInputSerializer(serializers.Serializer):
    fund_source = serializers.IntegerField()
    amount = serializers.DecimalField(**MONEY)
    entry_date = serializers.DateField()
    voucher_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    memo = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ReversalInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY)
    reason = serializers.CharField(max_length=150)
    entry_date = serializers.DateField()
    voucher_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)


class SourceBalanceSerializer(serializers.Serializer):
    fund_source = serializers.IntegerField(source="source.pk")
    code = serializers.CharField(source="source.code")
    name = serializers.CharField(source="source.name")
    allocated = serializers.DecimalField(**MONEY)
    paid_out = serializers.DecimalField(**MONEY)
    recovered = serializers.DecimalField(**MONEY)
    allocation_corrections = serializers.DecimalField(**MONEY)
    balance = serializers.DecimalField(**MONEY)


class TypeBalanceSerializer(serializers.Serializer):
    subsidy_type = serializers.CharField()
    label = serializers.CharField()
    total = serializers.DecimalField(**MONEY)
    by_source = serializers.SerializerMethodField()

    def get_by_source(self, row) -> dict[str, str]:
        return {str(pk): f"{amount:.2f}" for pk, amount in row.by_source.items()}


class BalancesSerializer(serializers.Serializer):
    sources = SourceBalanceSerializer(many=True)
    types = TypeBalanceSerializer(many=True)
    total_balance = serializers.DecimalField(**MONEY)
    total_allocated = serializers.DecimalField(**MONEY)
    total_paid_out = serializers.DecimalField(**MONEY)


class NoticeRowSerializer(serializers.Serializer):
    name = serializers.CharField()
    id_number = serializers.CharField()
    occupation = serializers.CharField()
    level = serializers.CharField()
    subsidy_type = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)


class NoticeSerializer(serializers.Serializer):
    claim_id = serializers.IntegerField()
    number = serializers.CharField()
    subsidy_type = serializers.CharField()
    class_name = serializers.CharField()
    class_code = serializers.CharField()
    institution = serializers.CharField()
    unit = serializers.CharField()
    published_on = serializers.DateField()
    ends_on = serializers.DateField()
    total = serializers.DecimalField(**MONEY)
    rows = NoticeRowSerializer(many=True)


# ---------------------------------------------------------------- claims


class ClaimListCreateApi(ListAPIView):
    serializer_class = ClaimSerializer
    filter_backends = []

    def get_queryset(self):
        params = self.request.query_params
        return selectors.claim_list(
            user=self.request.user,
            filters={"status": params.get("status"), "subsidy_type": params.get("subsidy_type"),
                     "training_class": params.get("training_class")},
        )

    @extend_schema(request=ClaimCreateSerializer, responses={201: ClaimDetailSerializer})
    def post(self, request):
        data = ClaimCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        training_class = training_class_get(user=request.user, pk=values.pop("training_class"))
        claim = _call(services.claim_create, training_class=training_class, actor=request.user, **values)
        return Response(ClaimDetailSerializer(claim, context={"request": request}).data, status=status.HTTP_201_CREATED)


class ClaimDetailApi(RetrieveAPIView):
    serializer_class = ClaimDetailSerializer

    def get_object(self):
        return selectors.claim_get(user=self.request.user, pk=self.kwargs["pk"])


class ClaimLinesApi(ListAPIView):
    serializer_class = ClaimLineSerializer
    filter_backends = []
    pagination_class = PageNumberPagination

    def get_queryset(self):
        claim = selectors.claim_get(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.claim_lines(claim=claim)


def _action_api(service, *, input_serializer=None, name: str, doc: str):
    """One small API view per workflow action: POST /api/v1/claims/{id}/<action>/."""

    @extend_schema(request=input_serializer, responses=ClaimDetailSerializer, summary=doc)
    def post(self, request, pk: int):
        claim = selectors.claim_get(user=request.user, pk=pk)
        kwargs = {}
        if input_serializer is not None:
            data = input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            kwargs = dict(data.validated_data)
        claim = _call(service, claim=claim, actor=request.user, **kwargs)
        return Response(ClaimDetailSerializer(claim, context={"request": request}).data)

    return type(name, (GenericAPIView,), {"post": post, "serializer_class": ClaimDetailSerializer, "__doc__": doc})


ClaimSubmitApi = _action_api(services.claim_submit, name="ClaimSubmitApi", doc="提交（草稿 → 待初审）")
ClaimReviewApi = _action_api(
    services.claim_review, input_serializer=CommentInputSerializer, name="ClaimReviewApi", doc="初审通过（责任单位）"
)
ClaimApproveApi = _action_api(
    services.claim_approve, input_serializer=CommentInputSerializer, name="ClaimApproveApi", doc="复核通过（区人力社保局）"
)
ClaimPublicizeApi = _action_api(services.claim_publicize, name="ClaimPublicizeApi", doc="发布公示")
ClaimReturnApi = _action_api(
    services.claim_return, input_serializer=ReasonInputSerializer, name="ClaimReturnApi", doc="退回修改（须填写原因）"
)
ClaimRejectApi = _action_api(
    services.claim_reject, input_serializer=ReasonInputSerializer, name="ClaimRejectApi", doc="不予补贴（须填写原因）"
)
ClaimSettleApi = _action_api(services.claim_settle, name="ClaimSettleApi", doc="申请结算（已预拨 → 草稿）")
ClaimEvaluateApi = _action_api(services.claim_evaluate, name="ClaimEvaluateApi", doc="重新核算草稿")


class LineExcludeApi(GenericAPIView):
    serializer_class = ClaimDetailSerializer

    @extend_schema(request=ExcludeInputSerializer, responses=ClaimDetailSerializer)
    def post(self, request, pk: int, line_id: int):
        claim = selectors.claim_get(user=request.user, pk=pk)
        data = ExcludeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = _call(
            services.claim_line_exclude, claim=claim, line_id=line_id, actor=request.user, **data.validated_data
        )
        return Response(ClaimDetailSerializer(claim, context={"request": request}).data)


class ObjectionListCreateApi(ListAPIView):
    serializer_class = ObjectionSerializer
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        claim = selectors.claim_get(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.claim_objections(claim=claim)

    @extend_schema(request=ObjectionSerializer, responses={201: ObjectionSerializer})
    def post(self, request, pk: int):
        claim = selectors.claim_get(user=request.user, pk=pk)
        data = ObjectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        enrolment = values.get("enrolment")
        objection = _call(
            services.objection_record, claim=claim, actor=request.user, content=values.get("content", ""),
            objector=values.get("objector", ""), received_on=values.get("received_on"),
            enrolment_id=enrolment.pk if enrolment else None,
        )
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)


def _objection_api(service, name: str, doc: str):
    @extend_schema(request=DecisionInputSerializer, responses=ObjectionSerializer, summary=doc)
    def post(self, request, pk: int, objection_id: int):
        claim = selectors.claim_get(user=request.user, pk=pk)
        objection = selectors.claim_objections(claim=claim).filter(pk=objection_id).first()
        if objection is None:
            raise Http404("没有找到该异议。")
        data = DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = _call(service, objection=objection, decision=data.validated_data["decision"], actor=request.user)
        return Response(ObjectionSerializer(objection).data)

    return type(name, (GenericAPIView,), {"post": post, "serializer_class": ObjectionSerializer, "__doc__": doc})


ObjectionUpholdApi = _objection_api(services.objection_uphold, "ObjectionUpholdApi", "异议成立：申领退回初审")
ObjectionDismissApi = _objection_api(services.objection_dismiss, "ObjectionDismissApi", "异议不成立：继续公示")


# ---------------------------------------------------------------- payments, ledger, balances

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", str, location=OpenApiParameter.HEADER, required=True,
    description="每一笔支付请求的唯一标识；同一标识重复提交只登记一次支付。",
)


class PaymentListCreateApi(ListAPIView):
    serializer_class = PaymentSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.payment_list(user=self.request.user)

    @extend_schema(request=PaymentCreateSerializer, responses={201: PaymentSerializer, 200: PaymentSerializer},
                   parameters=[IDEMPOTENCY_HEADER])
    def post(self, request):
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key:
            raise ValidationError({"detail": ["请在请求头 Idempotency-Key 中提供本次支付请求的唯一标识，以免重复支付。"]})
        if len(key) > 100:
            raise ValidationError({"detail": ["Idempotency-Key 不能超过100个字符。"]})
        data = PaymentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        claim = selectors.claim_get(user=request.user, pk=values["claim"])
        source = FundSource.objects.filter(pk=values["fund_source"]).first()
        if source is None:
            raise ValidationError({"fund_source": ["没有该资金来源。"]})
        payment, created = _call(
            services.claim_pay, claim=claim, fund_source=source, voucher_number=values["voucher_number"],
            paid_on=values["paid_on"], actor=request.user, idempotency_key=key,
        )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class LedgerListApi(ListAPIView):
    serializer_class = LedgerEntrySerializer
    filter_backends = []

    def get_queryset(self):
        params = self.request.query_params
        return selectors.ledger_list(
            user=self.request.user,
            filters={"fund_source": params.get("fund_source"), "kind": params.get("kind"),
                     "subsidy_type": params.get("subsidy_type")},
        )


class LedgerAllocateApi(GenericAPIView):
    serializer_class = LedgerEntrySerializer

    @extend_schema(request=AllocationInputSerializer, responses={201: LedgerEntrySerializer})
    def post(self, request):
        data = AllocationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        source = FundSource.objects.filter(pk=values.pop("fund_source")).first()
        if source is None:
            raise ValidationError({"fund_source": ["没有该资金来源。"]})
        entry = _call(services.ledger_allocate, fund_source=source, actor=request.user, **values)
        return Response(LedgerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class LedgerReverseApi(GenericAPIView):
    serializer_class = LedgerEntrySerializer

    @extend_schema(request=ReversalInputSerializer, responses={201: LedgerEntrySerializer})
    def post(self, request, pk: int):
        entry = selectors.ledger_entry_get(user=request.user, pk=pk)
        data = ReversalInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reversal = _call(services.ledger_reverse, entry=entry, actor=request.user, **data.validated_data)
        return Response(LedgerEntrySerializer(reversal).data, status=status.HTTP_201_CREATED)


class BalancesApi(GenericAPIView):
    serializer_class = BalancesSerializer

    def get(self, request):
        balances = selectors.ledger_balances(user=request.user)
        if balances is None:
            raise PermissionDenied("只有区人力社保局、财务人员和审计人员可以查看专账余额。")
        return Response(BalancesSerializer(balances).data)


class NoticeListApi(ListAPIView):
    """Claims on public notice, masked (张*三, 500222********1234)."""

    serializer_class = NoticeSerializer
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        return selectors.notice_blocks(selectors.notice_claims())
