"""The workbench's templates, its addresses, and the access rule every route shares."""

from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.responses import HTMLResponse

from api.accounts.models import Role
from api.accounts.service import Principal
from api.training.models import ModelStatus, RunState
from api.web.deps import require_page_roles
from api.web.templating import make_templates, render
from contract.intents import BY_NAME

PREFIX = "/trainer"
INBOX = f"{PREFIX}/messages"
INTENTS = f"{PREFIX}/intentions"
RUNS = f"{PREFIX}/entrainements"
MODELS = f"{PREFIX}/modeles"
templates = make_templates(Path(__file__).resolve().parent / "templates")

require_trainer = require_page_roles(Role.TRAINER, Role.ADMIN)
TrainerPageDep = Annotated[Principal, Depends(require_trainer)]

RUN_STATE_LABELS = {
    RunState.QUEUED: "En attente",
    RunState.TRAINING: "Entraînement en cours",
    RunState.EVALUATING: "Évaluation en cours",
    RunState.DONE: "Terminé",
    RunState.FAILED: "Échec",
}
MODEL_STATUS_LABELS = {
    ModelStatus.READY: "Prêt",
    ModelStatus.ACTIVE: "En service",
    ModelStatus.RETIRED: "Retiré du service",
}


def message_url(key: str) -> str:
    return f"{INBOX}/{key}"


def intent_url(intent: str) -> str:
    return f"{INTENTS}/{intent}"


def run_url(run_id: int) -> str:
    return f"{RUNS}/{run_id}"


def model_url(version: str) -> str:
    return f"{MODELS}/{version}"


FALLBACK_LABEL = ("Non comprise", "L'assistant n'a reconnu aucune intention assez sûrement.")


def intent_label(name: str) -> str:
    """The intent's French label (contract/intents.py); the identifier for an unknown one."""
    if name == "nlu_fallback":
        return FALLBACK_LABEL[0]
    intent = BY_NAME.get(name)
    return intent.label if intent else name


def intent_definition(name: str) -> str:
    if name == "nlu_fallback":
        return FALLBACK_LABEL[1]
    intent = BY_NAME.get(name)
    return intent.definition if intent else ""


def intent_options(names: list[str], first: tuple[str, str]) -> list[tuple[str, str]]:
    """A select's options: « Libellé (identifiant) »."""
    return [first, *[(name, f"{intent_label(name)} ({name})") for name in names]]


def percent(value: float | None) -> str:
    """0.8734 → « 87,3 % »."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}\u00a0%".replace(".", ",")


def page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    return render(templates, request, name, context, status_code=status_code)


templates.env.filters.update(percent=percent, intent_label=intent_label)
templates.env.globals.update(
    message_url=message_url,
    intent_url=intent_url,
    run_url=run_url,
    model_url=model_url,
    intent_definition=intent_definition,
    run_state_labels=RUN_STATE_LABELS,
    model_status_labels=MODEL_STATUS_LABELS,
)
