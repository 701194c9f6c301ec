"""Benchmark: roster (花名册) import against openpyxl's own read-only read of the same file.

    python bench/import_roster.py [--rows N] [--rounds R]

Uses the database DATABASE_URL names (migrated on start; PostgreSQL for the figures that
count, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/qj_registry). It builds an .xlsx
of N valid people (GB 11643 check characters, Faker zh_CN names and addresses), creates a
class with room for all of them, then alternately times

  baseline  openpyxl.load_workbook(read_only=True) iterating every row's values, no database;
  import    trainees.services.roster_import into the class (file checks, batched database
            checks, bulk writes with history, enrolments), from the same empty state each
            round (the previous round's rows are deleted, untimed).

It prints rows/s (median, min, max) for both and the ratio import/baseline, the peak memory
(VmHWM, else ru_maxrss) of one import and one read, each in a fresh process, and the SQL queries per
import for N and for N/10 rows (batched: they must not grow with the rows).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qijiang_training.settings")

import openpyxl  # noqa: E402

# Django is set up only where the database is used, so that the baseline's memory is
# openpyxl's alone.


def setup_django() -> None:
    import django

    django.setup()
    global call_command, connection, transaction, Faker, credit_check
    global CertificateType, Institution, Occupation, Programme, SkillLevel, TrainingClass, TrainingType, Unit
    global check_character, Enrolment, Trainee, OPTIONAL_HEADERS, REQUIRED_HEADERS, roster_import
    from django.core.management import call_command
    from django.db import connection, transaction
    from faker import Faker

    from programs.creditcodes import check_character as credit_check
    from programs.models import (
        CertificateType, Institution, Occupation, Programme, SkillLevel, TrainingClass, TrainingType, Unit,
    )
    from trainees.idnumbers import check_character
    from trainees.models import Enrolment, Trainee
    from trainees.roster_workbook import OPTIONAL_HEADERS, REQUIRED_HEADERS
    from trainees.services import roster_import


BENCH_INSTITUTION = "基准测试职业培训学校"
# Area codes of 重庆 districts; the people are made up but their numbers are valid.
AREAS = ("500222", "500101", "500103", "500104", "500105", "500106", "500110", "500112")
GROUPS = ("", "", "农村转移就业劳动者", "建档立卡贫困劳动力", "下岗失业人员、就业困难人员", "退役军人", "两后生")
EDUCATION = ("初中", "高中/中专/技校", "大专", "本科及以上", "小学及以下", "")
EMPLOYMENT = ("失业", "灵活就业", "在岗职工", "未就业", "")


def build_roster(path: Path, rows: int, *, seed: int = 2019) -> None:
    """N distinct valid people in a roster laid out like the downloadable template."""
    faker = Faker("zh_CN")
    faker.seed_instance(seed)
    rng = random.Random(seed)
    names = [faker.name() for _ in range(min(rows, 5000))]
    addresses = [faker.address() for _ in range(min(rows, 2000))]
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append(list(REQUIRED_HEADERS + OPTIONAL_HEADERS))
    first = datetime.date(1960, 1, 1)
    for i in range(rows):
        birth = (first + datetime.timedelta(days=i % 15000)).strftime("%Y%m%d")
        first17 = AREAS[(i // 15000) % len(AREAS)] + birth + f"{(i // 120000) % 1000:03d}"
        sheet.append([
            names[i % len(names)],
            first17 + check_character(first17),
            f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            GROUPS[i % len(GROUPS)],
            addresses[i % len(addresses)],
            addresses[(i + 7) % len(addresses)],
            EDUCATION[i % len(EDUCATION)],
            EMPLOYMENT[i % len(EMPLOYMENT)],
        ])
    workbook.save(path)


def bench_class(capacity: int, code: str) -> TrainingClass:
    unit = Unit.objects.get(name="区人力社保局")
    institution, _ = Institution.objects.get_or_create(
        name=BENCH_INSTITUTION, defaults={"credit_code": "91500222999999999" + credit_check("91500222999999999")}
    )
    programme, _ = Programme.objects.get_or_create(
        occupation=Occupation.objects.get(name="电焊"),
        level=SkillLevel.objects.get(code="level-5"),
        training_type=TrainingType.objects.get(code="employment-skills"),
        unit=unit,
        valid_from_year=2019,
        defaults={"hours": 80, "certificate_type": CertificateType.objects.get(code="skill-level"), "valid_to_year": 2021},
    )
    training_class, _ = TrainingClass.objects.update_or_create(
        code=code,
        defaults={
            "name": "基准测试培训班", "programme": programme, "institution": institution, "unit": unit,
            "start_date": datetime.date(2019, 3, 4), "end_date": datetime.date(2019, 3, 29), "capacity": capacity,
        },
    )
    return training_class


def reset(training_class: TrainingClass) -> None:
    """Delete what an import into this class wrote, so every round starts from the same state."""
    through = Trainee.target_groups.through._meta.db_table
    history = Trainee.history.model._meta.db_table
    m2m_history = f"{history}_target_groups"
    enrolment = Enrolment._meta.db_table
    enrolment_history = Enrolment.history.model._meta.db_table
    trainee = Trainee._meta.db_table
    members = f"SELECT trainee_id FROM {enrolment} WHERE training_class_id = %s"
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in (
            f"DELETE FROM {m2m_history} WHERE trainee_id IN ({members})",
            f"DELETE FROM {through} WHERE trainee_id IN ({members})",
            f"DELETE FROM {history} WHERE id IN ({members})",
            f"DELETE FROM {enrolment_history} WHERE training_class_id = %s",
            f"CREATE TEMPORARY TABLE bench_members AS {members}",
            f"DELETE FROM {enrolment} WHERE training_class_id = %s",
            f"DELETE FROM {trainee} WHERE id IN (SELECT trainee_id FROM bench_members)",
            "DROP TABLE bench_members",
        ):
            cursor.execute(sql, [training_class.pk] if "%s" in sql else [])


def run_import(path: Path, training_class: TrainingClass, rows: int) -> None:
    with path.open("rb") as handle:
        result = roster_import(fileobj=handle, filename=path.name, actor=None, training_class=training_class)
    if not result.ok or result.created != rows or result.enrolled != rows:
        raise SystemExit(f"import failed: {result.summary()} {[str(e) for e in result.errors[:5]]}")


def run_read(path: Path) -> int:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    count = 0
    for _ in workbook.worksheets[0].iter_rows(values_only=True):
        count += 1
    workbook.close()
    return count


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def count_queries(path: Path, training_class: TrainingClass, rows: int) -> int:
    counter = QueryCounter()
    reset(training_class)
    with connection.execute_wrapper(counter):
        run_import(path, training_class, rows)
    return counter.count


def child(args: argparse.Namespace) -> None:
    """One import or one read in a fresh process; prints its peak memory in MB."""
    path = Path(args.file)
    if args.child == "import":
        setup_django()
        training_class = TrainingClass.objects.get(pk=args.class_id)
        reset(training_class)
        run_import(path, training_class, args.rows)
    else:
        run_read(path)
    print(peak_rss_mb())


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to this program alone; ru_maxrss
    can carry over the high-water mark of the parent that forked it."""
    try:
        for text in Path("/proc/self/status").read_text().splitlines():
            if text.startswith("VmHWM:"):
                return int(text.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_mb(kind: str, path: Path, rows: int, class_id: int | None = None) -> float:
    command = [sys.executable, __file__, "--child", kind, "--file", str(path), "--rows", str(rows)]
    if class_id is not None:
        command += ["--class-id", str(class_id)]
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return float(output.strip().splitlines()[-1])


def line(label: str, rates: list[float]) -> str:
    return (f"{label:<34} median {statistics.median(rates):>9,.0f} rows/s   "
            f"min {min(rates):>9,.0f}   max {max(rates):>9,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2000, help="people in the roster (default 2,000; the issue asks 50,000)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds after one warm-up (default 5)")
    parser.add_argument("--child", choices=["import", "read"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--class-id", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    setup_django()

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0, stdout=open(os.devnull, "w"))
    rows = args.rows
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "花名册.xlsx"
        started = time.perf_counter()
        build_roster(path, rows)
        print(f"roster: {rows:,} rows, {path.stat().st_size / 1e6:.1f} MB, built in {time.perf_counter() - started:.1f} s; "
              f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        training_class = bench_class(rows, "BENCH-ROSTER")
        reads: list[float] = []
        imports: list[float] = []
        for round_number in range(args.rounds + 1):  # round 0 is the warm-up
            started = time.perf_counter()
            assert run_read(path) == rows + 1
            read_rate = rows / (time.perf_counter() - started)
            reset(training_class)
            started = time.perf_counter()
            run_import(path, training_class, rows)
            import_rate = rows / (time.perf_counter() - started)
            if round_number:
                reads.append(read_rate)
                imports.append(import_rate)
        print(line("baseline: openpyxl read-only read", reads))
        print(line("roster_import into the database", imports))
        print(f"{'ratio import/baseline (medians)':<34} {statistics.median(imports) / statistics.median(reads):.2f}")

        queries = count_queries(path, training_class, rows)
        reset(training_class)
        small_rows = max(rows // 10, 10)
        small_path = Path(directory) / "small.xlsx"
        build_roster(small_path, small_rows, seed=7)
        small_class = bench_class(small_rows, "BENCH-ROSTER-SMALL")
        small_queries = count_queries(small_path, small_class, small_rows)
        reset(small_class)
        print(f"{'SQL queries per import':<34} {queries} for {rows:,} rows, {small_queries} for {small_rows:,} rows")

        import_mb = peak_mb("import", path, rows, training_class.pk)
        read_mb = peak_mb("read", path, rows)
        print(f"{'peak memory (separate process)':<34} import {import_mb:.0f} MB, baseline read {read_mb:.0f} MB")
        reset(training_class)


if __name__ == "__main__":
    main()
