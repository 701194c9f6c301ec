"""Registry API: trainees (scoped, masked), the ID lookup, the archive, the recorded reveal, roster
upload, completions and drop-outs, certificates."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from programs.api import service_errors
from programs.models import CertificateType, Occupation, SkillLevel
from programs.selectors import training_class_get

from . import selectors, services
from .forms import TraineeFilterForm
from .models import Certificate, Enrolment, Trainee
from .roster_workbook import RosterError

LOOKUP_PATH = "/api/v1/trainees/lookup/"
ID_NOT_IN_QUERY = (
    "为保护个人信息，不能在网址（GET 查询参数 search）中按身份证号码查找：网址会留在代理和服务器的访问日志里。"
    f"请改用 POST {LOOKUP_PATH}，在请求体中提交 {{\"id_number\": \"完整的18位身份证号码\"}}。"
)


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
    OpenApiParameter("search", str, description=f"姓名（可部分）。按身份证号码查找请用 POST {LOOKUP_PATH}"),
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
        search = filters["search"]
        if search.is_id:
            raise serializers.ValidationError({"search": [ID_NOT_IN_QUERY]})
        if search.problem:
            raise serializers.ValidationError({"search": [f"{search.problem} 完整号码请用 POST {LOOKUP_PATH} 查找。"]})
        return selectors.trainee_list(user=self.request.user, filters=filters)


class TraineeLookupSerializer(serializers.Serializer):
    id_number = serializers.CharField(
        label="身份证号码", max_length=40, error_messages={"required": "请提交 id_number（完整的18位身份证号码）。",
                                                        "blank": "请提交 id_number（完整的18位身份证号码）。"},
    )


class TraineeLookupApi(APIView):
    """Find one trainee by a full ID number sent in the request body, never in a URL (PIPL).

    200 with the trainee (masked) when they are in the caller's scope, 404 otherwise (the
    same answer whether the number is unknown or out of scope), 400 for a partial or invalid number.
    """

    @extend_schema(request=TraineeLookupSerializer, responses={200: TraineeSerializer})
    def post(self, request):
        data = TraineeLookupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        search = selectors.trainee_search_parse(data.validated_data["id_number"])
        if not search.is_id:
            problem = search.problem or "请提交完整、正确的18位身份证号码；为保护个人信息，不支持按姓名或部分号码查找。"
            raise serializers.ValidationError({"id_number": [problem]})
        trainee = selectors.trainee_find_by_id_number(user=request.user, id_number=search.id_number)
        if trainee is None:
            raise exceptions.NotFound(
                f"未找到该身份证号码对应的学员，或不在您的查看范围内（{search.id_number_masked}）。"
            )
        response = Response(TraineeSerializer(trainee).data)
        response["Cache-Control"] = "no-store"
        return response


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


# --- completions, drop-outs, certificates -----------------------------------------------


class RegistryWritePermission(BasePermission):
    """The view's ``write_permission``, refused with the same Chinese message the services give."""

    def has_permission(self, request, view) -> bool:
        try:
            services.require_permission(request.user, view.write_permission, view.write_action)
        except DjangoPermissionDenied as exc:
            self.message = str(exc)
            return False
        return True


class EnrolmentSerializer(serializers.ModelSerializer):
    trainee = serializers.SerializerMethodField()
    training_class = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态")

    class Meta:
        model = Enrolment
        fields = ["id", "trainee", "training_class", "status", "status_display", "completion_date",
                  "overlaps_other_class"]

    @extend_schema_field(serializers.DictField())
    def get_trainee(self, enrolment: Enrolment) -> dict:
        trainee = enrolment.trainee
        return {"id": trainee.pk, "name": trainee.name, "id_number_masked": trainee.id_number_masked}

    @extend_schema_field(serializers.DictField())
    def get_training_class(self, enrolment: Enrolment) -> dict:
        training_class = enrolment.training_class
        return {"id": training_class.pk, "code": training_class.code, "name": training_class.name}


class EnrolmentCompleteSerializer(serializers.Serializer):
    completion_date = serializers.DateField(
        label="结业日期", error_messages={
            "required": "请填写结业日期（completion_date，格式YYYY-MM-DD）。",
            "null": "请填写结业日期（completion_date，格式YYYY-MM-DD）。",
            "invalid": "结业日期格式不正确，应为YYYY-MM-DD，如2019-03-29。",
        },
    )
    reason = serializers.CharField(label="备注", required=False, allow_blank=True, max_length=100,
                                   error_messages={"max_length": "备注最多100个字。"})


