"""API of quarterly returns and progress: /api/v1/returns/…, /api/v1/progress/. Every read is scoped."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListCreateAPIView, RetrieveUpdateAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from programs import selectors as plan_selectors
from programs.models import ActionPlan, TrainingType
from trainees.models import TargetGroup

from spreadsheets.workbooks import content_disposition

from . import exporters, selectors, services
from .models import ExportFile, QuarterlyReturn

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

OTHER_GROUP = "other"


class GroupLineSerializer(serializers.Serializer):
    target_group = serializers.CharField(label="人员类别编码", help_text="一级人员类别的编码；“other” 表示不属于任何类别的人员")
    name = serializers.CharField(read_only=True)
    person_times = serializers.IntegerField(label="人次")


class TypeLineSerializer(serializers.Serializer):
    training_type = serializers.CharField(label="培训类型编码")
    name = serializers.CharField(read_only=True)
    person_times = serializers.IntegerField(label="人次")


class TransitionSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(source="actor.username", default=None)
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class ReturnSerializer(serializers.ModelSerializer):
    """A return as read; writes accept the same counts and breakdowns (see ReturnWriteSerializer)."""

    unit = serializers.CharField(source="unit.name", read_only=True)
    unit_id = serializers.IntegerField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    target_groups = serializers.SerializerMethodField()
    training_types = serializers.SerializerMethodField()
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta:
        model = QuarterlyReturn
        fields = [
            "id", "plan", "unit", "unit_id", "year", "quarter", "person_times", "completions", "certificates_issued",
            "real_name_person_times", "explanation", "status", "status_display", "submitted_at", "submitted_late",
            "approved_at", "target_groups", "training_types", "transitions",
        ]

    @extend_schema(responses=GroupLineSerializer(many=True))
    def get_target_groups(self, obj: QuarterlyReturn) -> list[dict]:
        return [
            {
                "target_group": line.target_group.code if line.target_group else OTHER_GROUP,
                "name": line.target_group.name if line.target_group else "其他人员",
                "person_times": line.person_times,
            }
            for line in obj.group_lines.all()
        ]

    @extend_schema(responses=TypeLineSerializer(many=True))
    def get_training_types(self, obj: QuarterlyReturn) -> list[dict]:
        return [
            {"training_type": line.training_type.code, "name": line.training_type.name, "person_times": line.person_times}
            for line in obj.type_lines.all()
        ]


class ReturnWriteSerializer(serializers.Serializer):
    plan = serializers.IntegerField(required=False, help_text="行动计划编号，缺省为包含该年度的计划")
    year = serializers.IntegerField(required=False)
    quarter = serializers.IntegerField(required=False)
    person_times = serializers.IntegerField(required=False)
    completions = serializers.IntegerField(required=False)
    certificates_issued = serializers.IntegerField(required=False)
    explanation = serializers.CharField(required=False, allow_blank=True)
    target_groups = GroupLineSerializer(many=True, required=False)
    training_types = TypeLineSerializer(many=True, required=False)

    def breakdowns(self, base: services.ReturnData | None) -> services.ReturnData | None:
        """Merge the given fields over ``base`` (the stored figures or nothing)."""
        data = self.validated_data
        counts = ("person_times", "completions", "certificates_issued")
        if base is None:
            if not any(name in data for name in counts):
                return None  # nothing given: pre-fill from the real-name records
            missing = [name for name in counts if name not in data]
            if missing:
                raise ValidationError({name: ["请填写该数值。"] for name in missing})
            base = services.ReturnData(person_times=0, completions=0, certificates_issued=0)
        result = services.ReturnData(
            person_times=data.get("person_times", base.person_times),
            completions=data.get("completions", base.completions),
            certificates_issued=data.get("certificates_issued", base.certificates_issued),
            explanation=data.get("explanation", base.explanation),
            by_target_group=dict(base.by_target_group),
            by_training_type=dict(base.by_training_type),
        )
        if "target_groups" in data:
            groups = dict(TargetGroup.objects.filter(parent__isnull=True).values_list("code", "pk"))
            result.by_target_group = {}
            for line in data["target_groups"]:
                code = line["target_group"]
                if code != OTHER_GROUP and code not in groups:
                    raise ValidationError({"target_groups": [f"人员类别“{code}”不存在或不是一级类别。"]})
                key = None if code == OTHER_GROUP else groups[code]
                result.by_target_group[key] = result.by_target_group.get(key, 0) + line["person_times"]
        if "training_types" in data:
            types = dict(TrainingType.objects.values_list("code", "pk"))
            result.by_training_type = {}
            for line in data["training_types"]:
                code = line["training_type"]
                if code not in types:
                    raise ValidationError({"training_types": [f"培训类型“{code}”不存在。"]})
                result.by_training_type[types[code]] = result.by_training_type.get(types[code], 0) + line["person_times"]
        return result


def _as_api_error(exc: DjangoValidationError) -> ValidationError:
    return ValidationError({"detail": exc.messages})


def _fresh(user, pk: int) -> QuarterlyReturn:
    return selectors.return_get(user=user, pk=pk)


class ReturnListApi(ListCreateAPIView):
    """GET: the returns in scope (filters: plan, year, quarter, status, unit). POST: open the own unit's return."""

    serializer_class = ReturnSerializer

    def get_queryset(self):
        params = self.request.query_params
        filters = {k: params.get(k) for k in ("plan", "year", "quarter", "status", "unit")}
        for key in ("plan", "year", "quarter", "unit"):
            if filters[key] and not filters[key].isdigit():
                raise ValidationError({key: ["必须是整数。"]})
        return selectors.return_list(user=self.request.user, filters=filters).prefetch_related(
            "group_lines__target_group", "type_lines__training_type", "transitions__actor"
        )

    @extend_schema(request=ReturnWriteSerializer, responses={201: ReturnSerializer})
    def post(self, request, *args, **kwargs):
        writer = ReturnWriteSerializer(data=request.data)
        writer.is_valid(raise_exception=True)
        year, quarter = writer.validated_data.get("year"), writer.validated_data.get("quarter")
        if year is None or quarter is None:
            raise ValidationError({"detail": ["请填写年度（year）和季度（quarter）。"]})
        plan_id = writer.validated_data.get("plan")
        plan = (
            ActionPlan.objects.filter(pk=plan_id).first()
            if plan_id
            else ActionPlan.objects.filter(start_year__lte=year, end_year__gte=year).order_by("-start_year").first()
        )
        if plan is None:
            raise ValidationError({"detail": [f"没有包含 {year} 年的行动计划。"]})
        try:
            created = services.return_create(
                plan=plan, year=year, quarter=quarter, actor=request.user, data=writer.breakdowns(None)
            )
        except DjangoValidationError as exc:
            raise _as_api_error(exc) from exc
        return Response(ReturnSerializer(_fresh(request.user, created.pk)).data, status=status.HTTP_201_CREATED)


