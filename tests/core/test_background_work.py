"""No background work lost: with the broker down, every row that waits for a task is saved, the
user sees no error, and once the broker is back the periodic sweeps find each row and its work is
done once.

The rows: an issued quote's PDF, an uploaded quote's check, an ASP export, a proof file's virus
scan, a referencing certificate, and the e-mails of all those moves (the outbox). Two versions:
- eager (SQLite or PostgreSQL, no worker): enqueueing fails (a broker address where nothing
  listens), then tasks run in-process again and the sweeps do the work;
- `worker` (PostgreSQL, `.ci/run`): a real Redis started for the test is stopped, the work is
  done, Redis is restarted, and a real Celery worker process does what the sweeps queue.

The scanner is a fake clamd on a local port that counts the files it scans; e-mails are files of
tests/notifications/mailbox.py, one per message actually sent.
"""

import os
import shutil
import socket
import socketserver
import struct
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from segur_funding.core import clock
from segur_funding.core.errors import DomainError
from segur_funding.core.tasks import LOST_AFTER
from segur_funding.funding.models import ExportJob, ExportStatus
from segur_funding.notifications.constants import NotificationKind, NotificationStatus
from segur_funding.notifications.models import Notification
from segur_funding.quotes.models import CheckStatus, Quote, QuoteEventKind
from segur_funding.referencing.constants import ScanStatus
from segur_funding.referencing.models import Dossier, ProofFile

# --- Test doubles: a clamd that counts, a mailbox that counts ------------------------------------