class EnrolmentDropSerializer(serializers.Serializer):
    reason = serializers.CharField(
        label="退学原因", max_length=services.DROP_REASON_MAX, error_messages={
            "required": "请填写退学原因（reason）。",
            "blank": "请填写退学原因（reason）。",
            "null": "请填写退学原因（reason）。",
            "max_length": f"退学原因最多{services.DROP_REASON_MAX}个字，请精简。",
        },
    )


class _EnrolmentTransitionApi(APIView):
    permission_classes = [IsAuthenticated, RegistryWritePermission]
    write_permission = "trainees.change_enrolment"
    input_serializer: type[serializers.Serializer]

    def post(self, request, pk: int):
        enrolment = get_object_or_404(selectors.enrolment_list(user=request.user), pk=pk)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            enrolment = self.transition(enrolment=enrolment, actor=request.user, request=request, **data.validated_data)
        return Response(EnrolmentSerializer(enrolment).data)


@extend_schema(request=EnrolmentCompleteSerializer, responses=EnrolmentSerializer)
class EnrolmentCompleteApi(_EnrolmentTransitionApi):
    """结业: the completion date may not be before the class started nor after today."""

    write_action = "办理结业"
    input_serializer = EnrolmentCompleteSerializer

    def transition(self, **kwargs) -> Enrolment:
        return services.enrolment_complete(**kwargs)


@extend_schema(request=EnrolmentDropSerializer, responses=EnrolmentSerializer)
class EnrolmentDropApi(_EnrolmentTransitionApi):
    """退学, with the reason; the trainee's overlap flags are recomputed."""

    write_action = "办理退学"
    input_serializer = EnrolmentDropSerializer

    def transition(self, **kwargs) -> Enrolment:
        return services.enrolment_drop(**kwargs)


def _catalog_field(model, label: str) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        label=label, queryset=model.objects.all(), required=False, allow_null=True,
        error_messages={"does_not_exist": f"{label}编号“{{pk_value}}”不存在，请核对。",
                        "incorrect_type": f"{label}应填写编号（整数）。"},
    )


class CertificateInputSerializer(serializers.Serializer):
    trainee = serializers.IntegerField(label="学员编号", error_messages={
        "required": "请填写学员编号（trainee）。", "invalid": "学员编号（trainee）应为整数。"})
    enrolment = serializers.IntegerField(label="参训记录编号", required=False, allow_null=True, error_messages={
        "invalid": "参训记录编号（enrolment）应为整数。"})
    certificate_type = _catalog_field(CertificateType, "证书类型")
    occupation = _catalog_field(Occupation, "职业（工种）")
    level = _catalog_field(SkillLevel, "等级")
    number = serializers.CharField(label="证书编号", required=False, allow_blank=True, max_length=60,
                                   error_messages={"max_length": "证书编号最多50位，请核对。"})
    issuing_body = serializers.CharField(label="发证机构", required=False, allow_blank=True, max_length=200,
                                         error_messages={"max_length": "发证机构名称最多200个字。"})
    issued_on = serializers.DateField(label="发证日期", required=False, allow_null=True, error_messages={
        "invalid": "发证日期格式不正确，应为YYYY-MM-DD，如2019-04-10。"})


class CertificateSerializer(serializers.ModelSerializer):
    certificate_type = serializers.StringRelatedField(label="证书类型")
    occupation = serializers.StringRelatedField(label="职业（工种）")
    level = serializers.StringRelatedField(label="等级")

    class Meta:
        model = Certificate
        fields = ["id", "trainee", "enrolment", "certificate_type", "occupation", "level", "number",
                  "issuing_body", "issued_on"]


class CertificateCreateApi(APIView):
    """Register a certificate. Linked to an enrolment, type, occupation and level default to its programme."""

    permission_classes = [IsAuthenticated, RegistryWritePermission]
    write_permission = "trainees.add_certificate"
    write_action = "登记证书"

    @extend_schema(request=CertificateInputSerializer, responses={201: CertificateSerializer})
    def post(self, request):
        data = CertificateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        trainee = get_object_or_404(selectors.trainees_visible_to(request.user), pk=values.pop("trainee"))
        enrolment_id = values.pop("enrolment", None)
        enrolment = None
        if enrolment_id is not None:
            enrolment = get_object_or_404(selectors.enrolment_list(user=request.user), pk=enrolment_id)
        with service_errors():
            certificate = services.certificate_register(
                trainee=trainee, enrolment=enrolment, actor=request.user, request=request,
                number=values.pop("number", ""), issuing_body=values.pop("issuing_body", ""),
                issued_on=values.pop("issued_on", None), **values,
            )
        return Response(CertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)
