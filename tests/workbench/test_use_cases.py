"""The trainers' use cases record their own audit line, and a save refused goes back to the page
where the trainer can fix it (Rasa's validation replaced by its verdict, no Rasa server)."""

from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import StaffUser
from api.core.config import Settings
from api.training import activation, rasa_cli, service, trained_models
from api.training.models import ModelStatus, Outcome, TrainingDecision, TrainingEvent
from api.training.serving import ServingError
from tests.web.helpers import csrf_token
from tests.workbench.distribution_support import model_file, trained_model
from tests.workbench.support import TrackerStore

PHRASE = "le docteur Zorglub m'a facturé un soin fantôme"


@pytest.fixture
def rasa_accepts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rasa_cli, "validate", lambda *_: rasa_cli.Validation(ok=True, problems=[]))


def events(db: Session) -> list[tuple[int, str, str]]:
    db.commit()  # what the app committed since
    rows = db.scalars(select(TrainingEvent).order_by(TrainingEvent.id))
    return [(e.actor_id, e.action, e.detail) for e in rows]


def _save(client: TestClient, path: str, form_page: str, fields: dict[str, str]) -> str:
    token = csrf_token(client, form_page)
    response = client.post(path, data={**fields, "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    return str(response.headers["location"])


def _message_key(client: TestClient) -> str:
    response = client.get("/trainer/messages")
    return str(response.context["inbox_messages"][0].key)


def test_an_annotation_saved_is_decided_and_logged(
    signed_in: TestClient,
    tracker: TrackerStore,
    workbench: Settings,
    db: Session,
    trainer: StaffUser,
    rasa_accepts: None,
) -> None:
    tracker.user_says(PHRASE, "greet", 0.3)
    key = _message_key(signed_in)
    preview = signed_in.get(f"/trainer/messages/{key}/apercu?intent=ask_human")
    base = str(preview.context["fields"]["base"])
    page = f"/trainer/messages/{key}"
    fields = {"intent": "ask_human", "base": base}
    assert _save(signed_in, f"{page}/enregistrer", page, fields) == "/trainer/messages"
    nlu = (workbench.assistant_dir / "data" / "nlu.yml").read_text(encoding="utf-8")
    assert f"- {PHRASE}\n" in nlu
    decision = db.scalars(select(TrainingDecision)).one()
    assert (decision.outcome, decision.intent) == (Outcome.RELABELLED, "ask_human")
    assert events(db) == [
        (trainer.id, "example_added", f"Exemple ajouté à « ask_human » : {PHRASE}")
    ]


def test_a_refused_save_goes_back_to_what_the_trainer_can_fix(
    signed_in: TestClient, tracker: TrackerStore, workbench: Settings, db: Session
) -> None:
    tracker.user_says(PHRASE, "greet", 0.3)
    key = _message_key(signed_in)
    page = f"/trainer/messages/{key}"
    annotated = {"intent": "greet", "entity_0": "provider", "value_0": "Zorglub"}
    annotated |= {"entity_1": "", "value_1": "", "entity_2": "", "value_2": ""}
    # The file changed since the preview: the preview again, with the current file.
    back = _save(signed_in, f"{page}/enregistrer", page, {**annotated, "base": "ancien"})
    assert back == f"{page}/apercu?{urlencode(annotated)}"
    # The annotation itself: back to the message.
    assert _save(signed_in, f"{page}/enregistrer", page, {"intent": "inventee"}) == page
    intent_page = "/trainer/intentions/ask_human"
    typed = {"text": "passez-moi un humain zorglub", "old": "", "base": "ancien"}
    back = _save(signed_in, f"{intent_page}/enregistrer", intent_page, typed)
    assert back == f"{intent_page}/apercu?" + urlencode({"text": typed["text"], "old": ""})
    assert _save(signed_in, f"{intent_page}/enregistrer", intent_page, {"text": ""}) == intent_page
    assert events(db) == [] and db.scalars(select(TrainingDecision)).all() == []


def test_an_example_added_then_changed_is_logged_each_time(
    signed_in: TestClient, db: Session, trainer: StaffUser, rasa_accepts: None
) -> None:
    page = "/trainer/intentions/ask_human"
    added = "passez-moi un humain zorglub"
    for typed, old in ((added, ""), ("un humain zorglub", added)):
        preview = signed_in.get(f"{page}/apercu", params={"text": typed, "old": old})
        base = str(preview.context["fields"]["base"])
        fields = {"text": typed, "old": old, "base": base}
        assert _save(signed_in, f"{page}/enregistrer", page, fields) == page
    assert [action for _, action, _ in events(db)] == ["example_added", "example_changed"]


def test_a_training_asked_for_is_logged(db: Session, trainer: StaffUser) -> None:
    run = service.request_training(session=db, actor_id=trainer.id)
    assert events(db) == [
        (trainer.id, "training_requested", f"Entraînement du modèle {run.version} demandé.")
    ]


class FakeRasaServer:
    """The Rasa server's HTTP API as activation uses it: the model it serves, and a swap."""

    serving = "vigilance.tar.gz"
    refuses = False

    def __init__(self, _settings: Settings) -> None:
        pass

    def model_file(self) -> str:
        return FakeRasaServer.serving

    def activate(self, model: Path) -> None:
        if FakeRasaServer.refuses:
            raise ServingError("Le serveur de l'assistant a répondu 500.")
        FakeRasaServer.serving = model.name


def test_a_model_sent_to_rasa_then_rolled_back_is_logged_with_what_it_replaced(
    workbench: Settings, db: Session, trainer: StaffUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(activation, "RasaServer", FakeRasaServer)
    monkeypatch.setattr(FakeRasaServer, "serving", "vigilance.tar.gz")
    base = model_file(workbench.models_dir, "vigilance.tar.gz", size=10)
    path = model_file(workbench.models_dir / "trainer", "v20261201-100100.tar.gz", size=10)
    model = trained_model(db, trainer, path, minute=1, stored=False)

    monkeypatch.setattr(FakeRasaServer, "refuses", True)
    with pytest.raises(ServingError):
        activation.activate(session=db, settings=workbench, model=model, actor_id=trainer.id)
    db.rollback()
    assert events(db) == [] and trained_models.active_model(session=db) is None

    monkeypatch.setattr(FakeRasaServer, "refuses", False)
    activation.activate(session=db, settings=workbench, model=model, actor_id=trainer.id)
    assert (model.status, model.replaced_path) == (ModelStatus.ACTIVE, str(base))
    back = activation.roll_back(session=db, settings=workbench, actor_id=trainer.id)
    assert back == "vigilance.tar.gz" == FakeRasaServer.serving
    assert model.status == ModelStatus.RETIRED
    assert events(db) == [
        (
            trainer.id,
            "model_activated",
            f"Modèle {model.version} mis en service (remplace vigilance.tar.gz).",
        ),
        (
            trainer.id,
            "model_rolled_back",
            f"Retour au modèle vigilance.tar.gz (le modèle {model.version} est retiré).",
        ),
    ]
    with pytest.raises(service.TrainingConflict, match="Aucun modèle précédent"):
        activation.roll_back(session=db, settings=workbench, actor_id=trainer.id)
