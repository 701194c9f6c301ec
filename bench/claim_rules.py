"""Benchmark: evaluate the subsidy rules for one big claim against a big registry with history.

    python bench/claim_rules.py                              # small: 500 lines, 20,000 trainees
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qj_x \\
        python bench/claim_rules.py --rows 5000 --registry 1000000   # the figures that count

It builds its own database next to the one DATABASE_URL names (PostgreSQL: a database
called ``<name>_bench_claims``, kept between runs of the same size; SQLite: a file under
var/), generates the registry with COPY (PostgreSQL) — trainees with valid GB 11643 ID
numbers, target groups, classes, enrolments, certificates and earlier paid claims — and
one finished class of ``--rows`` trainees drawn from the registry. Then it times, alternately
after a warm-up:

* rules: ``selectors.claim_facts_load`` + ``policy.evaluate_lines`` (the rules for every line);
* service: ``services.claim_evaluate`` (the same plus rewriting the lines and fraud signals);
* baseline: the very SQL statements the rules need, executed with a raw cursor and fetched,
  with no Python objects and no rules — the floor set by the database.

It prints median/min/max, lines per second, the ratio to the baseline, the number of
queries (which must not grow with the number of lines) and the peak memory of a separate
process doing one evaluation.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HISTORY_PROGRAMMES = [  # (occupation, level code) of the classes in the registry's history
    ("电焊", "level-5"), ("电焊", "level-4"), ("钳工", "level-5"), ("家政", "level-5"),
    ("养老护理", "level-5"), ("汽车维修", "level-4"), ("电子商务", "special"), ("中式烹调/特色农家菜", "level-5"),
]
GROUP_CODES = ["rural-migrant", "poverty-labourer", "laid-off", "liang-hou-sheng", "enterprise-employee",
               "veteran", "zero-employment-family", "college-graduate"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国红梅玉兰海燕志强春梅"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
CHUNK = 100_000


def id_number(i: int) -> tuple[str, datetime.date, str]:
    """A valid, unique 18-character ID number for the i-th generated person (born 1966–1999)."""
    region = ("500222", "500110", "500112", "510106", "520302")[i % 5]
    j = i // 5
    birth = datetime.date(1966, 1, 1) + datetime.timedelta(days=j % 12000)
    seq = j // 12000  # 0..16 for one million people
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    check = CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]
    number = first17 + check
    return number, birth, "M" if int(number[16]) % 2 else "F"


# ---------------------------------------------------------------- database set-up (before Django starts)


def bench_database_url(args) -> tuple[str, str]:
    import environ

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        path = ROOT / "var" / f"bench_claim_rules_{args.registry}_{args.rows}.sqlite3"
        return f"sqlite:///{path}", "sqlite"
    config = environ.Env.db_url_config(url)
    name = f"{config['NAME']}_bench_claims"
    base = url.rsplit("/", 1)[0]
    return f"{base}/{name}", "postgresql"


def ensure_postgres_database(url: str, fresh: bool) -> bool:
    """Create the bench database if missing; True when it already existed (and may be reused)."""
    import environ
    import psycopg2

    config = environ.Env.db_url_config(url)
    connection = psycopg2.connect(
        dbname="postgres", user=config["USER"], password=config["PASSWORD"], host=config["HOST"], port=config["PORT"] or 5432
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        exists = cursor.fetchone() is not None
        if exists and fresh:
            cursor.execute(f'DROP DATABASE "{config["NAME"]}"')
            exists = False
        if not exists:
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    connection.close()
    return exists


# ---------------------------------------------------------------- data generation


class Writer:
    """Bulk rows into a table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, connection):
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"

    def write(self, model, columns: list[str], rows) -> int:
        table = model._meta.db_table
        count = 0
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                count += self._flush(table, columns, batch)
                batch = []
        if batch:
            count += self._flush(table, columns, batch)
        return count

    def _flush(self, table: str, columns: list[str], batch: list[tuple]) -> int:
        with self.connection.cursor() as cursor:
            if self.postgres:
                buffer = io.StringIO()
                for row in batch:
                    buffer.write("\t".join(r"\N" if v is None else _pg(v) for v in row))
                    buffer.write("\n")
                buffer.seek(0)
                cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
            else:
                marks = ", ".join("?" for _ in columns)
                cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", [
                    tuple(_sqlite(v) for v in row) for row in batch
                ])
        return len(batch)

    def reset_sequence(self, model) -> None:
        if self.postgres:
            table = model._meta.db_table
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"
                )


