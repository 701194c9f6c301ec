"""The standing test world and the switches for tests that need real services.

Under ``REQUIRE_SERVICES=1`` (the PostgreSQL + Redis run of .ci/run) a test that
would be skipped for a missing service fails instead.
"""

import os
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.roles import Role
from accounts.tests.factories import TEST_PASSWORD, UserFactory

CHROMIUM = "/usr/bin/chromium"


def skip_or_fail(reason: str) -> None:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds the reference data (plan, catalogs, groups), as `make run` does."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", stdout=StringIO())


@pytest.fixture(autouse=True)
def _plan_loaded(request):
    """Transactional tests flush the database afterwards; put the reference data back for the next one."""
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    else:
        return
    from programs.models import ActionPlan

    if not ActionPlan.objects.exists():
        call_command("load_reference_data", stdout=StringIO())


@pytest.fixture(autouse=True)
def _celery_in_process_unless_worker(request):
    """Tasks run in-process, except in tests marked ``worker`` which use the real worker."""
    from qijiang_training.celery import app

    eager = request.node.get_closest_marker("worker") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def unit_a(db):
    from programs.models import Unit

    return Unit.objects.get(name="区教委")


@pytest.fixture
def unit_b(db):
    from programs.models import Unit

    return Unit.objects.get(name="区农业农村委")


@pytest.fixture
def bureau_admin(db):
    return UserFactory(username="bureau_admin", role=Role.BUREAU_ADMIN)


@pytest.fixture
def bureau_staff(db):
    return UserFactory(username="bureau_staff", role=Role.BUREAU_STAFF)


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", role=Role.AUDITOR)


@pytest.fixture
def finance(db):
    return UserFactory(username="finance", role=Role.FINANCE)


@pytest.fixture
def operator_a(db, unit_a):
    return UserFactory(username="operator_a", role=Role.UNIT_OPERATOR, unit=unit_a)


@pytest.fixture
def operator_b(db, unit_b):
    return UserFactory(username="operator_b", role=Role.UNIT_OPERATOR, unit=unit_b)


@pytest.fixture
def no_role_user(db):
    return UserFactory(username="nobody")


@pytest.fixture
def client_for(db):
    """A test client logged in as the given user (a fresh client per call)."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        skip_or_fail("Chromium is not installed (apt-get install -y chromium fonts-wqy-microhei)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the
    # same test thread are ordinary synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir():
    from django.conf import settings

    path = settings.VAR_DIR / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` process on Redis, using the test database.

    Tests that use it need ``transactional_db`` so the worker sees committed rows.
    """
    import subprocess
    import sys
    import time

    from django.conf import settings
    from django.db import connection

    from qijiang_training.celery import app

    if not settings.REDIS_URL:
        skip_or_fail("REDIS_URL is not set, so there is no broker for a worker")
    if connection.vendor != "postgresql":
        skip_or_fail("a worker process cannot share the in-memory SQLite test database")
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    queue = f"test-{os.getpid()}"
    app.conf.task_default_queue = queue
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": settings.REDIS_URL}
    hostname = f"{queue}@localhost"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "qijiang_training", "worker", "-P", "solo", "-Q", queue,
         "-n", hostname, "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        cwd=settings.BASE_DIR,
    )
    try:
        deadline = time.monotonic() + 90
        while not app.control.ping(destination=[hostname], timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Celery worker did not start:\n{log.read_text()}")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        app.conf.task_default_queue = "celery"
