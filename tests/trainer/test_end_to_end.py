"""A trainer's whole loop on the running stack: a real conversation reaches the inbox, the
message is annotated to another intent, saved, trained on, evaluated and put in service; Rasa
then answers the new intent, and the rollback brings the previous model back."""

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import create_engine

from api.core.tracker_store import events
from api.training.inbox import InboxFilters, InboxSource, read_messages
from api.training.nlu_files import NluData
from tests.bot.stack import MODEL, ROOT
from tests.trainer.conftest import RASA_TOKEN, Stack, sign_in_token
from tests.web.markup import Element, parse

PHRASE = "le grimoire du zébulon chante faux sous la pluie"
# A full `rasa train` and two `rasa test nlu`: about 3 minutes alone, much more on a busy machine.
TRAINING_SECONDS = 1800


@pytest.fixture(scope="module")
def web(stack: Stack) -> Iterator[httpx.Client]:
    """The demo trainer signed in through the sign-in page."""
    with httpx.Client(base_url=stack.api_url, timeout=300) as client:
        form = parse(client.get("/connexion").text).find("input", name="csrf_token")
        response = client.post(
            "/connexion",
            data={"username": "formateur", "password": "demo", "csrf_token": form.attrs["value"]},
        )
        assert (response.status_code, response.headers["location"]) == (303, "/trainer")
        yield client


def rasa(stack: Stack, method: str, path: str, **kwargs: object) -> httpx.Response:
    response = httpx.request(
        method,
        f"{stack.assistant.url}{path}",
        params={"token": RASA_TOKEN},
        timeout=120,
        **kwargs,  # type: ignore[arg-type]
    )
    response.raise_for_status()
    return response


def say(stack: Stack, text: str, token: str) -> None:
    response = httpx.post(
        f"{stack.assistant.url}/webhooks/rest/webhook",
        json={"sender": "e2e-formateur", "message": text, "metadata": {"access_token": token}},
        timeout=60,
    )
    response.raise_for_status()