def _pg(value) -> str:
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def _sqlite(value):
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def generate(*, registry: int, rows: int, seed: int = 20190415) -> dict:
    """The registry with history, and the class to claim for; returns the ids the timing needs."""
    from django.db import connection, transaction

    from accounts.roles import Role
    from accounts.tests.factories import UserFactory
    from programs.models import (
        CertificateType, Institution, Occupation, Programme, SkillLevel, TrainingClass, TrainingType, Unit,
    )
    from programs.tests.factories import credit_code
    from subsidies.models import ClaimLine, SubsidyClaim
    from trainees.models import Certificate, Enrolment, TargetGroup, Trainee

    rng = random.Random(seed)
    writer = Writer(connection)
    now = datetime.datetime(2019, 1, 1, 8, 0, 0)
    unit = Unit.objects.get(name="区人力社保局")
    institutions = [
        Institution.objects.create(name=f"綦江区第{n}职业技能培训学校（基准）", credit_code=credit_code(900000 + n))
        for n in range(1, 9)
    ]
    cert_type = CertificateType.objects.get(code="skill-level")
    training_type = TrainingType.objects.get(code="employment-skills")
    levels = {level.code: level for level in SkillLevel.objects.all()}
    occupations = {o.name: o for o in Occupation.objects.all()}
    programmes = [
        Programme.objects.create(
            occupation=occupations[occupation], level=levels[level], training_type=training_type, hours=80,
            certificate_type=cert_type, unit=unit, valid_from_year=2019, valid_to_year=2021,
        )
        for occupation, level in HISTORY_PROGRAMMES
    ]
    groups = {g.code: g.pk for g in TargetGroup.objects.all()}
    t0 = time.perf_counter()

    with transaction.atomic():
        # Trainees (ids 1..registry), 1% sharing a mobile number with someone else.
        def trainees():
            distinct = max(registry - registry // 100, 1)
            for i in range(registry):
                number, birth, sex = id_number(i)
                name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[(i // 131) % len(GIVEN)]
                linked = i % 20 != 0
                yield (i + 1, number, name, sex, birth, f"139{i % distinct:08d}", "agricultural",
                       "重庆市綦江区古南街道" if linked else "四川省成都市", "重庆市綦江区古南街道" if linked else "四川省成都市",
                       i % 3 == 0, "junior", "unemployed", i % 97 == 0, None, now, now)

        trainee_columns = [f.column for f in Trainee._meta.concrete_fields]
        writer.write(Trainee, trainee_columns, trainees())
        writer.reset_sequence(Trainee)
        through = Trainee.target_groups.through
        writer.write(
            through, ["trainee_id", "targetgroup_id"],
            ((i + 1, groups[GROUP_CODES[i % len(GROUP_CODES)]]) for i in range(registry)),
        )

        # History: classes of 50 in 2019–2021, everyone enrolled once, half of them twice.
        history_classes = max(registry // 50, 2)
        class_rows = []
        class_info = {}
        for c in range(1, history_classes + 1):
            programme = programmes[c % len(programmes)]
            start = datetime.date(2019, 1, 7) + datetime.timedelta(days=(c * 7) % 1000)
            end = start + datetime.timedelta(days=20)
            class_info[c] = (programme, end)
            class_rows.append((c, f"BENCH-{c:07d}", "基准历史培训班", programme.pk, institutions[c % 8].pk, unit.pk, start, end,
                               60, False, "finished", now))
        writer.write(TrainingClass, [f.column for f in TrainingClass._meta.concrete_fields], class_rows)
        writer.reset_sequence(TrainingClass)

        def enrolments():
            e = 0
            for t in range(1, registry + 1):
                first = (t * 7) % history_classes + 1
                for c in ((first,) if t % 2 else (first, (first + history_classes // 2) % history_classes + 1)):
                    e += 1
                    yield (e, t, c, "completed", class_info[c][1], False, now, None)

        writer.write(Enrolment, [f.column for f in Enrolment._meta.concrete_fields], enrolments())
        writer.reset_sequence(Enrolment)

        def certificates():
            for e, t, c, *_ in enrolments():
                if e % 10 < 7:
                    programme, end = class_info[c]
                    yield (e, t, cert_type.pk, programme.occupation_id, programme.level_id, f"H{e:09d}",
                           "重庆市职业技能鉴定指导中心", end + datetime.timedelta(days=10), e)

        writer.write(Certificate, [f.column for f in Certificate._meta.concrete_fields], certificates())
        writer.reset_sequence(Certificate)

        # Earlier paid training-subsidy claims on a third of the history classes.
        owner = UserFactory(username=f"bench_owner_{seed}", role=Role.BUREAU_ADMIN)
        claim_rows = [
            (c, "training", "full", c, owner.pk, None, None, "基准机构", "", False, "paid", 6, 0, 0, 0, None, "{}",
             None, None, None, None, False, True, "", now, now)
            for c in range(1, history_classes + 1) if c % 3 == 0
        ]
        writer.write(SubsidyClaim, [f.column for f in SubsidyClaim._meta.concrete_fields], claim_rows)
        writer.reset_sequence(SubsidyClaim)

        def lines():
            for e, t, c, *_ in enrolments():
                if c % 3 == 0 and e % 10 < 7:
                    yield (e, c, e, t, e, None, "1000.00", "1.00", "1000.00", True, "[]", False, "")

        writer.write(ClaimLine, [f.column for f in ClaimLine._meta.concrete_fields], lines())
        writer.reset_sequence(ClaimLine)

        # The class to claim for: --rows trainees from all over the registry, 90% certified.
        target_programme = programmes[0]  # 电焊 初级工: many already hold it
        school = institutions[0]
        target = TrainingClass.objects.create(
            code="BENCH-TARGET", name="基准申领培训班", programme=target_programme, institution=school, unit=unit,
            start_date=datetime.date(2020, 6, 1), end_date=datetime.date(2020, 6, 30), capacity=rows, status="finished",
        )
        chosen = rng.sample(range(1, registry + 1), rows)
        base = Enrolment.objects.order_by("-id").values_list("id", flat=True).first() + 1
        writer.write(
            Enrolment, [f.column for f in Enrolment._meta.concrete_fields],
            ((base + k, t, target.pk, "completed", target.end_date, False, now, None) for k, t in enumerate(chosen)),
        )
        writer.reset_sequence(Enrolment)
        cert_base = Certificate.objects.order_by("-id").values_list("id", flat=True).first() + 1
        writer.write(
            Certificate, [f.column for f in Certificate._meta.concrete_fields],
            ((cert_base + k, t, cert_type.pk, target_programme.occupation_id, target_programme.level_id, f"T{k:09d}",
              "重庆市职业技能鉴定指导中心", datetime.date(2020, 7, 5), base + k)
             for k, t in enumerate(chosen) if k % 10 != 9),
        )
        writer.reset_sequence(Certificate)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    applicant = UserFactory(username=f"bench_school_{seed}", role=Role.INSTITUTION_OPERATOR, institution=school)
    return {"class_id": target.pk, "applicant_id": applicant.pk, "seconds": time.perf_counter() - t0}


# ---------------------------------------------------------------- timing


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qijiang_training.settings")
    import django

    django.setup()


def prepare(args, url: str, vendor: str) -> dict:
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    reused = False
    if vendor == "postgresql":
        reused = ensure_postgres_database(url, args.fresh)
    else:
        path = Path(url.removeprefix("sqlite:///"))
        if args.fresh and path.exists():
            path.unlink()
        reused = path.exists()
    setup_django(url)
    if reused:
        with connection.cursor() as cursor:
            try:
                cursor.execute("SELECT registry, lines, class_id, applicant_id FROM bench_claim_rules_meta")
                row = cursor.fetchone()
            except Exception:  # noqa: BLE001 - a half-built database is rebuilt
                row = None
        if row and row[0] == args.registry and row[1] == args.rows:
            return {"class_id": row[2], "applicant_id": row[3], "seconds": 0.0, "reused": True}
        if vendor == "postgresql":
            connection.close()
            ensure_postgres_database(url, fresh=True)
        else:
            connection.close()
            Path(url.removeprefix("sqlite:///")).unlink()
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", stdout=StringIO())
    info = generate(registry=args.registry, rows=args.rows)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_claim_rules_meta (registry integer, lines integer, class_id integer, applicant_id integer)")
        cursor.execute(
            "INSERT INTO bench_claim_rules_meta VALUES (%s, %s, %s, %s)",
            [args.registry, args.rows, info["class_id"], info["applicant_id"]],
        )
    info["reused"] = False
    return info


def rules_once(class_id: int) -> int:
    from subsidies import policy, selectors

    bundle = selectors.claim_facts_load(class_id=class_id, subsidy_type="training")
    return len(policy.evaluate_lines(bundle.claim, bundle.lines))


def summary(label: str, times: list[float], lines: int, baseline: float | None = None) -> str:
    median = statistics.median(times)
    text = (f"{label:<34} median {median * 1000:9.1f} ms  min {min(times) * 1000:9.1f}  max {max(times) * 1000:9.1f}"
            f"  → {lines / median:10,.0f} lines/s")
    if baseline:
        text += f"  ratio {median / baseline:5.2f}× baseline"
    return text


def run(args) -> None:
    url, vendor = bench_database_url(args)
    info = prepare(args, url, vendor)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from subsidies import services
    from subsidies.models import SubsidyClaim

    print(f"database: {vendor} ({connection.settings_dict['NAME']}), registry {args.registry:,} trainees, "
          f"claim of {args.rows:,} lines" + (" (data reused)" if info["reused"] else f" (generated in {info['seconds']:.1f} s)"))
    class_id = info["class_id"]
    applicant = User.objects.get(pk=info["applicant_id"])
    claim = SubsidyClaim.objects.filter(training_class_id=class_id).first()
    if claim is None:
        claim = services.claim_create(
            training_class=claim_class(class_id), subsidy_type="training", actor=applicant
        )

    applicant.has_perm("subsidies.submit_claim")  # load the permission cache outside the counts
    with CaptureQueriesContext(connection) as captured:
        lines = rules_once(class_id)
    statements = [q["sql"] for q in captured.captured_queries]
    with CaptureQueriesContext(connection) as captured_service:
        services.claim_evaluate(claim=claim, actor=applicant)
    claim.refresh_from_db()
    small_claim = small_class_claim(class_id, max(args.rows // 10, 1), applicant)
    with CaptureQueriesContext(connection) as captured_small:
        rules_once(small_claim.training_class_id)
    with CaptureQueriesContext(connection) as captured_small_service:
        services.claim_evaluate(claim=small_claim, actor=applicant)

    def baseline_once() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    def service_once() -> None:
        services.claim_evaluate(claim=claim, actor=applicant)

    timings = {"rules": [], "baseline": [], "service": []}
    for round_no in range(args.rounds + 1):
        for name, fn in (("baseline", baseline_once), ("rules", lambda: rules_once(class_id)), ("service", service_once)):
            start = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - start
            if round_no:  # round 0 is the warm-up
                timings[name].append(elapsed)
    base = statistics.median(timings["baseline"])
    print(f"lines evaluated: {lines:,}; eligible {claim.eligible_count:,}, total {claim.total:,.2f} yuan; "
          f"{args.rounds} rounds after a warm-up")
    print(summary("baseline: the same SQL, raw cursor", timings["baseline"], lines))
    print(summary("rules: facts + evaluate_lines", timings["rules"], lines, base))
    print(summary("service: claim_evaluate (writes)", timings["service"], lines, base))
    print(f"queries for {lines:,} lines: rules {len(statements)}, service {len(captured_service.captured_queries)}; "
          f"for {small_claim.line_count:,} lines: rules {len(captured_small.captured_queries)}, "
          f"service {len(captured_small_service.captured_queries)}")
    peak = subprocess.run(
        [sys.executable, __file__, "--child-memory", str(class_id), "--registry", str(args.registry), "--rows", str(args.rows)],
        env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True, check=True,
    ).stdout.strip()
    print(f"peak memory of one evaluation in a separate process: {peak} MB (ru_maxrss)")


def small_class_claim(class_id: int, size: int, applicant):
    """A claim of a tenth of the lines, to show the number of queries does not depend on the lines."""
    from programs.models import TrainingClass
    from subsidies import services
    from subsidies.models import SubsidyClaim
    from trainees.models import Enrolment

    big = TrainingClass.objects.get(pk=class_id)
    small, created = TrainingClass.objects.get_or_create(
        code="BENCH-SMALL",
        defaults={"name": "基准小型申领培训班", "programme": big.programme, "institution": big.institution, "unit": big.unit,
                  "start_date": big.start_date, "end_date": big.end_date, "capacity": size, "status": "finished"},
    )
    if created:
        trainees = Enrolment.objects.filter(training_class=big).order_by("id").values_list("trainee_id", flat=True)[:size]
        Enrolment.objects.bulk_create(
            [Enrolment(trainee_id=t, training_class=small, status="completed", completion_date=small.end_date)
             for t in trainees]
        )
    claim = SubsidyClaim.objects.filter(training_class=small).first()
    return claim or services.claim_create(training_class=small, subsidy_type="training", actor=applicant)


def claim_class(class_id: int):
    from programs.models import TrainingClass

    return TrainingClass.objects.get(pk=class_id)


def child_memory(class_id: int) -> None:
    setup_django(os.environ["DATABASE_URL"])
    rules_once(class_id)
    print(f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=500, help="lines in the claim (5000 for the figures that count)")
    parser.add_argument("--registry", type=int, default=20_000, help="trainees in the registry (1000000 for the full size)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds after one warm-up (at least 5)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the bench database even if it has this size")
    parser.add_argument("--child-memory", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory:
        child_memory(args.child_memory)
        return
    args.rounds = max(args.rounds, 5)
    args.rows = min(args.rows, args.registry)
    run(args)


if __name__ == "__main__":
    main()