class FakeClamd(socketserver.ThreadingTCPServer):
    """Answers clamd's INSTREAM protocol with "OK" and counts the files it scanned."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ClamdHandler)
        self.scans = 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class _ClamdHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        if self.rfile.read(10) != b"zINSTREAM\0":
            return
        while (size := struct.unpack("!L", self.rfile.read(4))[0]) != 0:
            self.rfile.read(size)
        with self.server.lock:
            self.server.scans += 1
        self.wfile.write(b"stream: OK\0")


@pytest.fixture
def clamd():
    server = FakeClamd()
    yield server
    server.close()


@pytest.fixture
def mailbox(tmp_path, settings, monkeypatch):
    box = tmp_path / "mailbox"
    box.mkdir()
    monkeypatch.setenv("SEGUR_TEST_MAILBOX", str(box))
    settings.EMAIL_BACKEND = "tests.notifications.mailbox.DirectoryMailBackend"
    return box


@pytest.fixture
def private_media(tmp_path, settings):
    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_MEDIA_ROOT = root
    return root


def deliveries(mailbox: Path) -> Counter:
    return Counter(int(path.name.split("-")[1]) for path in mailbox.glob("sent-*.eml"))


def wait_for(predicate, *, timeout: float = 60, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"Délai dépassé en attendant : {what}")


# --- The work left waiting while the broker is down ----------------------------------------------


@dataclass
class Waiting:
    quote_id: int
    uploaded_id: int
    export_id: int
    scanned_dossier_id: int
    file_ids: list[int]
    certified_dossier_id: int


def _referencing_people():
    from segur_funding.organizations.constants import ANS_REVIEWERS_GROUP
    from segur_funding.organizations.services import reviewer_groups_setup
    from tests.referencing.factories import (
        DsrFactory,
        EditorFactory,
        RequirementFactory,
        UserFactory,
        member,
    )

    groups = reviewer_groups_setup()
    ans = UserFactory(email="ans@background.test", is_staff=True)
    ans.groups.add(groups[ANS_REVIEWERS_GROUP])
    editor = EditorFactory(name="Biologiciel Test")
    editor_user = member(editor, email="editeur@background.test")
    dsr = DsrFactory(code="TST-V1", software="Système de test")
    RequirementFactory(dsr=dsr, reference="EX-01", title="Identité patient", position=1)
    RequirementFactory(dsr=dsr, reference="EX-02", title="Compte rendu structuré", position=2)
    return ans, editor, editor_user, dsr


def _dossier_with_proofs_sent(*, ans, editor, editor_user, dsr) -> Dossier:
    from segur_funding.referencing import services
    from tests.referencing.factories import SolutionVersionFactory, pdf

    dossier = services.dossier_create(
        user=editor_user,
        solution_version=SolutionVersionFactory(solution__editor=editor),
        dsr=dsr,
        contact_name="Élise Martin",
        contact_email="elise@background.test",
        honour_declaration=True,
    )
    services.candidature_submit(user=editor_user, dossier=dossier)
    services.eligibility_decide(user=ans, dossier=dossier, eligible=True)
    services.proofs_start(user=editor_user, dossier=dossier)
    for proof in dossier.proofs.all():
        services.proof_file_upload(user=editor_user, proof=proof, upload=pdf())
    # Files still waiting for their scan do not hold back the submission.
    services.proofs_submit(user=editor_user, dossier=dossier)
    services.review_start(user=ans, dossier=dossier)
    return dossier


def leave_work_waiting(settings, clamd) -> Waiting:
    """Each kind of background work, started through the real services."""
    from segur_funding.funding import services as funding_services
    from segur_funding.quotes import services as quote_services
    from segur_funding.referencing import services as referencing_services
    from tests.funding.factories import Scenario, asp_user

    scenario = Scenario()
    quote = scenario.issued()
    uploaded = quote_services.quote_upload(
        user=scenario.lab_user,
        client=scenario.lab,
        file=SimpleUploadedFile(
            "devis.pdf", quote_services.quote_pdf_bytes(quote), content_type="application/pdf"
        ),
        editor_name="Autre éditeur",
    )
    export = funding_services.export_job_create(user=asp_user(), request_ids=[], file_format="csv")

    ans, editor, editor_user, dsr = _referencing_people()
    # A dossier whose files were stored when no scanner was configured: it can be granted now.
    settings.SEGUR_CLAMD_SOCKET = None
    certified = _dossier_with_proofs_sent(ans=ans, editor=editor, editor_user=editor_user, dsr=dsr)
    referencing_services.proofs_accept_submitted(user=ans, dossier=certified)
    referencing_services.referencing_grant(user=ans, dossier=certified)
    # A dossier whose files wait for the scanner: ANS may not accept them yet.
    settings.SEGUR_CLAMD_SOCKET = clamd.address
    scanned = _dossier_with_proofs_sent(ans=ans, editor=editor, editor_user=editor_user, dsr=dsr)
    with pytest.raises(DomainError, match="analyse antivirus en cours"):
        referencing_services.proofs_accept_submitted(user=ans, dossier=scanned)
    return Waiting(
        quote_id=quote.pk,
        uploaded_id=uploaded.pk,
        export_id=export.pk,
        scanned_dossier_id=scanned.pk,
        file_ids=list(
            ProofFile.objects.filter(proof__dossier=scanned).values_list("pk", flat=True)
        ),
        certified_dossier_id=certified.pk,
    )


def assert_nothing_done_yet(w: Waiting, mailbox: Path, clamd: FakeClamd) -> None:
    assert not Quote.objects.get(pk=w.quote_id).pdf
    assert Quote.objects.get(pk=w.uploaded_id).check_status == CheckStatus.PENDING
    assert ExportJob.objects.get(pk=w.export_id).status == ExportStatus.PENDING
    assert set(ProofFile.objects.filter(pk__in=w.file_ids).values_list("scan_status", flat=True)) == {
        ScanStatus.PENDING
    }
    assert not Dossier.objects.get(pk=w.certified_dossier_id).certificate
    assert Notification.objects.filter(status=NotificationStatus.PENDING).count() > 5
    assert deliveries(mailbox) == Counter()
    assert clamd.scans == 0


def run_sweeps_too_early() -> int:
    """Before LOST_AFTER a waiting row may simply be queued behind others: left alone."""
    from segur_funding.funding.tasks import requeue_lost_work as funding_sweep
    from segur_funding.quotes.tasks import requeue_lost_work as quotes_sweep
    from segur_funding.referencing.tasks import requeue_lost_work as referencing_sweep

    return quotes_sweep() + funding_sweep() + referencing_sweep()


def run_sweeps() -> int:
    """What beat runs every few minutes, here once the waiting rows are older than LOST_AFTER."""
    from segur_funding.funding.tasks import requeue_lost_work as funding_sweep
    from segur_funding.notifications.services import notifications_requeue_stuck
    from segur_funding.quotes.tasks import requeue_lost_work as quotes_sweep
    from segur_funding.referencing.tasks import requeue_lost_work as referencing_sweep

    with clock.travel_to(clock.now() + LOST_AFTER + timedelta(seconds=1)):
        return quotes_sweep() + funding_sweep() + referencing_sweep() + notifications_requeue_stuck()


def all_done(w: Waiting) -> bool:
    return (
        bool(Quote.objects.get(pk=w.quote_id).pdf)
        and Quote.objects.get(pk=w.uploaded_id).check_status == CheckStatus.DONE
        and ExportJob.objects.get(pk=w.export_id).status == ExportStatus.DONE
        and not ProofFile.objects.filter(pk__in=w.file_ids, scan_status=ScanStatus.PENDING).exists()
        and bool(Dossier.objects.get(pk=w.certified_dossier_id).certificate)
        and not Notification.objects.filter(
            status__in=(NotificationStatus.PENDING, NotificationStatus.SENDING)
        ).exists()
    )


def assert_each_done_once(w: Waiting, mailbox: Path, clamd: FakeClamd, media: Path) -> None:
    quote = Quote.objects.get(pk=w.quote_id)
    assert quote.events.filter(kind=QuoteEventKind.PDF_RENDERED).count() == 1
    assert len(list(media.rglob("devis-*.pdf"))) == 1
    uploaded = Quote.objects.get(pk=w.uploaded_id)
    assert uploaded.verdict == quote.verdict
    assert uploaded.events.filter(kind=QuoteEventKind.CHECKED).count() == 1
    assert len(list(media.rglob("demandes-financement-*.csv"))) == 1
    assert set(ProofFile.objects.filter(pk__in=w.file_ids).values_list("scan_status", flat=True)) == {
        ScanStatus.CLEAN
    }
    assert clamd.scans == len(w.file_ids)
    assert len(list(media.rglob("attestation-*.pdf"))) == 1
    sent = list(Notification.objects.filter(status=NotificationStatus.SENT).values_list("pk", flat=True))
    assert len(sent) == Notification.objects.exclude(status=NotificationStatus.DISABLED).count()
    assert deliveries(mailbox) == Counter(dict.fromkeys(sent, 1))
    # The lab was told its uploaded quote was checked, the ASP that its export is ready: once each.
    reports = Notification.objects.filter(kind=NotificationKind.REPORT_READY)
    assert reports.filter(context__quote_id=w.uploaded_id).count() == 1
    assert reports.filter(context__export_id=w.export_id).count() == 1


def replay_every_task(w: Waiting) -> None:
    """The broker delivers every message again (acks_late after a lost connection)."""
    from segur_funding.core.tasks import enqueue

    enqueue("quotes.quote_pdf_render", w.quote_id)
    enqueue("quotes.uploaded_quote_check", w.uploaded_id)
    enqueue("funding.export_job_run", w.export_id)
    enqueue("referencing.dossier_certificate_render", w.certified_dossier_id)
    for pk in w.file_ids:
        enqueue("referencing.proof_file_scan", pk)
    for pk in Notification.objects.values_list("pk", flat=True):
        enqueue("notifications.send_notification", pk)


def ans_accepts_the_scanned_proofs(w: Waiting) -> None:
    from segur_funding.organizations.models import User
    from segur_funding.referencing import services
    from segur_funding.referencing.constants import DossierStatus

    dossier = Dossier.objects.get(pk=w.scanned_dossier_id)
    ans = User.objects.get(email="ans@background.test")
    assert services.proofs_accept_submitted(user=ans, dossier=dossier) == len(w.file_ids)
    services.referencing_grant(user=ans, dossier=dossier)
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.REFERENCED


# --- Eager version: enqueueing fails, the sweeps do the work in-process ---------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unreachable_broker():
    """Tasks go to a Redis address where nothing listens until `back()`, then run in-process."""
    from segur_funding.celery import app

    keys = ("task_always_eager", "broker_url", "broker_connection_timeout", "task_publish_retry")
    saved = {key: getattr(app.conf, key) for key in keys}

    def reset_pools() -> None:
        app._pool = None  # connections are pooled per broker URL
        app.amqp._producer_pool = None

    app.conf.task_always_eager = False
    app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    app.conf.broker_connection_timeout = 1
    app.conf.task_publish_retry = False
    reset_pools()

    class Broker:
        @staticmethod
        def back() -> None:
            app.conf.task_always_eager = True

    try:
        yield Broker
    finally:
        for key, value in saved.items():
            setattr(app.conf, key, value)
        reset_pools()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_work_queued_while_the_broker_is_unreachable_is_done_once_by_the_sweeps(
    reference_data, settings, private_media, mailbox, clamd, unreachable_broker
):
    w = leave_work_waiting(settings, clamd)
    assert_nothing_done_yet(w, mailbox, clamd)

    unreachable_broker.back()
    assert run_sweeps_too_early() == 0
    assert run_sweeps() > 0
    assert all_done(w)
    assert_each_done_once(w, mailbox, clamd, private_media)

    # A second sweep finds nothing; every task delivered again does nothing twice.
    assert run_sweeps() == 0
    replay_every_task(w)
    assert_each_done_once(w, mailbox, clamd, private_media)
    # The scanned proofs no longer hold the dossier back.
    ans_accepts_the_scanned_proofs(w)


# --- Worker version: a real Redis stopped and restarted, a real worker ---------------------------


class RedisServer:
    """A private redis-server on a free port, that the test stops and starts again."""

    def __init__(self) -> None:
        self.port = _closed_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server", "--port", str(self.port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=15, what="le démarrage de Redis")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture
def private_redis():
    if not shutil.which("redis-server"):
        pytest.fail("Le test `worker` de panne du broker demande redis-server.")
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def worker_on_private_redis(transactional_db, settings, private_redis, private_media, mailbox, clamd):
    """A real worker process on the private Redis and this test's PostgreSQL database."""
    from django.db import connection

    from segur_funding.celery import app
    from tests.conftest import CeleryWorker

    if connection.vendor != "postgresql":
        pytest.fail("Les tests `worker` demandent une base PostgreSQL (DATABASE_URL).")
    db = connection.settings_dict
    queue = f"test-background-{os.getpid()}-{time.monotonic_ns()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": private_redis.url,
        "SEGUR_TEST_CELERY_QUEUE": queue,
        "SEGUR_TEST_MAILBOX": str(mailbox),
        "SEGUR_PRIVATE_MEDIA_ROOT": str(private_media),
        "SEGUR_CLAMD_SOCKET": clamd.address,
    }
    saved = {
        key: getattr(app.conf, key)
        for key in (
            "task_always_eager", "broker_url", "result_backend", "task_default_queue",
            "broker_connection_timeout", "task_publish_retry",
        )
    }

    def reset_pools() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.task_always_eager = False
    app.conf.broker_url = private_redis.url
    app.conf.result_backend = private_redis.url
    app.conf.task_default_queue = queue
    app.conf.broker_connection_timeout = 1
    app.conf.task_publish_retry = False
    reset_pools()
    worker = CeleryWorker(env=env, queue=queue)
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        for key, value in saved.items():
            setattr(app.conf, key, value)
        reset_pools()


