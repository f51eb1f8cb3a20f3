"""The running Rasa server's HTTP API: which model it serves, and swapping it (`PUT /model`)."""

import logging
from pathlib import Path
from typing import Any

import httpx

from api.core.config import Settings
from api.core.errors import DomainError

# Rasa takes its token in the query string, and httpx logs every URL at INFO: not ours.
logging.getLogger("httpx").setLevel(logging.WARNING)

CONNECT_SECONDS = 2.0
# Loading a model (spaCy and the classifiers) takes a while on two cores.
LOAD_SECONDS = 180.0
DOWN = (
    "Le serveur de l'assistant ne répond pas : le modèle n'a pas été changé. "
    "Vérifiez qu'il est démarré, puis recommencez."
)


# Models trained from the workbench go to <models_dir>/trainer.
TRAINER_MODELS = "trainer"
# The path of the model last put in service, read by `scripts/serving-model.sh` when the Rasa
# server starts: an activation or a rollback outlives a restart.
IN_SERVICE_FILE = "in-service"


def remember_in_service(settings: Settings, model: Path) -> None:
    """Write the model in service for the next start of Rasa (atomically: never half a path)."""
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    target = settings.models_dir / IN_SERVICE_FILE
    partial = target.with_suffix(".tmp")
    partial.write_text(f"{model.resolve()}\n", encoding="utf-8")
    partial.replace(target)


def model_path(settings: Settings, name: str) -> Path | None:
    """Where a model file the server names lives: among the trainers' models or `make train`'s."""
    for folder in (settings.models_dir / TRAINER_MODELS, settings.models_dir):
        candidate = folder / Path(name).name
        if candidate.is_file():
            return candidate
    if settings.base_model.name == Path(name).name and settings.base_model.is_file():
        return settings.base_model
    return None


class ServingError(DomainError):
    """The Rasa server is unreachable or refused; the message is for the trainer."""

    status_code = 503
    code = "assistant_unavailable"
    title = "Serveur de l'assistant indisponible"


class RasaServer:
    """A client of one Rasa server, authenticated with its `--auth-token`."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.url = settings.rasa_url
        token = settings.rasa_auth_token
        self._params = {"token": token.get_secret_value()} if token else {}

    def _request(self, method: str, path: str, read: float, **kwargs: Any) -> httpx.Response:
        timeout = httpx.Timeout(read, connect=CONNECT_SECONDS)
        try:
            response = httpx.request(
                method, f"{self.url}{path}", params=self._params, timeout=timeout, **kwargs
            )
        except httpx.HTTPError:
            raise ServingError(DOWN) from None
        if response.status_code in (401, 403):
            raise ServingError(
                "Le serveur de l'assistant refuse l'accès : vérifiez RASA_AUTH_TOKEN."
            )
        if not response.is_success:
            raise ServingError(
                f"Le serveur de l'assistant a répondu {response.status_code} : "
                "le modèle n'a pas été changé."
            )
        return response

    def model_file(self) -> str | None:
        """The file name of the model in service, as `GET /status` tells it."""
        data = self._request("GET", "/status", 10.0).json()
        value = data.get("model_file") if isinstance(data, dict) else None
        return str(value) if value else None

    def activate(self, model: Path) -> None:
        """Load `model` on the server, then check that it serves it."""
        self._request("PUT", "/model", LOAD_SECONDS, json={"model_file": str(model)})
        served = self.model_file()
        if served is None or Path(served).name != model.name:
            raise ServingError(
                "Le serveur de l'assistant n'a pas pris le nouveau modèle : rien n'a été changé."
            )
        remember_in_service(self._settings, model)

    def parse(self, text: str) -> dict[str, Any]:
        data = self._request("POST", "/model/parse", 10.0, json={"text": text}).json()
        return data if isinstance(data, dict) else {}