class ReturnDetailApi(RetrieveUpdateAPIView):
    """GET a return in scope; PUT/PATCH its counts and breakdowns (own unit, draft or returned)."""

    serializer_class = ReturnSerializer
    queryset = QuarterlyReturn.objects.none()  # for the schema; get_object() reads through the scoped selector

    def get_object(self):
        return _fresh(self.request.user, self.kwargs["pk"])

    @extend_schema(request=ReturnWriteSerializer, responses=ReturnSerializer)
    def update(self, request, *args, **kwargs):
        quarterly_return = self.get_object()
        writer = ReturnWriteSerializer(data=request.data, partial=kwargs.get("partial", False))
        writer.is_valid(raise_exception=True)
        for key in ("plan", "year", "quarter"):
            if key in writer.validated_data and writer.validated_data[key] != getattr(quarterly_return, f"{key}_id" if key == "plan" else key):
                raise ValidationError({key: ["季报的计划、年度和季度创建后不能修改。"]})
        base = services.return_data_of(quarterly_return)
        try:
            services.return_update(quarterly_return=quarterly_return, data=writer.breakdowns(base), actor=request.user)
        except DjangoValidationError as exc:
            raise _as_api_error(exc) from exc
        return Response(ReturnSerializer(_fresh(request.user, quarterly_return.pk)).data)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, label="理由")


