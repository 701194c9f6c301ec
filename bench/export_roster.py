"""Roster export: the project's exporter vs openpyxl write-only writing the same rows with no database.

    python bench/export_roster.py [--rows N] [--rounds R]

Builds its own throw-away database next to the one DATABASE_URL names (PostgreSQL for the
figures that count; SQLite works for a quick run) and generates N enrolments with INSERT …
SELECT generate_series (a recursive CTE on SQLite) — trainees with valid GB 11643 ID numbers —
using bench/rollup.py's generator. Then, alternately and after one warm-up round, each in a
fresh process so that its peak memory (ru_maxrss) is its own:

- project: ``reports.services.export_write`` of the ``roster`` kind for a bureau admin (scoped
  selector, server-side cursor, masking, spreadsheets.workbooks in write-only mode) into a file;
- baseline: openpyxl ``Workbook(write_only=True)`` appending the same N rows of 17 values,
  generated in Python, with no database.

Prints rows/s (median, min, max), the ratio project / baseline, and the peak memory of each.

Measured on the 2-core machine kind, PostgreSQL 15:
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/qj_exports python bench/export_roster.py --rows 1000000 --rounds 1``
→ project 5,263 rows/s, peak 79 MB; openpyxl write-only 7,032 rows/s, peak 26 MB; ratio 0.75x
(goal ≥ 0.5x, < 200 MB). At the default 20,000 rows, 5 rounds: 6,460 vs 7,844 rows/s, 0.82x.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qijiang_training.settings")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_project(rows: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.roles import Role
    from reports import exporters, services

    user = User.objects.get(username="bench_export")
    assert user.groups.filter(name=Group.objects.get(name=Role.BUREAU_ADMIN.label).name).exists()
    kind = exporters.export_kinds()["roster"]
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        written = services.export_write(kind=kind, filters={}, user=user, out=out)
        elapsed = time.perf_counter() - started
        size = out.tell()
    assert written == rows, (written, rows)
    return {"seconds": elapsed, "rows": written, "bytes": size, "peak_mb": peak_mb()}


def baseline_rows(rows: int):
    """The same 17 values per row as the roster, made in Python (no database)."""
    import datetime

    start, end = datetime.date(2019, 3, 4), datetime.date(2019, 3, 24)
    for n in range(1, rows + 1):
        yield [
            n, f"BENCH-{n // 200:06d}", f"基准测试培训班{n // 200}", "区人力社保局", "綦江区基准测试培训学校", "电焊",
            "初级工（五级）", start, end, f"学员{n}", "男", f"500222********{n % 10000:04d}", f"139****{n % 10000:04d}",
            "重庆市綦江区古南街道", "重庆市綦江区古南街道", "已结业", end,
        ]


def run_baseline(rows: int) -> dict:
    from openpyxl import Workbook

    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        book = Workbook(write_only=True)
        ws = book.create_sheet("学员花名册")
        ws.append(["序号", "班级编号", "培训班", "责任单位", "培训机构", "职业（工种）", "等级", "开班日期", "结业日期",
                   "姓名", "性别", "身份证号码", "手机号码", "户籍地址", "常住地址", "参训状态", "学员结业日期"])
        for row in baseline_rows(rows):
            ws.append(row)
        book.save(out)
        elapsed = time.perf_counter() - started
        size = out.tell()
    return {"seconds": elapsed, "rows": rows, "bytes": size, "peak_mb": peak_mb()}


def child(side: str, rows: int, database_url: str) -> dict:
    """Run one side in a fresh process. Linux keeps a process's peak RSS across exec, so the child
    is started by a small shell that forks it: its ru_maxrss is then its own, not this process's."""
    env = {**os.environ, "DATABASE_URL": database_url}
    script = '"$0" "$1" --child "$2" --rows "$3"; exit $?'
    result = subprocess.run(
        ["/bin/sh", "-c", script, sys.executable, __file__, side, str(rows)],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{side} run failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def report(label: str, runs: list[dict]) -> float:
    rates = [run["rows"] / run["seconds"] for run in runs]
    median = statistics.median(rates)
    print(f"{label:<34} median {median:10,.0f} rows/s  min {min(rates):10,.0f}  max {max(rates):10,.0f}  "
          f"peak memory {max(run['peak_mb'] for run in runs):6.0f} MB  file {runs[-1]['bytes'] / 1e6:6.1f} MB")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20000, help="enrolments to generate and export (default 20000)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds after one warm-up (default 5)")
    parser.add_argument("--child", choices=["project", "baseline"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        run = run_project if args.child == "project" else run_baseline
        print(json.dumps(run(args.rows)))
        return

    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from accounts.roles import Role
    from accounts.tests.factories import UserFactory

    setup_test_environment()
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        settings["TEST"]["NAME"] = f"bench_export_{settings['NAME']}"
    else:
        settings["TEST"]["NAME"] = str(ROOT / "var" / "bench_export.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        call_command("load_reference_data", stdout=StringIO())
        from rollup import generate

        started = time.perf_counter()
        data = generate(args.rows)
        UserFactory(username="bench_export", role=Role.BUREAU_ADMIN)
        print(f"database {connection.vendor}; {args.rows:,} enrolments, {data['trainees']:,} trainees, "
              f"{data['classes']:,} classes; generated in {time.perf_counter() - started:.1f} s")
        if connection.vendor == "postgresql":
            db = connection.settings_dict
            url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        else:
            url = f"sqlite:///{connection.settings_dict['NAME']}"
        connection.close()

        project, baseline = [], []
        for round_ in range(args.rounds + 1):
            p = child("project", args.rows, url)
            b = child("baseline", args.rows, url)
            if round_:  # the first round warms the caches and is not counted
                project.append(p)
                baseline.append(b)
        project_rate = report("project exporter (roster)", project)
        baseline_rate = report("openpyxl write_only, no database", baseline)
        print(f"{'ratio project / baseline':<34} {project_rate / baseline_rate:10.2f}x  (goal ≥ 0.50x, peak < 200 MB)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
