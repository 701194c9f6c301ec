"""Roll-up of progress vs the bare aggregate SQL, and the dashboard's server time.

    python bench/rollup.py [--rows N] [--rounds R]

Builds its own throw-away test database next to the one DATABASE_URL names (PostgreSQL
for the figures that count; SQLite works for a quick run), generates N enrolments with
INSERT … SELECT (generate_series on PostgreSQL, a recursive CTE on SQLite) in classes of
every responsible unit over 2019–2021, trainees with valid GB 11643 ID numbers, and an
approved return for every unit and quarter. Then, alternately and after one warm-up round:

- ``progress_rollup`` (reports.services) vs the two bare GROUP BY queries it stands on;
- the dashboard page (Django test client, bureau staff, 2019) vs one indexed query of UnitProgress.

Prints median / min / max in ms and the ratio project / baseline, and the peak memory.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qijiang_training.settings")

import django  # noqa: E402

django.setup()

from io import StringIO  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_digit_sql(column: str, as_int) -> str:
    """GB 11643 check character of a 17-digit text column, computed in SQL."""
    terms = " + ".join(f"{as_int(f'substr({column}, {i + 1}, 1)')} * {w}" for i, w in enumerate(WEIGHTS))
    return f"substr('10X98765432', (({terms}) % 11) + 1, 1)"


class Dialect:
    def __init__(self, vendor: str):
        self.vendor = vendor
        self.pg = vendor == "postgresql"

    def series(self, n: int) -> str:
        if self.pg:
            return f"SELECT g AS n FROM generate_series(1, {n}) AS g"
        return f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {n}) SELECT n FROM s"

    def as_int(self, expr: str) -> str:
        return f"CAST({expr} AS INTEGER)"

    def birth(self, n: str) -> str:
        return f"(DATE '1970-01-01' + ({n} / 1000))" if self.pg else f"date('1970-01-01', '+' || ({n} / 1000) || ' days')"

    def yyyymmdd(self, expr: str) -> str:
        return f"to_char({expr}, 'YYYYMMDD')" if self.pg else f"strftime('%Y%m%d', {expr})"

    def pad(self, expr: str, width: int) -> str:
        return f"lpad(({expr})::text, {width}, '0')" if self.pg else f"substr('{'0' * width}' || ({expr}), -{width})"

    def now(self) -> str:
        return "now()" if self.pg else "datetime('now')"

    def true(self) -> str:
        return "true" if self.pg else "1"

    def false(self) -> str:
        return "false" if self.pg else "0"

    def year_quarter(self, column: str) -> tuple[str, str]:
        if self.pg:
            return f"EXTRACT(YEAR FROM {column})", f"EXTRACT(QUARTER FROM {column})"
        return (f"CAST(strftime('%Y', {column}) AS INTEGER)",
                f"((CAST(strftime('%m', {column}) AS INTEGER) + 2) / 3)")


def generate(rows: int) -> dict:
    """Classes per unit, trainees, enrolments (SQL) and an approved return for every unit and quarter."""
    import datetime

    from programs.models import (
        ActionPlan, Assignment, CertificateType, Institution, Occupation, Programme, SkillLevel, TrainingClass,
        TrainingType,
    )
    from programs.tests.factories import credit_code
    from reports.models import QuarterlyReturn

    dialect = Dialect(connection.vendor)
    plan = ActionPlan.objects.get(code="qijiang-2019-2021")
    units = [a.unit_id for a in Assignment.objects.filter(plan=plan).order_by("order")]
    institution = Institution.objects.create(name="綦江区基准测试培训学校", credit_code=credit_code(999))
    occupation, level = Occupation.objects.get(name="电焊"), SkillLevel.objects.get(code="level-5")
    training_type, certificate = TrainingType.objects.get(code="employment-skills"), CertificateType.objects.get(code="skill-level")
    programmes = {
        unit_id: Programme.objects.create(
            occupation=occupation, level=level, training_type=training_type, certificate_type=certificate,
            unit_id=unit_id, hours=80, valid_from_year=2019, valid_to_year=2021,
        )
        for unit_id in units
    }
    class_count = max(len(units) * 4, rows // 200)
    start = datetime.date(2019, 1, 1)
    TrainingClass.objects.bulk_create(
        [
            TrainingClass(
                code=f"BENCH-{k:06d}", name=f"基准测试培训班{k}", programme=programmes[units[k % len(units)]],
                institution=institution, unit_id=units[k % len(units)],
                start_date=start + datetime.timedelta(days=(k * 7) % 1070),
                end_date=start + datetime.timedelta(days=(k * 7) % 1070 + 20),
                capacity=400, status=TrainingClass.Status.FINISHED,
            )
            for k in range(class_count)
        ],
        batch_size=5000,
    )
    trainees = (rows + 1) // 2
    first17 = f"'500222' || {dialect.yyyymmdd(dialect.birth('n'))} || {dialect.pad('n % 1000', 3)}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO trainees_trainee (id_number, name, sex, birth_date, mobile, household_type, household_address,
                residence_address, seeks_work_in_district, education, employment_status, receives_monthly_pension,
                registered_by_unit_id, created_at, updated_at)
            SELECT f17 || {check_digit_sql('f17', dialect.as_int)}, '学员' || n,
                   CASE WHEN (n % 1000) % 2 = 1 THEN 'M' ELSE 'F' END, {dialect.birth('n')},
                   '139' || {dialect.pad('n', 8)}, 'agricultural', '重庆市綦江区古南街道', '重庆市綦江区古南街道',
                   {dialect.true()}, 'junior', 'unemployed', {dialect.false()}, NULL, {dialect.now()}, {dialect.now()}
            FROM (SELECT n, {first17} AS f17 FROM ({dialect.series(trainees)}) AS s) AS t
            """
        )
        cursor.execute("SELECT min(id) FROM trainees_trainee")
        first_trainee = cursor.fetchone()[0]
        cursor.execute("SELECT min(id), count(*) FROM programs_trainingclass WHERE code LIKE 'BENCH-%%'")
        first_class, classes = cursor.fetchone()
        half = classes // 2
        # Enrolment n: trainee (n-1)/2; its two classes are half the class list apart, so never the same.
        cursor.execute(
            f"""
            INSERT INTO trainees_enrolment (trainee_id, training_class_id, status, completion_date,
                overlaps_other_class, created_at, created_by_id)
            SELECT {first_trainee} + (n - 1) / 2, c.id,
                   CASE WHEN n % 10 = 0 THEN 'dropped' ELSE 'completed' END,
                   CASE WHEN n % 10 = 0 THEN NULL ELSE c.end_date END,
                   {dialect.false()}, {dialect.now()}, NULL
            FROM ({dialect.series(rows)}) AS s
            JOIN programs_trainingclass c ON c.id = {first_class} + (((n - 1) % 2) * {half} + (n - 1) / 2) % {classes}
            """
        )
        if dialect.pg:
            cursor.execute("ANALYZE trainees_trainee; ANALYZE trainees_enrolment; ANALYZE programs_trainingclass")
    QuarterlyReturn.objects.bulk_create(
        [
            QuarterlyReturn(plan=plan, unit_id=unit_id, year=year, quarter=quarter, person_times=100 + unit_id % 50,
                            completions=90, status=QuarterlyReturn.Status.APPROVED, transition_count=2)
            for unit_id in units for year in plan.years for quarter in (1, 2, 3, 4)
        ]
    )
    return {"plan": plan, "classes": classes, "trainees": trainees, "dialect": dialect}


