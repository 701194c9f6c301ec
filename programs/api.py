"""API of the plan (/plans/, /units/), the catalogs and the training classes (/classes/)."""

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.generics import ListAPIView, ListCreateAPIView, RetrieveAPIView, RetrieveUpdateAPIView
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .creditcodes import CreditCodeError, parse_credit_code
from .forms import CatalogFilterForm, TrainingClassFilterForm
from .models import (
    ActionPlan, CertificateType, Institution, Occupation, Programme, SkillLevel, TrainingClass, TrainingType, Unit,
)
from .services import CATALOG_FIELDS, CLASS_FIELDS


class YearTargetSerializer(serializers.Serializer):
    year = serializers.IntegerField(label="年度")
    target = serializers.IntegerField(label="人次")


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(label="指标")
    target_percent = serializers.DecimalField(max_digits=5, decimal_places=2, label="目标值（%）")
    due_date = serializers.DateField(label="完成时限")


class QuotaMismatchSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    plan_target = serializers.IntegerField()
    quota_sum = serializers.IntegerField()
    message = serializers.CharField()


class PlanSerializer(serializers.ModelSerializer):
    years = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    yearly_targets = YearTargetSerializer(source="plan_years", many=True, read_only=True)
    total_target = serializers.SerializerMethodField()
    indicators = IndicatorSerializer(many=True, read_only=True)
    quota_mismatches = serializers.SerializerMethodField()

    class Meta:
        model = ActionPlan
        fields = [
            "id", "code", "name", "document_number", "document_title", "issuer",
            "start_year", "end_year", "years", "yearly_targets", "total_target", "indicators", "quota_mismatches",
        ]

    def get_total_target(self, plan: ActionPlan) -> int:
        return sum(py.target for py in plan.plan_years.all())

    @extend_schema(responses=QuotaMismatchSerializer(many=True))
    def get_quota_mismatches(self, plan: ActionPlan) -> list[dict]:
        return QuotaMismatchSerializer(selectors.plan_quota_mismatches(plan=plan), many=True).data


class UnitSerializer(serializers.Serializer):
    """A responsible unit's row of the attachment table in one plan."""

    id = serializers.IntegerField(source="assignment.unit_id")
    name = serializers.CharField(source="assignment.unit.name", label="单位名称")
    kind = serializers.CharField(source="assignment.unit.get_kind_display", label="类别")
    plan = serializers.IntegerField(source="assignment.plan_id", label="行动计划")
    order = serializers.IntegerField(source="assignment.order", label="序号")
    duties = serializers.CharField(source="assignment.duties", label="工作职责")
    cooperating_units = serializers.SerializerMethodField(label="配合单位")
    quotas = serializers.SerializerMethodField(label="指导计划")
    total = serializers.IntegerField(label="合计")

    def get_cooperating_units(self, row) -> list[str]:
        return [unit.name for unit in row.cooperating_units]

    @extend_schema(responses=YearTargetSerializer(many=True))
    def get_quotas(self, row) -> list[dict]:
        return [{"year": year, "target": target} for year, target in row.quotas.items()]


PLAN_PARAMETER = OpenApiParameter("plan", int, description="行动计划编号，缺省为当前计划")


class PlanListApi(ListAPIView):
    serializer_class = PlanSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.plan_list()


class _PlanScopedMixin:
    def plan(self) -> ActionPlan:
        plan = selectors.plan_get(pk=self.request.query_params.get("plan"))
        if plan is None:
            raise Http404("没有找到该行动计划。")
        return plan


@extend_schema(parameters=[PLAN_PARAMETER])
class UnitListApi(_PlanScopedMixin, ListAPIView):
    serializer_class = UnitSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return selectors.plan_table(user=self.request.user, plan=self.plan()).rows


@extend_schema(parameters=[PLAN_PARAMETER])
class UnitDetailApi(_PlanScopedMixin, RetrieveAPIView):
    serializer_class = UnitSerializer
    queryset = Unit.objects.none()  # for the schema only; get_object() reads through the scoped selector

    def get_object(self):
        unit = selectors.unit_get(user=self.request.user, pk=self.kwargs["pk"])
        for row in selectors.unit_plan_rows(user=self.request.user, unit=unit):
            if row.assignment.plan_id == self.plan().pk:
                return row
        raise Http404("该单位不是此行动计划的责任单位。")


# --- Catalogs and training classes ------------------------------------------------------------


@contextmanager
def service_errors():
    """Turn a service's Django errors into DRF responses that keep the Chinese message."""
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            detail = {
                ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {"non_field_errors": exc.messages}
        raise serializers.ValidationError(detail)
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None)


