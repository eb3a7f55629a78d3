from pathlib import Path

import pytest

# Fixtures shared across packages: the browser, and a local OpenID Connect provider.
pytest_plugins = ["tests.browser_support", "tests.organizations.oidc_provider"]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _force_login_gives_the_second_factor(monkeypatch):
    """`client.force_login(reviewer)` stands for a whole sign-in, the second factor included (a
    TOTP device is enrolled if the reviewer has none): the admin asks staff for it
    (organizations/two_factor.py). Tests of the second factor itself sign in through the forms."""
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if user.is_staff or user.is_superuser:
            second_factor_passed(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


def second_factor_passed(client, user) -> None:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def reference_data(db):
    """The published reference data (the seven DSRs, SGL and LOINC barèmes and windows)."""
    from segur_funding.referential.services import reference_data_load

    for path in sorted((ROOT / "fixtures" / "reference").glob("*.json")):
        reference_data_load(path=path)


@pytest.fixture
def migration_rolled_back(reference_data):
    """The database as `manage.py migrate referential 0003` leaves it: the condition wordings'
    tables (migration 0004, read by every quote check) gone and the migration recorded as not
    applied. The test's transaction puts both back."""
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    from segur_funding.referential.models import ConditionWording

    with connection.cursor() as cursor:
        for model in (ConditionWording.history.model, ConditionWording):
            cursor.execute(f"DROP TABLE {connection.ops.quote_name(model._meta.db_table)}")
    MigrationRecorder(connection).record_unapplied("referential", "0004_condition_wordings")


class CeleryWorker:
    """A real `celery worker` process consuming one private queue; can be killed and restarted.

    Each start gets a fresh node name so that readiness is checked by pinging this very process,
    never another test's worker on the same Redis.
    """

    def __init__(self, *, env: dict[str, str], queue: str) -> None:
        self.env = env
        self.queue = queue
        self.proc = None
        self._starts = 0

    @property
    def nodename(self) -> str:
        return f"{self.queue}-{self._starts}@segur-test"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def start(self, timeout: float = 30) -> None:
        import subprocess
        import sys
        import time

        from segur_funding.celery import app

        self._starts += 1
        self.proc = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "segur_funding", "worker",
                "--pool", "solo", "-Q", self.queue, "-n", self.nodename, "-l", "warning",
                "--without-heartbeat", "--without-gossip", "--without-mingle",
            ],
            cwd=ROOT,
            env=self.env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"Le worker Celery s'est arrêté au démarrage (code {self.proc.returncode}).")
            if app.control.ping(destination=[self.nodename], timeout=0.5):
                return
        pytest.fail(f"Le worker Celery n'a pas démarré en {timeout:.0f} s.")

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, exactly like a lost machine."""
        import signal

        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=15)

    def restart(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.stop()
        self.start()

    def stop(self) -> None:
        import subprocess

        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)

    # Popen-like shortcuts, for tests written against the bare process.
    def poll(self) -> int | None:
        return self.proc.poll()

    def terminate(self) -> None:
        self.stop()


@pytest.fixture
def celery_worker_env() -> dict[str, str]:
    """Extra environment for the worker process; override it in a test module or conftest
    (e.g. another DJANGO_SETTINGS_MODULE with a test mail backend)."""
    return {}


@pytest.fixture
def celery_worker_process(transactional_db, settings, celery_worker_env):
    """A real Celery worker process on Redis, sharing this test's database.

    Only for tests marked `worker` (run by `.ci/run`, where REDIS_URL and a PostgreSQL
    DATABASE_URL are set). Tasks are sent to the broker instead of running eagerly while the
    fixture is active. Yields a `CeleryWorker` (`.kill()`, `.restart()`, `.proc`).
    """
    import os
    import time

    from django.db import connection

    from segur_funding.celery import app

    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.fail("Les tests `worker` demandent REDIS_URL et une base PostgreSQL (DATABASE_URL).")
    db = connection.settings_dict
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "segur_funding.settings.worker_test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        # Tasks the worker itself queues (retries keep their queue; new tasks would not).
        "SEGUR_TEST_CELERY_QUEUE": queue,
        **celery_worker_env,
    }
    worker = CeleryWorker(env=env, queue=queue)
    app.conf.task_always_eager = False
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        worker.start()
        yield worker
    finally:
        app.conf.task_always_eager = True
        app.conf.task_default_queue = previous_queue
        worker.stop()