class _TransitionApi(APIView):
    """POST performs one transition of the workflow; 400 with the reason when it is not possible."""

    needs_reason = False

    def call(self, quarterly_return, request):
        raise NotImplementedError

    @extend_schema(request=ReasonSerializer, responses=ReturnSerializer)
    def post(self, request, pk: int):
        quarterly_return = _fresh(request.user, pk)
        try:
            self.call(quarterly_return, request)
        except DjangoValidationError as exc:
            raise _as_api_error(exc) from exc
        return Response(ReturnSerializer(_fresh(request.user, pk)).data)


class ReturnSubmitApi(_TransitionApi):
    def call(self, quarterly_return, request):
        services.return_submit(quarterly_return=quarterly_return, actor=request.user)


class ReturnApproveApi(_TransitionApi):
    def call(self, quarterly_return, request):
        services.return_approve(quarterly_return=quarterly_return, actor=request.user)


class ReturnSendBackApi(_TransitionApi):
    def call(self, quarterly_return, request):
        services.return_send_back(quarterly_return=quarterly_return, reason=request.data.get("reason", ""), actor=request.user)


class ReturnReopenApi(_TransitionApi):
    def call(self, quarterly_return, request):
        services.return_reopen(quarterly_return=quarterly_return, reason=request.data.get("reason", ""), actor=request.user)


class ProgressRowSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit.name")
    unit_id = serializers.IntegerField()
    year = serializers.IntegerField()
    quarter = serializers.IntegerField(label="截至季度")
    quota = serializers.IntegerField()
    achieved = serializers.IntegerField(source="approved_person_times")
    real_name = serializers.IntegerField(source="real_name_person_times")
    percent = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    expected_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    status = serializers.CharField()


class ProgressApi(APIView):
    """Per-unit progress for a year (as of today) and the totals, read from UnitProgress."""

    @extend_schema(
        parameters=[
            OpenApiParameter("plan", int, description="行动计划编号，缺省为当前计划"),
            OpenApiParameter("year", int, description="年度，缺省为今年（限计划范围内）"),
        ],
        responses=inline_serializer(
            "Progress",
            {
                "plan": serializers.IntegerField(),
                "year": serializers.IntegerField(),
                "quarter": serializers.IntegerField(),
                "rows": ProgressRowSerializer(many=True),
                "totals": inline_serializer(
                    "ProgressTotals",
                    {
                        "quota": serializers.IntegerField(),
                        "achieved": serializers.IntegerField(),
                        "percent": serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True),
                        "target": serializers.IntegerField(allow_null=True),
                        "target_percent": serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True),
                    },
                ),
            },
        ),
    )
    def get(self, request):
        if not request.user.has_perm(selectors.VIEW_PROGRESS):
            raise ApiPermissionDenied("您的账号不能查看完成进度。")
        plan = plan_selectors.plan_get(pk=request.query_params.get("plan"))
        if plan is None:
            raise Http404("没有找到该行动计划。")
        raw_year = request.query_params.get("year")
        if raw_year:
            if not raw_year.isdigit() or int(raw_year) not in plan.years:
                raise ValidationError({"year": [f"年度必须在 {plan.start_year}—{plan.end_year} 之间。"]})
            year = int(raw_year)
        else:
            year = min(max(timezone.localdate().year, plan.start_year), plan.end_year)
        table = selectors.progress_table(user=request.user, plan=plan, year=year)
        totals = table.totals
        decimal = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
        return Response(
            {
                "plan": plan.pk,
                "year": year,
                "quarter": table.quarter,
                "rows": ProgressRowSerializer(table.rows, many=True).data,
                "totals": {
                    "quota": totals.quota,
                    "achieved": totals.achieved,
                    "percent": decimal.to_representation(totals.percent) if totals.percent is not None else None,
                    "target": totals.target,
                    "target_percent": decimal.to_representation(totals.target_percent)
                    if totals.target_percent is not None else None,
                },
            }
        )