class CatalogWritePermission(BasePermission):
    """Reads are scoped by the selectors; writes need the catalog's add / change permission."""

    message = "只有局管理员和局业务人员可以维护目录清单，您的账号只能查看。"

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        action = "add" if request.method == "POST" else "change"
        return request.user.has_perm(view.catalog.permission(action))


class OccupationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Occupation
        fields = ["id", *CATALOG_FIELDS[Occupation]]


class SkillLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = SkillLevel
        fields = ["id", *CATALOG_FIELDS[SkillLevel]]


class TrainingTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingType
        fields = ["id", *CATALOG_FIELDS[TrainingType]]


class CertificateTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CertificateType
        fields = ["id", *CATALOG_FIELDS[CertificateType]]


class InstitutionSerializer(serializers.ModelSerializer):
    # Normalised and checked by validate_credit_code (GB 32100-2015); uniqueness by the service.
    credit_code = serializers.CharField(label="统一社会信用代码", max_length=40)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    catalog_status_display = serializers.CharField(source="get_catalog_status_display", read_only=True)

    class Meta:
        model = Institution
        fields = ["id", *CATALOG_FIELDS[Institution], "kind_display", "catalog_status_display"]

    def validate_credit_code(self, value: str) -> str:
        try:
            return parse_credit_code(value)
        except CreditCodeError as exc:
            raise serializers.ValidationError(str(exc))


class ProgrammeSerializer(serializers.ModelSerializer):
    occupation_name = serializers.CharField(source="occupation.name", read_only=True)
    level_name = serializers.CharField(source="level.name", read_only=True)
    training_type_name = serializers.CharField(source="training_type.name", read_only=True)
    certificate_type_name = serializers.CharField(source="certificate_type.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id", *CATALOG_FIELDS[Programme],
            "occupation_name", "level_name", "training_type_name", "certificate_type_name", "unit_name",
        ]
        validators = []  # uniqueness is checked by the service's full_clean(), with its Chinese message


CATALOG_SERIALIZERS: dict[str, type[serializers.ModelSerializer]] = {
    "occupations": OccupationSerializer,
    "skill-levels": SkillLevelSerializer,
    "training-types": TrainingTypeSerializer,
    "certificate-types": CertificateTypeSerializer,
    "institutions": InstitutionSerializer,
    "programmes": ProgrammeSerializer,
}


def _catalog_filters(request, catalog: selectors.Catalog) -> dict:
    form = CatalogFilterForm(request.query_params, catalog=catalog)
    if not form.is_valid():
        raise serializers.ValidationError(form.errors)
    return form.filters()


class CatalogListApi(ListCreateAPIView):
    """GET: the catalog for every business role (?q= and filters); POST: bureau roles add an entry."""

    catalog: selectors.Catalog = None  # set per URL by as_view(catalog=...)
    permission_classes = [IsAuthenticated, CatalogWritePermission]
    filter_backends = []

    def get_serializer_class(self):
        return CATALOG_SERIALIZERS[self.catalog.slug]

    def get_queryset(self):
        return selectors.catalog_list(
            user=self.request.user, catalog=self.catalog, filters=_catalog_filters(self.request, self.catalog)
        )

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = services.catalog_entry_create(
                model=self.catalog.model, values=serializer.validated_data, actor=self.request.user
            )


class CatalogDetailApi(RetrieveUpdateAPIView):
    catalog: selectors.Catalog = None  # set per URL by as_view(catalog=...)
    permission_classes = [IsAuthenticated, CatalogWritePermission]

    def get_serializer_class(self):
        return CATALOG_SERIALIZERS[self.catalog.slug]

    def get_object(self):
        return selectors.catalog_get(user=self.request.user, catalog=self.catalog, pk=self.kwargs["pk"])

    def perform_update(self, serializer):
        with service_errors():
            serializer.instance = services.catalog_entry_update(
                entry=serializer.instance, values=serializer.validated_data, actor=self.request.user
            )


