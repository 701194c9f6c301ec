"""Registry API: trainees (scoped, masked), the archive, the recorded reveal, roster upload."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from programs.selectors import training_class_get

from . import selectors, services
from .forms import TraineeFilterForm
from .models import Trainee
from .roster_workbook import RosterError


class TraineeSerializer(serializers.ModelSerializer):
    """A trainee as lists show them: ID number and phone masked."""

    id_number_masked = serializers.CharField(read_only=True, label="身份证号码（脱敏）")
    mobile_masked = serializers.CharField(read_only=True, label="手机号码（脱敏）")
    sex = serializers.CharField(source="get_sex_display", read_only=True, label="性别")
    target_groups = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True, label="人员类别")
    registered_by_unit = serializers.StringRelatedField(read_only=True, label="登记单位")

    class Meta:
        model = Trainee
        fields = [
            "id", "name", "sex", "birth_date", "id_number_masked", "mobile_masked", "target_groups",
            "registered_by_unit", "created_at",
        ]


class TraineeIdentitySerializer(TraineeSerializer):
    """The archive's identity block: still masked; the full values only through the reveal."""

    household_type = serializers.CharField(source="get_household_type_display", read_only=True, label="户口性质")
    education = serializers.CharField(source="get_education_display", read_only=True, label="文化程度")
    employment_status = serializers.CharField(source="get_employment_status_display", read_only=True, label="就业状态")

    class Meta(TraineeSerializer.Meta):
        fields = [
            *TraineeSerializer.Meta.fields, "household_type", "household_address", "residence_address",
            "education", "employment_status", "seeks_work_in_district", "receives_monthly_pension",
        ]


class NewestFirst(CursorPagination):
    ordering = "-id"
    page_size = 50


FILTER_PARAMETERS = [
    OpenApiParameter("search", str, description="姓名（可部分），或完整的18位身份证号码；不支持部分号码"),
    OpenApiParameter("group", int, description="人员类别编号"),
    OpenApiParameter("unit", int, description="单位编号：该单位登记或在该单位培训班参训的学员"),
    OpenApiParameter("training_class", int, description="培训班编号"),
]


@extend_schema(parameters=FILTER_PARAMETERS)
class TraineeListApi(ListAPIView):
    serializer_class = TraineeSerializer
    pagination_class = NewestFirst
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        form = TraineeFilterForm(
            {
                "q": params.get("search", ""),
                "group": params.get("group", ""),
                "unit": params.get("unit", ""),
                "training_class": params.get("training_class", ""),
            },
            user=self.request.user,
        )
        if not form.is_valid():
            raise serializers.ValidationError({key: [str(m) for m in messages] for key, messages in form.errors.items()})
        filters = form.filters()
        if filters["search"].problem:
            raise serializers.ValidationError({"search": [filters["search"].problem]})
        return selectors.trainee_list(user=self.request.user, filters=filters)


class TraineeArchiveApi(APIView):
    """职业培训电子档案 as JSON (masked)."""

    @extend_schema(responses=inline_serializer("TraineeArchive", fields={
        "id": serializers.IntegerField(),
        "identity": TraineeIdentitySerializer(),
        "target_groups": serializers.ListField(child=serializers.DictField()),
        "enrolments": serializers.ListField(child=serializers.DictField()),
        "certificates": serializers.ListField(child=serializers.DictField()),
        "sections": serializers.ListField(child=serializers.DictField()),
    }))
    def get(self, request, pk: int):
        archive = selectors.trainee_archive(user=request.user, pk=pk)
        return Response({
            "id": archive.trainee.pk,
            "identity": TraineeIdentitySerializer(archive.trainee).data,
            "target_groups": [
                {
                    "name": group.name,
                    "free_training": group.free_training,
                    "living_allowance": group.living_allowance,
                    "work_based_training": group.work_based_training,
                }
                for group in archive.target_groups
            ],
            "enrolments": [
                {
                    "id": e.pk,
                    "training_class": {"id": e.training_class_id, "code": e.training_class.code,
                                       "name": e.training_class.name},
                    "programme": str(e.training_class.programme),
                    "institution": e.training_class.institution.name,
                    "unit": e.training_class.unit.name,
                    "start_date": e.training_class.start_date,
                    "end_date": e.training_class.end_date,
                    "status": e.status,
                    "status_display": e.get_status_display(),
                    "completion_date": e.completion_date,
                    "overlaps_other_class": e.overlaps_other_class,
                }
                for e in archive.enrolments
            ],
            "certificates": [
                {
                    "id": c.pk,
                    "certificate_type": c.certificate_type.name,
                    "occupation": c.occupation.name,
                    "level": c.level.name,
                    "number": c.number,
                    "issuing_body": c.issuing_body,
                    "issued_on": c.issued_on,
                    "enrolment": c.enrolment_id,
                }
                for c in archive.certificates
            ],
            "sections": [
                {"title": s.title, "columns": s.columns, "rows": s.rows} for s in archive.sections
            ],
        })


class TraineeRevealApi(APIView):
    """The full ID number and mobile of one trainee, for bureau roles only; every call is recorded."""

    @extend_schema(request=None, responses=inline_serializer("RevealedPersonalData", fields={
        "id": serializers.IntegerField(),
        "id_number": serializers.CharField(),
        "mobile": serializers.CharField(),
    }))
    def post(self, request, pk: int):
        trainee = selectors.trainee_get(user=request.user, pk=pk)
        revealed = services.trainee_reveal(trainee=trainee, actor=request.user, request=request)
        response = Response({"id": trainee.pk, "id_number": revealed.id_number, "mobile": revealed.mobile})
        response["Cache-Control"] = "no-store"
        return response


def _error_json(error: RosterError) -> dict:
    return {"row": error.row, "column": error.column, "message": error.message}


class RosterImportApi(APIView):
    """Upload a class's roster (.xlsx, multipart field ``file``): all or nothing."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": inline_serializer("RosterUpload", fields={"file": serializers.FileField()})},
        responses={
            200: inline_serializer("RosterImported", fields={
                "created": serializers.IntegerField(), "updated": serializers.IntegerField(),
                "enrolled": serializers.IntegerField(),
            }),
            400: inline_serializer("RosterErrors", fields={"errors": serializers.ListField(child=serializers.DictField())}),
        },
    )
    def post(self, request, pk: int):
        training_class = training_class_get(user=request.user, pk=pk)
        upload = request.FILES.get("file")
        if upload is None:
            return Response(
                {"errors": [{"row": None, "column": None, "message": "请用字段名 file 上传花名册 .xlsx 文件。"}]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            result = services.roster_import(
                fileobj=upload, filename=upload.name, actor=request.user, training_class=training_class
            )
        except ValidationError as exc:
            return Response(
                {"errors": [{"row": None, "column": None, "message": m} for m in exc.messages]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if not result.ok:
            return Response({"errors": [_error_json(e) for e in result.errors]}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"created": result.created, "updated": result.updated, "enrolled": result.enrolled})