# Exports ---------------------------------------------------------------------------------------


class ExportFileSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    file_url = serializers.SerializerMethodField(help_text="状态为 done 时的下载地址，否则为空")

    class Meta:
        model = ExportFile
        fields = [
            "id", "kind", "title", "filters", "unmasked", "status", "status_display", "row_count", "progress",
            "percent", "filename", "size", "error", "created_at", "started_at", "finished_at", "expires_at",
            "file_url",
        ]

    def get_file_url(self, obj: ExportFile) -> str | None:
        if obj.status != ExportFile.Status.DONE:
            return None
        return reverse("api_export_file", args=[obj.pk])


class ExportRequestSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="导出类型，见 GET /api/v1/exports/kinds/，如 quarterly_report、roster、audit_log")
    filters = serializers.DictField(
        required=False, default=dict,
        help_text="筛选条件，字段同导出页面的表单，如 {\"year\": 2019, \"quarter\": 1}；"
                  "学员花名册可加 {\"unmasked\": true}（仅限有权查看完整个人信息的账号，记入审计日志）",
    )


class ExportKindSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    filters = serializers.ListField(child=serializers.CharField(), help_text="可用的筛选字段")


class ExportKindListApi(APIView):
    """The export kinds the caller may request, with their filter fields."""

    @extend_schema(responses=ExportKindSerializer(many=True))
    def get(self, request):
        kinds = exporters.export_kinds_for(request.user)
        return Response([
            {"key": kind.key, "title": kind.title, "description": kind.description,
             "filters": list(kind.form(user=request.user).fields)}
            for kind in kinds
        ])


class ExportListApi(ListCreateAPIView):
    """The caller's own exports (nobody else's), and requests for new ones.

    POST ``{"kind": ..., "filters": {...}}`` always answers 201 with the new export's id and
    status: the file is written by a background task (at once when the row count is small)
    and fetched from ``GET /api/v1/exports/{id}/file/`` when ``status`` is ``done``. A failure
    shows ``status`` ``failed`` and the reason in ``error``.
    """

    serializer_class = ExportFileSerializer

    def get_queryset(self):
        return selectors.export_file_list(user=self.request.user)

    @extend_schema(request=ExportRequestSerializer, responses={201: ExportFileSerializer})
    def post(self, request, *args, **kwargs):
        payload = ExportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            export = services.export_request(
                kind=payload.validated_data["kind"], data=payload.validated_data["filters"], actor=request.user,
                request=request, background=True,
            )
        except DjangoValidationError as exc:
            raise _as_api_error(exc) from exc
        except DjangoPermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from exc
        export.refresh_from_db()
        return Response(ExportFileSerializer(export).data, status=status.HTTP_201_CREATED)


class ExportDetailApi(APIView):
    @extend_schema(responses=ExportFileSerializer)
    def get(self, request, pk: int):
        return Response(ExportFileSerializer(selectors.export_file_get(user=request.user, pk=pk)).data)


class ExportFileApi(APIView):
    """The .xlsx of a finished export, for its requester only; 409 while it is not ready."""

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY, 409: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        export = selectors.export_file_get(user=request.user, pk=pk)
        try:
            handle = services.export_file_open(export=export, actor=request.user, request=request)
        except DjangoValidationError as exc:
            return Response({"detail": exc.messages, "status": export.status}, status=status.HTTP_409_CONFLICT)
        response = FileResponse(handle, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition(export.filename)
        response["Cache-Control"] = "private, no-store"
        return response