class TrainingClassSerializer(serializers.ModelSerializer):
    """A class as read; ``unit`` and ``status`` are set by the services, never written."""

    programme_name = serializers.StringRelatedField(source="programme", read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = TrainingClass
        fields = [
            "id", "code", "name", "programme", "programme_name", "institution", "institution_name",
            "unit", "unit_name", "start_date", "end_date", "capacity", "is_project_based",
            "status", "status_display", "created_at",
        ]
        read_only_fields = ["unit", "status", "created_at"]


class TrainingClassDetailSerializer(TrainingClassSerializer):
    enrolment_count = serializers.IntegerField(source="enrolments.count", read_only=True, label="参训人数")

    class Meta(TrainingClassSerializer.Meta):
        fields = [*TrainingClassSerializer.Meta.fields, "enrolment_count"]


class TrainingClassWriteSerializer(serializers.ModelSerializer):
    """Input for opening or changing a class; an institution operator may leave out ``institution``."""

    programme = serializers.PrimaryKeyRelatedField(queryset=Programme.objects.all(), label="培训项目")
    institution = serializers.PrimaryKeyRelatedField(
        queryset=Institution.objects.all(), label="培训机构", required=False
    )

    class Meta:
        model = TrainingClass
        fields = list(CLASS_FIELDS)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        label="撤销原因", max_length=500, error_messages={"required": "撤销培训班须填写撤销原因。", "blank": "撤销培训班须填写撤销原因。"}
    )


class ClassWritePermission(BasePermission):
    message = "您的账号只能查看培训班，不能开设、修改或变更培训班状态。"

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        creates = request.method == "POST" and getattr(view, "creates", False)
        return request.user.has_perm(f"programs.{'add' if creates else 'change'}_trainingclass")


def _class_filters(request) -> dict:
    form = TrainingClassFilterForm(request.query_params, user=request.user)
    if not form.is_valid():
        raise serializers.ValidationError(form.errors)
    return form.filters()


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="班级编号或名称"),
        OpenApiParameter("status", str, enum=TrainingClass.Status.values),
        OpenApiParameter("unit", int, description="责任单位编号"),
        OpenApiParameter("institution", int, description="培训机构编号"),
        OpenApiParameter("year", int, description="开班年度"),
    ]
)
class TrainingClassListApi(ListCreateAPIView):
    """GET: the classes in the user's scope; POST: open a class (planned)."""

    serializer_class = TrainingClassSerializer
    permission_classes = [IsAuthenticated, ClassWritePermission]
    filter_backends = []
    creates = True

    def get_queryset(self):
        return selectors.training_class_search(user=self.request.user, filters=_class_filters(self.request))

    @extend_schema(request=TrainingClassWriteSerializer, responses={201: TrainingClassDetailSerializer})
    def post(self, request, *args, **kwargs):
        data = TrainingClassWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            training_class = services.training_class_create(values=data.validated_data, actor=request.user)
        return Response(TrainingClassDetailSerializer(training_class).data, status=status.HTTP_201_CREATED)


class TrainingClassDetailApi(RetrieveUpdateAPIView):
    serializer_class = TrainingClassDetailSerializer
    permission_classes = [IsAuthenticated, ClassWritePermission]
    creates = False

    def get_object(self):
        return selectors.training_class_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=TrainingClassWriteSerializer, responses=TrainingClassDetailSerializer)
    def update(self, request, *args, **kwargs):
        training_class = self.get_object()
        partial = kwargs.get("partial", False)
        data = TrainingClassWriteSerializer(training_class, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        with service_errors():
            training_class = services.training_class_update(
                training_class=training_class, values=data.validated_data, actor=request.user
            )
        return Response(TrainingClassDetailSerializer(training_class).data)


class _TransitionApi(APIView):
    permission_classes = [IsAuthenticated, ClassWritePermission]
    creates = False
    input_serializer: type[serializers.Serializer] | None = None

    def service(self, *, training_class: TrainingClass, actor, **values) -> TrainingClass:
        raise NotImplementedError

    def post(self, request, pk: int):
        training_class = selectors.training_class_get(user=request.user, pk=pk)
        values = {}
        if self.input_serializer is not None:
            data = self.input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
        with service_errors():
            training_class = self.service(training_class=training_class, actor=request.user, **values)
        return Response(TrainingClassDetailSerializer(training_class).data)


@extend_schema(request=None, responses=TrainingClassDetailSerializer)
class TrainingClassStartApi(_TransitionApi):
    """筹备中 → 培训中."""

    def service(self, **kwargs):
        return services.training_class_start(**kwargs)


@extend_schema(request=None, responses=TrainingClassDetailSerializer)
class TrainingClassFinishApi(_TransitionApi):
    """培训中 → 已结业."""

    def service(self, **kwargs):
        return services.training_class_finish(**kwargs)


@extend_schema(request=CancelSerializer, responses=TrainingClassDetailSerializer)
class TrainingClassCancelApi(_TransitionApi):
    """筹备中 / 培训中 → 已撤销 (reason required)."""

    input_serializer = CancelSerializer

    def service(self, **kwargs):
        return services.training_class_cancel(**kwargs)
