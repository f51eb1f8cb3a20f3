"""The worker's settings: an SMTP server always, a real sender and site outside demo mode."""

import subprocess
import sys
from pathlib import Path

import pytest

from api.core.config import PROJECT_ROOT, Settings
from api.notifications.worker import DEMO_ACCOUNT_URL, DEMO_SENDER, mail_settings

SECRET = "k" * 40


def settings(**fields: object) -> Settings:
    values: dict[str, object] = {
        "secret_key": SECRET,
        "assistant_channel_key": "c" * 40,
        "assistant_service_key": "s" * 40,
        "demo": False,
    }
    values.update(fields)
    # Each test overrides some fields: mypy cannot match a dict's keys to Settings' arguments.
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_demo_mode_has_a_demo_sender_and_site() -> None:
    demo = settings(demo=True, smtp_host="127.0.0.1", smtp_port=1025, smtp_tls="none")
    mail = mail_settings(demo)
    assert (mail.server.host, mail.server.port, mail.server.tls) == ("127.0.0.1", 1025, "none")
    assert mail.letterhead.sender == DEMO_SENDER
    assert mail.letterhead.account_url == DEMO_ACCOUNT_URL


def test_production_settings() -> None:
    mail = mail_settings(
        settings(
            smtp_host="smtp.example.fr",
            smtp_username="envoi",
            smtp_password="mot-de-passe-smtp",
            smtp_sender="Assurance Maladie <ne-pas-repondre@assurance.example>",
            account_url="https://www.assurance.example",
        )
    )
    assert (mail.server.port, mail.server.tls) == (587, "starttls")
    assert mail.server.password == "mot-de-passe-smtp"
    assert "mot-de-passe-smtp" not in repr(mail.server)
    assert mail.letterhead.sender_address == "ne-pas-repondre@assurance.example"


@pytest.mark.parametrize(("tls", "port"), [("tls", 465), ("starttls", 587), ("none", 25)])
def test_default_port_follows_tls(tls: str, port: int) -> None:
    assert mail_settings(settings(demo=True, smtp_host="h", smtp_tls=tls)).server.port == port


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"demo": True}, "SMTP_HOST"),
        ({"smtp_host": "smtp.example.fr"}, "SMTP_SENDER et ACCOUNT_URL"),
        (
            {"smtp_host": "h", "smtp_sender": "sans adresse", "account_url": "https://a.example"},
            "SMTP_SENDER doit contenir une adresse",
        ),
        (
            {"demo": True, "smtp_host": "h", "smtp_tls": "none", "smtp_username": "u"},
            "SMTP_USERNAME demande SMTP_TLS",
        ),
    ],
)
def test_incomplete_settings_are_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        mail_settings(settings(**fields))


def test_the_worker_will_not_start_without_an_smtp_server(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "DEMO": "1",
        "SMTP_HOST": "",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "api.notifications.worker"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert "SMTP_HOST n'est pas réglé" in result.stderr