@pytest.mark.worker
def test_a_broker_outage_loses_no_work_with_a_real_worker(
    reference_data, settings, private_redis, worker_on_private_redis, private_media, mailbox, clamd
):
    from segur_funding.celery import app

    private_redis.stop()
    w = leave_work_waiting(settings, clamd)
    assert_nothing_done_yet(w, mailbox, clamd)

    private_redis.start()
    wait_for(
        lambda: bool(app.control.ping(destination=[worker_on_private_redis.nodename], timeout=0.5)),
        what="le retour du worker sur le broker redémarré",
    )
    assert run_sweeps() > 0
    wait_for(lambda: all_done(w), what="le travail repris par les balayages")
    assert_each_done_once(w, mailbox, clamd, private_media)

    assert run_sweeps() == 0
    replay_every_task(w)
    drain_queue(mailbox)
    assert_each_done_once(w, mailbox, clamd, private_media)
    ans_accepts_the_scanned_proofs(w)


def drain_queue(mailbox: Path) -> None:
    """The worker runs one task at a time, in order: once a fresh e-mail is sent, every task
    queued before it has been handled."""
    from django.db import transaction

    from segur_funding.notifications.services import notification_enqueue
    from tests.notifications.factories import UserFactory

    with transaction.atomic():
        [sentinel] = notification_enqueue(
            kind=NotificationKind.QUOTE_SIGNED,
            recipients=[UserFactory()],
            context={"quote_number": "D-TEMOIN", "client_name": "Laboratoire témoin"},
        )
    wait_for(lambda: deliveries(mailbox)[sentinel.pk] == 1, what="la notification témoin")
