"""Settings of the API, read once from the environment (and an optional `.env` file)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    # The account's payments page keeps 27 months of history.
    claim_history_months: int = Field(default=27, ge=1)
    claim_match_max_days_off: int = Field(default=7, ge=0, le=31)
    timezone: str = "Europe/Paris"
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
