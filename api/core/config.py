"""Settings of the API, read once from the environment (and an optional `.env` file)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from contract import tokens as token_contract
from contract.calendar import HISTORY_MONTHS, TIMEZONE

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Known to everyone who reads this repository: accepted only when DEMO=1.
DEMO_SECRET_KEY = "demo-secret-key-not-for-production-use-0000"  # noqa: S105 - public by design
MIN_SECRET_KEY_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'app.db'}"
    secret_key: SecretStr | None = None
    demo: bool = False

    access_token_minutes: int = Field(default=30, ge=1, le=24 * 60)
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    # How far back the payments page goes (contract.calendar): the assistant refuses older
    # dates of care by the contract's value, so change it there, not here alone.
    claim_history_months: int = Field(default=HISTORY_MONTHS, ge=1)
    claim_match_max_days_off: int = Field(default=7, ge=0, le=31)
    timezone: str = TIMEZONE
    log_level: str = "INFO"
    # Web pages: the signed session cookie ends after this much inactivity.
    session_minutes: int = Field(default=120, ge=5, le=24 * 60)
    # The assistant (Rasa) as the browser reaches it: the account pages' chat widget connects
    # there (socket.io), and the pages' CSP allows it and nothing else.
    assistant_url: str = Field(default="http://127.0.0.1:5005", pattern=r"^https?://[^/\s]+$")
    # Send the session cookie over HTTPS only (true behind TLS; false for http://127.0.0.1).
    cookie_secure: bool = False

    # Payment notices. The worker needs SMTP_HOST (`make run` points it at a local sink when
    # unset); SMTP_SENDER and ACCOUNT_URL have demo values only when DEMO=1.
    smtp_host: str | None = None
    smtp_port: int | None = Field(default=None, ge=1, le=65535)  # unset: 587, 465 or 25
    smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_sender: str | None = None
    # The site people are told to open by themselves (the emails carry no link).
    account_url: str | None = None
    # Reimbursements within this many days of an email share the next one; 0: one per payment.
    notify_window_days: int = Field(default=15, ge=0, le=365)

    # The trainers' workbench. The assistant's folder holds data/, domain.yml, config.yml and
    # tests/nlu_test.yml; Rasa's command line comes from the bot environment.
    assistant_dir: Path = PROJECT_ROOT
    rasa_bin: Path = PROJECT_ROOT / ".venv-bot" / "bin" / "rasa"
    models_dir: Path = PROJECT_ROOT / "models"
    # Training logs, evaluations and staging copies of the data files.
    training_dir: Path = PROJECT_ROOT / "var" / "training"
    # The model served before any trainer activated one (what `make train` builds).
    base_model: Path = PROJECT_ROOT / "models" / "vigilance.tar.gz"
    # The running Rasa server's HTTP API (`--enable-api --auth-token`).
    rasa_url: str = Field(default="http://127.0.0.1:5005", pattern=r"^https?://[^/\s]+$")
    rasa_auth_token: SecretStr | None = None
    # Rasa's SQL tracker store, the same URL its endpoints.yml reads (TRACKER_STORE_URL).
    tracker_store_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"

    # --- Retention of personal data (issue 14: api/retention/, README « Conservation ») ---
    # After a report's last event, its personal data is erased (SignalConso's 5 years).
    report_retention_days: int = 1826
    # After a conversation's last event, it leaves Rasa's tracker store.
    conversation_retention_days: int = 180
    # After an email was sent, failed for good or was cancelled, its outbox row is deleted.
    notification_retention_days: int = 90
    # Per category and per run; what is left waits for the next run.
    retention_max_per_run: int = 5000
    # The retention worker's pause between two runs.
    retention_interval_hours: int = 24
    # Security events (sign-in locks, sessions ended, passwords changed) serve investigations.
    security_event_retention_days: int = 365

    @model_validator(mode="after")
    def _refuse_absurd_retention(self) -> Self:
        """A policy that would erase too early, or keep for ever, stops the process at start."""
        bounds = (
            ("REPORT_RETENTION_DAYS", 365, 3653, "au moins un an après la dernière activité"),
            ("CONVERSATION_RETENTION_DAYS", 7, 1095, "quelques mois : de 7 jours à 3 ans"),
            ("NOTIFICATION_RETENTION_DAYS", 1, 3653, "en jours, au plus 10 ans"),
            ("RETENTION_MAX_PER_RUN", 1, 1_000_000, "lignes par catégorie et par passage"),
            ("RETENTION_INTERVAL_HOURS", 1, 24 * 7, "en heures, au plus une semaine"),
            ("SECURITY_EVENT_RETENTION_DAYS", 30, 3653, "de 30 jours à 10 ans"),
        )
        for name, low, high, why in bounds:
            value = getattr(self, name.lower())
            if not low <= value <= high:
                raise ValueError(f"{name}={value} est hors des bornes {low} à {high} ({why}).")
        if self.conversation_retention_days > self.report_retention_days:
            raise ValueError(
                "CONVERSATION_RETENTION_DAYS ne peut pas dépasser REPORT_RETENTION_DAYS : ce "
                "qu'un signalement tire d'une conversation est déjà recopié dans le signalement."
            )
        if self.notification_retention_days <= self.notify_window_days:
            raise ValueError(
                "NOTIFICATION_RETENTION_DAYS doit dépasser NOTIFY_WINDOW_DAYS : le dernier "
                "courriel envoyé fixe la date du suivant."
            )
        return self

    # --- end of retention ---

    # Reports by one policyholder about one provider (the claim's, else the name as typed):
    # at most this many in any 24 hours, and in any 7 days (SignalConso refuses the 3rd in a
    # day and the 5th in a week).
    report_daily_limit: int = Field(default=2, ge=1, le=1000)
    report_weekly_limit: int = Field(default=4, ge=1, le=1000)

    # --- The event stream (issue 13): Rasa's Pika broker → RabbitMQ → api.events.consumer.
    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    # The durable queue the consumer reads (listed in the broker's `queues` in endpoints.yml).
    event_queue: str = Field(default="vigilance_events", min_length=1, max_length=200)
    # Rasa's fanout exchange (the broker's `exchange_name`; Rasa's default).
    event_exchange: str = Field(default="rasa-exchange", min_length=1, max_length=200)
    # Where the trainers' inbox reads user messages: Rasa's tracker store, or the events the
    # consumer stored in our database (`events`, when the consumer runs).
    inbox_source: Literal["tracker", "events"] = "tracker"
    # --- end of the event stream's settings.

    # --- Trust boundary, sessions and sign-in throttling (issue 14) ---
    # Keys of the assistant's tokens (contract/tokens.py): required outside demo mode, 32
    # characters or more, distinct from SECRET_KEY and from each other; with DEMO=1 an unset
    # key is derived from SECRET_KEY.
    assistant_channel_key: SecretStr | None = None
    assistant_service_key: SecretStr | None = None
    # A web sign-in ends after this long however active it is (SESSION_MINUTES is the idle limit).
    session_max_hours: int = Field(default=12, ge=1, le=7 * 24)
    # Shared state of the API processes (sign-in throttle) in the cluster; unset: the database.
    redis_url: str | None = Field(default=None, pattern=r"^rediss?://")
    redis_key_prefix: str = Field(default="vigilance:", max_length=100)
    # Sign-in throttling: from the Nth failure with no pause of SIGNIN_WINDOW_MINUTES, locked for
    # SIGNIN_LOCK_SECONDS, doubled at each further failure, up to SIGNIN_MAX_LOCK_MINUTES.
    signin_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    signin_account_failures: int = Field(default=5, ge=1, le=1000)
    # Addresses are shared (offices, mobile networks): a higher threshold.
    signin_address_failures: int = Field(default=30, ge=1, le=100_000)
    signin_lock_seconds: int = Field(default=30, ge=1, le=3600)
    signin_max_lock_minutes: int = Field(default=15, ge=1, le=24 * 60)

    # --- Model distribution (issue 13) ---
    # push: the workbench loads a model with `PUT /model` on RASA_URL (one server, `make run`).
    # pull: every Rasa replica pulls the model in service from GET /internal/model (cluster).
    model_distribution: Literal["push", "pull"] = "push"
    # The bearer token the replicas send to GET /internal/model; required in pull mode.
    model_server_token: SecretStr | None = None

    @model_validator(mode="after")
    def _require_real_secret_outside_demo(self) -> Self:
        if self.secret_key is None:
            if not self.demo:
                raise ValueError("SECRET_KEY must be set when DEMO is not enabled")
            self.secret_key = SecretStr(DEMO_SECRET_KEY)
            return self
        value = self.secret_key.get_secret_value()
        if not self.demo and (value == DEMO_SECRET_KEY or len(value) < MIN_SECRET_KEY_LENGTH):
            raise ValueError(
                f"SECRET_KEY must be a private value of at least {MIN_SECRET_KEY_LENGTH} "
                "characters outside demo mode"
            )
        return self

    @model_validator(mode="after")
    def _assistant_keys(self) -> Self:
        """Each key of the trust boundary is its own: one leaked key never forges another kind."""
        secret = self.signing_key
        keys = []
        for field, purpose in (
            ("assistant_channel_key", "assistant-channel"),
            ("assistant_service_key", "assistant-service"),
        ):
            value: SecretStr | None = getattr(self, field)
            name = field.upper()
            if value is not None and not value.get_secret_value():
                value = None  # `KEY=` in a .env file: unset, never an empty key
            if value is None:
                if not self.demo:
                    raise ValueError(f"{name} must be set when DEMO is not enabled")
                value = SecretStr(token_contract.derive_key(secret, purpose))
                setattr(self, field, value)
            key = value.get_secret_value()
            if not self.demo and len(key) < token_contract.MIN_KEY_CHARS:
                raise ValueError(
                    f"{name} must be at least {token_contract.MIN_KEY_CHARS} characters"
                )
            if key == secret:
                raise ValueError(f"{name} must differ from SECRET_KEY")
            keys.append(key)
        if keys[0] == keys[1]:
            raise ValueError("ASSISTANT_CHANNEL_KEY and ASSISTANT_SERVICE_KEY must differ")
        return self

    @property
    def channel_key(self) -> str:
        """Signs the chat tokens the assistant's channels accept."""
        assert self.assistant_channel_key is not None  # set by the validator
        return self.assistant_channel_key.get_secret_value()

    @property
    def service_key(self) -> str:
        """Verifies the assistant tokens the action server mints."""
        assert self.assistant_service_key is not None  # set by the validator
        return self.assistant_service_key.get_secret_value()

    @model_validator(mode="after")
    def _require_model_server_token_in_pull_mode(self) -> Self:
        token = self.model_server_token
        if self.model_distribution != "pull":
            return self
        if token is None:
            raise ValueError("MODEL_SERVER_TOKEN must be set when MODEL_DISTRIBUTION=pull")
        value = token.get_secret_value()
        if len(value) < MIN_SECRET_KEY_LENGTH or value == self.signing_key:
            raise ValueError(
                f"MODEL_SERVER_TOKEN must be at least {MIN_SECRET_KEY_LENGTH} characters "
                "and differ from SECRET_KEY"
            )
        return self

    @property
    def signing_key(self) -> str:
        assert self.secret_key is not None  # set by the validator
        return self.secret_key.get_secret_value()


@lru_cache
def get_settings() -> Settings:
    return Settings()
