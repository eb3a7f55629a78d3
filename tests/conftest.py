from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def reference_data(db):
    """The published reference data (the seven DSRs, SGL and LOINC barèmes and windows)."""
    from segur_funding.referential.services import reference_data_load

    for path in sorted((ROOT / "fixtures" / "reference").glob("*.json")):
        reference_data_load(path=path)


@pytest.fixture
def celery_worker_process(transactional_db, settings):
    """A real Celery worker process on Redis, sharing this test's database.

    Only for tests marked `worker` (run by `.ci/run`, where REDIS_URL and a PostgreSQL
    DATABASE_URL are set). Tasks are sent to the broker instead of running eagerly while the
    fixture is active.
    """
    import os
    import subprocess
    import sys
    import time

    from django.db import connection

    from segur_funding.celery import app

    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.fail("Les tests `worker` demandent REDIS_URL et une base PostgreSQL (DATABASE_URL).")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "segur_funding.settings.worker_test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "segur_funding", "worker",
            "--pool", "solo", "-Q", queue, "-l", "warning", "--without-heartbeat",
            "--without-gossip", "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
    )
    app.conf.task_always_eager = False
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            replies = app.control.ping(timeout=0.5, destination=None) or []
            if any(replies):
                break
        else:
            pytest.fail("Le worker Celery n'a pas démarré en 30 s.")
        yield proc
    finally:
        app.conf.task_always_eager = True
        app.conf.task_default_queue = previous_queue
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
