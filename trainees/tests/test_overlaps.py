"""The overlap flag (四（四）: false training is to be found): one recomputation, after enrolling,
dropping out, or a class's dates changing."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.models import TrainingClass
from programs.tests.factories import TrainingClassFactory
from trainees.models import Enrolment
from trainees.services import enrolment_complete, enrolment_create, enrolment_drop, trainee_overlaps_refresh
from trainees.tests.factories import EnrolmentFactory, TraineeFactory


def flags(*enrolments: Enrolment) -> list[bool]:
    return [Enrolment.objects.get(pk=e.pk).overlaps_other_class for e in enrolments]


def test_dropping_one_of_two_overlapping_enrolments_clears_both(bureau_staff, class_a1, class_b1):
    # Given 张三 in A1 (4–29 March) and B1 (18 March – 12 April): both flagged
    trainee = TraineeFactory(name="张三")
    in_a1 = enrolment_create(trainee=trainee, training_class=class_a1, actor=bureau_staff)
    in_b1 = enrolment_create(trainee=trainee, training_class=class_b1, actor=bureau_staff)
    assert flags(in_a1, in_b1) == [True, True]
    # When he drops out of B1
    dropped = enrolment_drop(enrolment=in_b1, reason="外出务工", actor=bureau_staff)
    # Then neither enrolment is flagged any more (a dropped enrolment never is)
    assert flags(in_a1, in_b1) == [False, False]
    assert dropped.overlaps_other_class is False and dropped.status == Enrolment.Status.DROPPED
    # and the history says why the flag went
    record = Enrolment.objects.get(pk=in_a1.pk).history.first()
    assert record.overlaps_other_class is False
    assert record.history_change_reason == "时间重叠已消除：从培训班QJ-B1退学"
    assert record.history_user == bureau_staff


def test_a_flag_that_still_holds_is_kept(bureau_staff, class_a1, class_b1, unit_a, school_2):
    # Given 张三 in A1, B1 and a third class overlapping A1 only (25–28 March)
    third = TrainingClassFactory(code="QJ-A3", unit=unit_a, institution=school_2,
                                 start_date=datetime.date(2019, 3, 25), end_date=datetime.date(2019, 3, 28))
    trainee = TraineeFactory()
    in_a1 = enrolment_create(trainee=trainee, training_class=class_a1, actor=bureau_staff)
    in_b1 = enrolment_create(trainee=trainee, training_class=class_b1, actor=bureau_staff)
    in_third = enrolment_create(trainee=trainee, training_class=third, actor=bureau_staff)
    assert flags(in_a1, in_b1, in_third) == [True, True, True]
    # When he drops out of B1
    enrolment_drop(enrolment=in_b1, reason="个人原因", actor=bureau_staff)
    # Then A1 and the third class still overlap each other
    assert flags(in_a1, in_b1, in_third) == [True, False, True]


def test_completed_enrolments_still_count(bureau_staff, class_a1, class_b1):
    trainee = TraineeFactory()
    in_a1 = enrolment_create(trainee=trainee, training_class=class_a1, actor=bureau_staff)
    enrolment_complete(enrolment=in_a1, completion_date=class_a1.end_date, actor=bureau_staff)
    in_b1 = enrolment_create(trainee=trainee, training_class=class_b1, actor=bureau_staff)
    assert flags(in_a1, in_b1) == [True, True]


def test_refresh_corrects_stale_flags_both_ways_and_is_idempotent(bureau_staff, class_a1, class_a2, class_b1):
    # Given flags that are wrong in both directions (e.g. left over from before a class moved)
    trainee = TraineeFactory()
    in_a1 = EnrolmentFactory(trainee=trainee, training_class=class_a1, overlaps_other_class=False)
    in_b1 = EnrolmentFactory(trainee=trainee, training_class=class_b1, overlaps_other_class=False)
    in_a2 = EnrolmentFactory(trainee=trainee, training_class=class_a2, overlaps_other_class=True)
    dropped = EnrolmentFactory(trainee=trainee, training_class=TrainingClassFactory(
        start_date=class_a1.start_date, end_date=class_a1.end_date), status=Enrolment.Status.DROPPED,
        completion_date=None, overlaps_other_class=True)
    # When the flags are recomputed
    changed = trainee_overlaps_refresh(trainee_ids=[trainee.pk], actor=bureau_staff, cause="核查")
    # Then each holds exactly when the rule holds
    assert changed == 4
    assert flags(in_a1, in_b1, in_a2, dropped) == [True, True, False, False]
    assert Enrolment.objects.get(pk=in_a1.pk).history.first().history_change_reason == "与其他培训班时间重叠：核查"
    # and running it again changes nothing and writes no history
    history = Enrolment.history.count()
    assert trainee_overlaps_refresh(trainee_ids=[trainee.pk]) == 0
    assert Enrolment.history.count() == history


def test_class_dates_changing_is_followed_when_refreshed(bureau_staff, class_a1, class_a2):
    # Given 张三 in A1 (March) and A2 (May): no overlap
    trainee = TraineeFactory()
    in_a1 = enrolment_create(trainee=trainee, training_class=class_a1, actor=bureau_staff)
    in_a2 = enrolment_create(trainee=trainee, training_class=class_a2, actor=bureau_staff)
    assert flags(in_a1, in_a2) == [False, False]
    # When A2 moves into March (as programs.services.training_class_update would save it)
    TrainingClass.objects.filter(pk=class_a2.pk).update(start_date=datetime.date(2019, 3, 20),
                                                          end_date=datetime.date(2019, 4, 20))
    trainee_ids = list(class_a2.enrolments.values_list("trainee_id", flat=True))
    trainee_overlaps_refresh(trainee_ids=trainee_ids, cause="培训班QJ-A2日期变更")
    assert flags(in_a1, in_a2) == [True, True]
    # and when it moves back, the flags go
    TrainingClass.objects.filter(pk=class_a2.pk).update(start_date=datetime.date(2019, 5, 6),
                                                          end_date=datetime.date(2019, 5, 31))
    assert trainee_overlaps_refresh(trainee_ids=trainee_ids) == 2
    assert flags(in_a1, in_a2) == [False, False]


def test_only_the_given_trainees_are_touched(class_a1, class_b1):
    mine, other = TraineeFactory(), TraineeFactory()
    for trainee in (mine, other):
        EnrolmentFactory(trainee=trainee, training_class=class_a1, overlaps_other_class=False)
        EnrolmentFactory(trainee=trainee, training_class=class_b1, overlaps_other_class=False)
    assert trainee_overlaps_refresh(trainee_ids=[mine.pk]) == 2
    assert set(Enrolment.objects.filter(trainee=other).values_list("overlaps_other_class", flat=True)) == {False}
    assert trainee_overlaps_refresh(trainee_ids=[]) == 0


def test_queries_do_not_grow_with_trainees(class_a1, class_b1):
    def run(count: int) -> int:
        ids = []
        for _ in range(count):
            trainee = TraineeFactory()
            EnrolmentFactory(trainee=trainee, training_class=class_a1, overlaps_other_class=False)
            EnrolmentFactory(trainee=trainee, training_class=class_b1, overlaps_other_class=False)
            ids.append(trainee.pk)
        with CaptureQueriesContext(connection) as queries:
            assert trainee_overlaps_refresh(trainee_ids=ids) == 2 * count
        return len(queries)

    # One read, then the flag updates and their history rows in batches, never a query per row
    small, big = run(3), run(60)
    assert big - small <= 2, (small, big)