def model_at_next_start(stack: Stack) -> Path:
    """The model `make run` would give the Rasa server now (scripts/serving-model.sh)."""
    printed = subprocess.run(
        [str(ROOT / "scripts" / "serving-model.sh")],
        env={**os.environ, "MODELS_DIR": str(stack.models_dir)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return (ROOT / printed).resolve()


def hidden_fields(form: Element) -> dict[str, str]:
    return {
        e.attrs["name"]: e.attrs.get("value", "")
        for e in form.find_all("input")
        if e.attrs.get("type") == "hidden"
    }


def test_the_inbox_reads_a_real_conversation(stack: Stack) -> None:
    token = sign_in_token(stack.api_url, "assure1")
    for text in (PHRASE, "bonjour", "/greet"):
        say(stack, text, token)
    expected = rasa(stack, "POST", "/model/parse", json={"text": PHRASE}).json()
    engine = create_engine(f"sqlite:///{stack.workdir / 'tracker.db'}")
    try:
        page = read_messages(
            source=InboxSource(engine=engine, table=events),
            filters=InboxFilters(),
            timezone="Europe/Paris",
            nlu=NluData(stack.assistant_dir),
            handled=(),
        )
    finally:
        engine.dispose()
    texts = [m.text for m in page.messages]
    assert texts == [PHRASE]  # « bonjour » is a training example; « /greet » a button
    message = page.messages[0]
    assert message.intent == expected["intent"]["name"]
    assert message.confidence == pytest.approx(expected["intent"]["confidence"], abs=1e-6)
    assert token not in repr(page)


def _target_intent(predicted: str) -> str:
    return "ask_reimbursement_delay" if predicted != "ask_reimbursement_delay" else "ask_human"


def _annotate(stack: Stack, web: httpx.Client, key: str, target: str) -> None:
    """The preview shows the diff and Rasa's verdict, then the save writes the file."""
    preview = web.get(f"/trainer/messages/{key}/apercu?{urlencode({'intent': target})}")
    assert preview.status_code == 200, preview.text
    document = parse(preview.text)
    assert f"+    - {PHRASE}" in document.find("pre").text
    form = next(f for f in document.find_all("form") if f.attrs["action"].endswith("/enregistrer"))
    saved = web.post(form.attrs["action"], data=hidden_fields(form))
    assert (saved.status_code, saved.headers["location"]) == (303, "/trainer/messages")
    lines = (stack.assistant_dir / "data" / "nlu.yml").read_text(encoding="utf-8").splitlines()
    assert lines.count(f"    - {PHRASE}") == 1
    assert PHRASE not in web.get("/trainer/messages").text


def _train(stack: Stack, web: httpx.Client) -> tuple[str, dict[str, Any]]:
    """Training runs in the background: the page answers while the worker trains."""
    home = parse(web.get("/trainer").text)
    form = next(f for f in home.find_all("form") if f.attrs["action"] == "/trainer/entrainements")
    queued = web.post("/trainer/entrainements", data=hidden_fields(form))
    run_url = str(queued.headers["location"])
    seen: list[tuple[str, int]] = []
    deadline = time.monotonic() + TRAINING_SECONDS
    while True:
        state: dict[str, Any] = web.get(f"{run_url}/etat").json()
        if (state["state"], state["progress"]) not in seen:
            seen.append((state["state"], state["progress"]))
        if state["finished"] or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert state["state"] == "done", (state, (stack.workdir / "worker.log").read_text()[-3000:])
    assert any(0 < progress < 100 for _state, progress in seen), seen
    return run_url, state


def _evaluation(web: httpx.Client, run_url: str, model_url: str) -> Element:
    """Both models on the held-out set, as tables and a picture; the model's page."""
    document = parse(web.get(model_url).text)
    assert len(document.find_all("table")) >= 2
    assert web.get(f"{model_url}/matrice.png").headers["content-type"] == "image/png"
    log = web.get(f"{run_url}/journal")
    assert "rasa train" in log.text and "rasa test nlu" in log.text
    return document


def _activate(stack: Stack, web: httpx.Client, model_page: Element, target: str) -> None:
    """On the running Rasa server: it now answers the new intent."""
    form = next(f for f in model_page.find_all("form") if f.attrs["action"].endswith("/activer"))
    version = form.attrs["action"].split("/")[-2]
    activated = web.post(form.attrs["action"], data=hidden_fields(form))
    assert activated.status_code == 303
    assert rasa(stack, "GET", "/status").json()["model_file"] == f"{version}.tar.gz"
    parsed = rasa(stack, "POST", "/model/parse", json={"text": PHRASE}).json()
    assert parsed["intent"]["name"] == target
    assert model_at_next_start(stack) == (stack.models_dir / "trainer" / f"{version}.tar.gz")


def _roll_back(stack: Stack, web: httpx.Client) -> None:
    """The previous model is in service again."""
    home = parse(web.get("/trainer").text)
    form = next(f for f in home.find_all("form") if f.attrs["action"] == "/trainer/modeles/retour")
    assert web.post(form.attrs["action"], data=hidden_fields(form)).status_code == 303
    assert rasa(stack, "GET", "/status").json()["model_file"] == MODEL.name
    assert model_at_next_start(stack) == MODEL.resolve()


def test_annotate_train_evaluate_activate_and_roll_back(stack: Stack, web: httpx.Client) -> None:
    started = time.monotonic()
    token = sign_in_token(stack.api_url, "assure2")
    say(stack, PHRASE, token)
    inbox = parse(web.get("/trainer/messages").text)
    link = next(a for a in inbox.find("table").find_all("a") if a.text == PHRASE)
    assert token not in web.get("/trainer/messages").text
    key = link.attrs["href"].rsplit("/", 1)[1]
    before = rasa(stack, "POST", "/model/parse", json={"text": PHRASE}).json()["intent"]["name"]
    target = _target_intent(before)

    _annotate(stack, web, key, target)
    annotated = time.monotonic()
    run_url, state = _train(stack, web)
    trained = time.monotonic()
    _activate(stack, web, _evaluation(web, run_url, state["model_url"]), target)
    activated_at = time.monotonic()
    _roll_back(stack, web)

    journal = parse(web.get("/trainer/journal").text).find("table").text
    for words in ("Exemple ajouté", "Entraînement du modèle", "mis en service", "Retour au modèle"):
        assert words in journal
    assert PHRASE not in (ROOT / "data" / "nlu.yml").read_text(encoding="utf-8")  # only the copy
    print(
        f"\ne2e timings: annotate {annotated - started:.0f} s, train+evaluate "
        f"{trained - annotated:.0f} s, activate {activated_at - trained:.0f} s, "
        f"rollback {time.monotonic() - activated_at:.0f} s"
    )


def test_a_change_rasa_refuses_is_shown_and_not_written(stack: Stack, web: httpx.Client) -> None:
    """Data that was already inconsistent (one example under two intents) fails validation."""
    extra = stack.assistant_dir / "data" / "extra.yml"
    extra.write_text(
        'version: "3.1"\nnlu:\n- intent: thank\n  examples: |\n    - au revoir\n',
        encoding="utf-8",
    )
    nlu_file = stack.assistant_dir / "data" / "nlu.yml"
    before = nlu_file.read_bytes()
    try:
        preview = web.get(
            "/trainer/intentions/ask_human/apercu",
            params={"text": "je voudrais parler à un être humain zorglub"},
        )
        assert preview.status_code == 200
        alert = parse(preview.text).find("div", role="alert").text
        assert "Rasa refuse" in alert and "au revoir" in alert
        assert not [
            f
            for f in parse(preview.text).find_all("form")
            if "enregistrer" in f.attrs.get("action", "")
        ]
        assert nlu_file.read_bytes() == before
    finally:
        extra.unlink()
