"""The preview: the project's own checks answer at once (Rasa is never started for a change
they refuse), and while Rasa validates the page says so in a live region."""

import time

from fastapi.testclient import TestClient

from api.core.config import Settings
from tests.web.markup import parse
from tests.workbench.support import TrackerStore


def test_the_projects_checks_answer_without_waiting_for_rasa(
    signed_in: TestClient, tracker: TrackerStore, workbench: Settings
) -> None:
    tracker.user_says("le docteur Zorglub m'a facturé un soin fantôme", "greet", 0.3)
    key = signed_in.get("/trainer/messages").context["inbox_messages"][0].ref
    started = time.perf_counter()
    refused = signed_in.get(
        f"/trainer/messages/{key}/apercu",
        params={"intent": "greet", "entity_0": "provider", "value_0": "docteur Martin"},
    )
    assert time.perf_counter() - started < 2
    assert refused.status_code == 400
    assert "ne figure pas dans le message" in parse(refused.text).find("p", role="alert").text
    assert not (workbench.training_dir / "validated").exists()  # Rasa was never asked


def test_the_forms_that_wait_for_rasa_say_so_in_a_live_region(
    signed_in: TestClient, tracker: TrackerStore
) -> None:
    tracker.user_says("un message à annoter zorglub", "greet", 0.3)
    key = signed_in.get("/trainer/messages").context["inbox_messages"][0].ref
    for address in (f"/trainer/messages/{key}", "/trainer/intentions/greet"):
        response = signed_in.get(address)
        document = parse(response.text)
        form = next(f for f in document.find_all("form") if "data-slow-check" in f.attrs)
        assert form.attrs["action"].endswith("/apercu")
        status = form.find("p", role="status")
        assert status.attrs["aria-live"] == "polite" and "data-slow-check-status" in status.attrs
        scripts = [s.attrs.get("src", "") for s in document.find_all("script")]
        assert any("trainer.js" in src for src in scripts), address
