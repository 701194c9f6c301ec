"""Read API of the plan: /api/v1/plans/ and /api/v1/units/."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView

from . import selectors
from .models import ActionPlan, Unit


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