def bare_sql(plan, dialect: Dialect) -> tuple[list, list]:
    """The physical limit: the two GROUP BYs the roll-up needs, written by hand."""
    year, quarter = dialect.year_quarter("e.completion_date")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT c.unit_id, {year}, {quarter}, COUNT(*)
            FROM trainees_enrolment e JOIN programs_trainingclass c ON c.id = e.training_class_id
            WHERE e.status = 'completed' AND e.completion_date BETWEEN %s AND %s
              AND c.unit_id IN (SELECT unit_id FROM programs_assignment WHERE plan_id = %s)
            GROUP BY 1, 2, 3
            """,
            [f"{plan.start_year}-01-01", f"{plan.end_year}-12-31", plan.pk],
        )
        enrolments = cursor.fetchall()
        cursor.execute(
            "SELECT unit_id, year, quarter, SUM(person_times) FROM reports_quarterlyreturn "
            "WHERE plan_id = %s AND status = 'approved' GROUP BY 1, 2, 3",
            [plan.pk],
        )
        return enrolments, cursor.fetchall()


def one_query_page(plan) -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT unit_id, quota, approved_person_times, percent, status FROM reports_unitprogress "
            "WHERE plan_id = %s AND year = %s AND quarter = %s",
            [plan.pk, 2019, 4],
        )
        return cursor.fetchall()


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def report(label: str, samples: list[float], baseline_label: str, baseline: list[float]) -> None:
    median, base = statistics.median(samples), statistics.median(baseline)
    print(f"{label:<28} median {median:9.1f} ms  min {min(samples):9.1f}  max {max(samples):9.1f}")
    print(f"{baseline_label:<28} median {base:9.1f} ms  min {min(baseline):9.1f}  max {max(baseline):9.1f}")
    print(f"{'ratio ' + label:<28} {median / base:9.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20000, help="enrolments to generate (default 20000)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds after one warm-up (default 5)")
    args = parser.parse_args()

    from accounts.roles import Role
    from accounts.tests.factories import UserFactory
    from reports.models import UnitProgress
    from reports.services import progress_rollup

    setup_test_environment()
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        settings["TEST"]["NAME"] = f"bench_rollup_{settings['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        call_command("load_reference_data", stdout=StringIO())
        started = time.perf_counter()
        data = generate(args.rows)
        plan, dialect = data["plan"], data["dialect"]
        print(f"database {connection.vendor}; {args.rows:,} enrolments, {data['trainees']:,} trainees, "
              f"{data['classes']:,} classes, 216 approved returns; generated in {time.perf_counter() - started:.1f} s")

        rollup, bare = [], []
        for round_ in range(args.rounds + 1):
            r = timed(lambda: progress_rollup(plan=plan))
            b = timed(lambda: bare_sql(plan, dialect))
            if round_:
                rollup.append(r)
                bare.append(b)
        assert UnitProgress.objects.filter(plan=plan).count() == 216
        report("roll-up (progress_rollup)", rollup, "bare GROUP BY SQL", bare)

        client = Client()
        client.force_login(UserFactory(role=Role.BUREAU_STAFF))
        page, query = [], []
        for round_ in range(args.rounds + 1):
            response = None

            def get():
                nonlocal response
                response = client.get("/", {"plan": plan.pk, "year": 2019})

            p = timed(get)
            q = timed(lambda: one_query_page(plan))
            assert response.status_code == 200 and response.content.count(b"data-progress-unit=") == 18
            if round_:
                page.append(p)
                query.append(q)
        report("dashboard page (server)", page, "one indexed query", query)
        print(f"peak memory (ru_maxrss of this process) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
