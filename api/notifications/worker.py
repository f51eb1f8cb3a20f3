"""The outbox worker: sends the emails that are due, retries the others, loses none.

    python -m api.notifications.worker

Each email is leased in its own transaction, handed to the SMTP server, then marked sent or
failed in another. A worker that dies mid-send leaves a lease that runs out, and the email is
taken again (with the same Message-ID, so a receiver can tell a duplicate).
"""

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from api.core.config import Settings, get_settings
from api.core.db import begin_write, make_engine, make_sessionmaker, utcnow
from api.notifications import service
from api.notifications.message import Letterhead, build_payment_notice
from api.notifications.models import NotificationState
from api.notifications.smtp import DEFAULT_PORTS, DeliveryError, Mailer, SmtpServer

log = logging.getLogger("api.notifications")

DEMO_SENDER = "Assurance Maladie (démonstration) <ne-pas-repondre@assurance-maladie.example>"
DEMO_ACCOUNT_URL = "http://127.0.0.1:8000"
BATCH_SIZE = 20
# A batch stops taking new emails after this long, well within a lease.
BATCH_SECONDS = 60.0
POLL_SECONDS = 5.0
SERVER_DOWN_PAUSE_SECONDS = 30.0


@dataclass(frozen=True)
class MailSettings:
    server: SmtpServer
    letterhead: Letterhead


def mail_settings(settings: Settings) -> MailSettings:
    """What the worker needs from the settings; ValueError (in French) if something is missing."""
    if not settings.smtp_host:
        raise ValueError(
            "SMTP_HOST n'est pas réglé (sans lui, `make run` envoie vers un serveur local)."
        )
    sender = settings.smtp_sender or (DEMO_SENDER if settings.demo else None)
    account_url = settings.account_url or (DEMO_ACCOUNT_URL if settings.demo else None)
    if sender is None or account_url is None:
        raise ValueError("SMTP_SENDER et ACCOUNT_URL doivent être réglés hors démonstration.")
    if "@" not in parseaddr(sender)[1]:
        raise ValueError("SMTP_SENDER doit contenir une adresse (Nom <adresse@domaine>).")
    if settings.smtp_username and settings.smtp_tls == "none":
        raise ValueError(
            "SMTP_USERNAME demande SMTP_TLS=starttls ou tls : le mot de passe ne circule pas "
            "en clair."
        )
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return MailSettings(
        server=SmtpServer(
            host=settings.smtp_host,
            port=settings.smtp_port or DEFAULT_PORTS[settings.smtp_tls],
            tls=settings.smtp_tls,
            username=settings.smtp_username,
            password=password,
        ),
        letterhead=Letterhead(sender=sender, account_url=account_url),
    )


@dataclass
class RunReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    # More may be due now (a full batch); the SMTP server is unusable for the moment.
    more: bool = False
    server_down: bool = False


def run_once(
    *,
    sessionmaker: sessionmaker[Session],
    mail: MailSettings,
    now: datetime,
    batch_size: int = BATCH_SIZE,
    should_stop: Callable[[], bool] = lambda: False,
) -> RunReport:
    """Send what is due at `now`, one email at a time, over one SMTP connection."""
    report = RunReport()
    started = time.monotonic()
    with Mailer(mail.server) as mailer:
        for _ in range(batch_size):
            if should_stop() or time.monotonic() - started > BATCH_SECONDS:
                report.more = True
                return report
            with sessionmaker() as session:
                begin_write(session)
                lease = service.claim_next(session=session, now=now)
                session.commit()
            if lease is None:
                return report
            _deliver(sessionmaker, mailer, mail.letterhead, lease, now, report)
            if report.server_down:
                return report
        report.more = True
    return report


def _attempt(
    mailer: Mailer, letterhead: Letterhead, lease: service.Lease, now: datetime
) -> DeliveryError | None:
    """Render the email and hand it over; why it was not taken, if it was not."""
    try:
        message = build_payment_notice(lease=lease, letterhead=letterhead, now=now)
    except ValueError:  # an address that cannot go in a header (a line break in it)
        return DeliveryError("Adresse du destinataire invalide.", permanent=True)
    try:
        mailer.send(message, sender=letterhead.sender_address, recipient=lease.to_address)
    except DeliveryError as error:
        return error
    return None


def _deliver(
    sessionmaker: sessionmaker[Session],
    mailer: Mailer,
    letterhead: Letterhead,
    lease: service.Lease,
    now: datetime,
    report: RunReport,
) -> None:
    try:
        failure = _attempt(mailer, letterhead, lease, now)
    except Exception as error:  # a bug must not hold the email forever: retried, then failed
        log.exception("notification %d: unexpected error", lease.notification_id)
        failure = DeliveryError(f"Erreur interne : {type(error).__name__}")
    with sessionmaker() as session:
        begin_write(session)
        if failure is None:
            settled = service.mark_sent(session=session, lease=lease, now=now)
            report.sent += settled
            outcome = "sent"
        else:
            state = service.mark_failed(
                session=session,
                lease=lease,
                now=now,
                reason=failure.reason,
                permanent=failure.permanent,
                server_down=failure.server_down,
            )
            settled = state is not None
            report.server_down = failure.server_down
            if state is NotificationState.FAILED:
                report.failed += 1
            elif state is NotificationState.QUEUED:
                report.retried += 1
            outcome = f"{state} ({failure.reason})"
        session.commit()
    if settled:
        log.info("notification %d attempt %d: %s", lease.notification_id, lease.attempt, outcome)
    else:
        log.warning("notification %d: lease lost before it was settled", lease.notification_id)


def main() -> int:
    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    try:
        mail = mail_settings(settings)
    except ValueError as error:
        print(f"L'envoi des courriels ne peut pas démarrer : {error}", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    log.info("outbox worker started, SMTP server %r", mail.server)
    while not stop.is_set():
        try:
            report = run_once(
                sessionmaker=factory, mail=mail, now=utcnow(), should_stop=stop.is_set
            )
        except SQLAlchemyError as error:
            log.warning("database unavailable (%s), retrying", type(error).__name__)
            stop.wait(SERVER_DOWN_PAUSE_SECONDS)
            continue
        if report.server_down:
            stop.wait(SERVER_DOWN_PAUSE_SECONDS)
        elif not report.more:
            stop.wait(POLL_SECONDS)
    engine.dispose()
    log.info("outbox worker stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
