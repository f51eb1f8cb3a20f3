"""The workbench's pages without Rasa: inbox, refusals, decisions, trainings, evaluations."""

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.accounts.models import StaffUser
from api.core.config import Settings
from api.training import service, trained_models
from api.training.models import TrainingDecision, TrainingEvent, TrainingRun
from tests.web.helpers import csrf_token
from tests.web.markup import duplicate_ids, parse, unlabelled_fields
from tests.workbench.support import SECRET_TOKEN, TrackerStore

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def inbox_texts(client: TestClient, query: str = "") -> list[str]:
    response = client.get(f"/trainer/messages{query}")
    assert response.status_code == 200
    return [m.text for m in response.context["inbox_messages"]]


def test_the_inbox_puts_fallbacks_and_doubts_first_and_hides_what_is_known(
    signed_in: TestClient, tracker: TrackerStore
) -> None:
    tracker.user_says("salut la compagnie du mardi", "greet", 0.95)
    tracker.user_says("truc machin bidule", "nlu_fallback", 0.31)
    tracker.user_says("je veux un humain svp", "ask_human", 0.55)
    tracker.user_says("Bonjour !", "greet", 0.99)  # « bonjour » is a training example
    tracker.user_says('/report_suspicious_reimbursement{"claim_choice": "12"}', "greet", 1.0)
    tracker.user_says(
        "qwerty zorglub", "nlu_fallback", 0.2, sender="anonyme-zz"
    )  # another conversation
    assert inbox_texts(signed_in) == [
        "qwerty zorglub",
        "truc machin bidule",
        "je veux un humain svp",
        "salut la compagnie du mardi",
    ]
    assert inbox_texts(signed_in, "?intent=greet") == ["salut la compagnie du mardi"]
    assert inbox_texts(signed_in, "?confidence=50") == ["qwerty zorglub", "truc machin bidule"]
    page = signed_in.get("/trainer/messages").text
    assert SECRET_TOKEN not in page and "assure-1" not in page and "anonyme" not in page


def test_the_inbox_filters_by_date_in_french_time(
    signed_in: TestClient, tracker: TrackerStore
) -> None:
    tracker.user_says(
        "un message du soir", timestamp=datetime(2026, 3, 1, 22, 30, tzinfo=UTC).timestamp()
    )
    tracker.user_says(
        "un message du matin", timestamp=datetime(2026, 3, 2, 8, 0, tzinfo=UTC).timestamp()
    )
    # 22:30 UTC on 1 March is 23:30 in Paris: still the 1st.
    assert inbox_texts(signed_in, "?since=2026-03-02") == ["un message du matin"]
    assert inbox_texts(signed_in, "?until=2026-03-01") == ["un message du soir"]
    response = signed_in.get("/trainer/messages?since=hier&until=2026-13-01&intent=nope")
    errors = response.context["query"].errors
    assert set(errors) == {"since", "until", "intent"}


def test_typed_text_is_escaped_and_every_field_labelled(
    signed_in: TestClient, tracker: TrackerStore
) -> None:
    tracker.user_says("<script>alert(1)</script> bonjour", "greet", 0.4)
    response = signed_in.get("/trainer/messages")
    assert "<script>alert(1)</script>" not in response.text
    document = parse(response.text)
    assert "<script>alert(1)</script> bonjour" in document.find("table").text
    assert unlabelled_fields(document) == [] and duplicate_ids(document) == []
    key = response.context["inbox_messages"][0].key
    page = signed_in.get(f"/trainer/messages/{key}")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    document = parse(page.text)
    assert unlabelled_fields(document) == [] and duplicate_ids(document) == []
    assert SECRET_TOKEN not in page.text


def _first_key(client: TestClient) -> str:
    response = client.get("/trainer/messages")
    return str(response.context["inbox_messages"][0].key)


def test_bad_annotations_are_explained_and_nothing_is_written(
    signed_in: TestClient, tracker: TrackerStore, workbench: Settings, db: Session
) -> None:
    tracker.user_says("le docteur Zorglub m'a facturé un soin fantôme", "greet", 0.3)
    key = _first_key(signed_in)
    nlu_file = workbench.assistant_dir / "data" / "nlu.yml"
    before = nlu_file.read_bytes()
    for query, message in [
        ("intent=", "Choisissez l'intention"),
        ("intent=inventee", "n'existe pas dans le domaine"),
        ("intent=greet&entity_0=provider&value_0=docteur+Martin", "ne figure pas dans le message"),
        ("intent=greet&entity_0=provider", "choisissez son type et recopiez sa valeur"),
        ("intent=greet&entity_0=inconnue&value_0=Zorglub", "n'existe pas dans le domaine"),
    ]:
        response = signed_in.get(f"/trainer/messages/{key}/apercu?{query}")
        assert response.status_code == 400, query
        alert = parse(response.text).find("p", role="alert").text
        assert message in alert, (query, alert)
    token = csrf_token(signed_in, f"/trainer/messages/{key}")
    response = signed_in.post(
        f"/trainer/messages/{key}/enregistrer",
        data={"intent": "inventee", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert nlu_file.read_bytes() == before
    assert db.scalar(select(func.count()).select_from(TrainingDecision)) == 0


def test_an_example_page_refuses_bad_input_in_french(
    signed_in: TestClient, workbench: Settings
) -> None:
    page = signed_in.get("/trainer/intentions/ask_human")
    assert page.status_code == 200
    assert unlabelled_fields(parse(page.text)) == []
    for text, message in [
        ("", "L'exemple est vide"),
        ("je veux parler à un conseiller", "figure déjà"),
        ("voir [le Dr X](inconnue)", "n'existe pas dans le domaine"),
    ]:
        response = signed_in.get("/trainer/intentions/ask_human/apercu", params={"text": text})
        assert response.status_code == 400, text
        assert message in parse(response.text).find("p", role="alert").text
    assert signed_in.get("/trainer/intentions/inventee").status_code == 404


def test_a_preview_says_when_rasa_cannot_check(signed_in: TestClient, workbench: Settings) -> None:
    response = signed_in.get(
        "/trainer/intentions/ask_human/apercu",
        params={"text": "passez-moi un vrai conseiller zorglub"},
    )
    assert response.status_code == 503
    assert "La commande Rasa est introuvable" in parse(response.text).find("main").text


def test_a_discarded_message_leaves_the_inbox_and_is_logged(
    signed_in: TestClient, tracker: TrackerStore, db: Session, trainer: StaffUser
) -> None:
    tracker.user_says("azertyuiop zorglub", "nlu_fallback", 0.1)
    key = _first_key(signed_in)
    token = csrf_token(signed_in, f"/trainer/messages/{key}")
    response = signed_in.post(
        f"/trainer/messages/{key}/ecarter", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.headers["location"] == "/trainer/messages"
    assert inbox_texts(signed_in) == []
    event = db.scalars(select(TrainingEvent)).one()
    assert (event.actor_id, event.action) == (trainer.id, "message_discarded")
    assert signed_in.get(f"/trainer/messages/{key}").status_code == 404
    journal = signed_in.get("/trainer/journal")
    assert "Message écarté : azertyuiop" in parse(journal.text).find("table").text


def test_one_training_at_a_time_with_its_progress(
    signed_in: TestClient, db: Session, trainer: StaffUser
) -> None:
    token = csrf_token(signed_in, "/trainer")
    response = signed_in.post(
        "/trainer/entrainements", data={"csrf_token": token}, follow_redirects=False
    )
    run = db.scalars(select(TrainingRun)).one()
    assert response.headers["location"] == f"/trainer/entrainements/{run.id}"
    page = signed_in.get(response.headers["location"])
    status = parse(page.text).find("p", id="etat-entrainement")
    assert "En attente" in status.text
    assert signed_in.get(f"/trainer/entrainements/{run.id}/etat").json() == {
        "state": "queued",
        "label": "En attente",
        "phase": "En attente",
        "progress": 0,
        "finished": False,
        "model_url": None,
        "error": None,
    }
    again = signed_in.post("/trainer/entrainements", data={"csrf_token": token})
    assert "déjà en cours" in again.text
    assert db.scalar(select(func.count()).select_from(TrainingRun)) == 1
    assert [e.action for e in db.scalars(select(TrainingEvent))] == ["training_requested"]


def _trained_model(db: Session, trainer: StaffUser) -> str:
    run = service.queue_run(session=db, actor_id=trainer.id, now=NOW)
    evaluation = {
        "intents": [
            {
                "intent": "greet",
                "new": {"precision": 1.0, "recall": 0.5, "f1": 0.667, "support": 2},
                "old": {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2},
            }
        ],
        "accuracy": {"new": 0.75, "old": 0.5},
        "matrix": {"labels": ["goodbye", "greet"], "rows": [[2, 0], [1, 1]]},
        "changed": [
            {"text": "<b>salut</b>", "expected": "greet", "before": "goodbye", "after": "greet"}
        ],
        "matrix_png": None,
        "test_size": 4,
        "serving_model": "vigilance.tar.gz",
    }
    model = service.finish_run(
        session=db, run=run, model_path="/nowhere/model.tar.gz", evaluation=evaluation, now=NOW
    )
    db.commit()
    return model.version


def test_the_evaluation_reads_as_tables(
    signed_in: TestClient, db: Session, trainer: StaffUser
) -> None:
    version = _trained_model(db, trainer)
    page = signed_in.get(f"/trainer/modeles/{version}")
    assert page.status_code == 200
    document = parse(page.text)
    tables = document.find_all("table")
    assert all(t.find_all("caption") for t in tables) and len(tables) == 3
    matrix = tables[1]
    assert [c.text for c in matrix.find_all("td")] == ["2", "0", "1", "1"]
    assert "<b>salut</b>" in tables[2].text and "Corrigé" in tables[2].text
    assert "75,0" in document.find("main").text


def test_activation_with_rasa_down_changes_nothing(
    signed_in: TestClient, db: Session, trainer: StaffUser
) -> None:
    version = _trained_model(db, trainer)
    token = csrf_token(signed_in, f"/trainer/modeles/{version}")
    response = signed_in.post(
        f"/trainer/modeles/{version}/activer", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Le fichier de ce modèle n'existe plus." in parse(response.text).find("main").text
    assert trained_models.active_model(session=db) is None
    assert db.scalar(select(func.count()).select_from(TrainingEvent)) == 0
    home = signed_in.get("/trainer")
    assert "Le serveur de l'assistant ne répond pas" in parse(home.text).find("main").text


def test_an_example_is_edited_from_its_intent_page(
    signed_in: TestClient, workbench: Settings
) -> None:
    page = parse(signed_in.get("/trainer/intentions/ask_human").text)
    link = next(a for a in page.find("table").find_all("a") if a.text.startswith("Modifier"))
    editing = parse(signed_in.get(link.attrs["href"]).text)
    old = editing.find("input", name="old").attrs["value"]
    assert editing.find("textarea", name="text").text == old
    assert unlabelled_fields(editing) == [] and duplicate_ids(editing) == []
    response = signed_in.get(
        "/trainer/intentions/ask_human/apercu", params={"old": "n'existe pas", "text": "bonjour"}
    )
    assert "Cet exemple n'existe plus" in parse(response.text).find("p", role="alert").text
