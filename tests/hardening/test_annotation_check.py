"""The trainers' annotation check refuses every line separator itself, in French, before Rasa
(the preview never reaches Rasa's validation, the save writes nothing)."""

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from ruamel.yaml import YAML

from api.accounts.models import StaffRole
from api.core.config import Settings
from api.training.example_text import LINE_BREAKS
from api.training.nlu_files import Change, NluData, NluError
from tests.factories import Factory
from tests.web.helpers import csrf_token, login
from tests.web.markup import parse
from tests.workbench.support import TrackerStore

SEPARATORS = ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\r", "\n"]


def test_the_check_covers_every_character_that_ends_a_line() -> None:
    """Exactly what Python's splitlines (which reads the blocks back) breaks a line at."""
    breaking = {
        chr(code)
        for code in range(sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF and len(f"a{chr(code)}b".splitlines()) > 1
    }
    assert breaking == set(LINE_BREAKS) == set(SEPARATORS)


@pytest.mark.parametrize("separator", SEPARATORS)
def test_the_service_refuses_a_separator_inside_an_example(
    small_workbench: Settings, separator: str
) -> None:
    nlu = NluData(small_workbench.assistant_dir)
    code = f"U+{ord(separator):04X}"
    plans: list[Callable[[], Change]] = [
        lambda: nlu.plan_add(intent="greet", text=f"bonjour{separator}madame", entities=[]),
        lambda: nlu.plan_edit(intent="greet", old="salut", text=f"salut{separator}à tous"),
    ]
    for plan in plans:
        with pytest.raises(NluError) as refused:
            plan()
        assert "Un exemple tient sur une seule ligne\u00a0:" in refused.value.message
        assert code in refused.value.message


@pytest.mark.parametrize("control", ["\x01", "\x1f", "\x7f", "\x9f"])
def test_the_service_refuses_control_characters_yaml_cannot_hold(
    small_workbench: Settings, control: str
) -> None:
    nlu = NluData(small_workbench.assistant_dir)
    with pytest.raises(
        NluError, match=f"caractère de contrôle invisible \\(U\\+{ord(control):04X}"
    ):
        nlu.plan_add(intent="greet", text=f"bonjour{control}madame", entities=[])


def test_tabs_accents_and_emoji_still_make_an_example(small_workbench: Settings) -> None:
    nlu = NluData(small_workbench.assistant_dir)
    change = nlu.plan_add(intent="greet", text="bonjour\tà vous 😀 é\u0301", entities=[])
    reread = YAML(typ="safe", pure=True).load(change.after)
    examples = next(item for item in reread["nlu"] if item["intent"] == "greet")["examples"]
    assert examples.splitlines()[-1] == "- bonjour\tà vous 😀 é\u0301"


@pytest.fixture
def trainer_client(client: TestClient, factory: Factory, small_workbench: Settings) -> TestClient:
    trainer = factory.staff(StaffRole.TRAINER)
    assert login(client, trainer.username).status_code == 303
    return client


def _alert(response_text: str) -> str:
    return str(parse(response_text).find("p", role="alert").text)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c"])
def test_the_example_page_refuses_a_separator_in_french(
    trainer_client: TestClient, small_workbench: Settings, separator: str
) -> None:
    nlu_file = small_workbench.assistant_dir / "data" / "nlu.yml"
    before = nlu_file.read_bytes()
    text = f"bonjour{separator}tout le monde"
    preview = trainer_client.get("/trainer/intentions/greet/apercu", params={"text": text})
    assert preview.status_code == 400
    assert "Un exemple tient sur une seule ligne" in _alert(preview.text)
    assert f"U+{ord(separator):04X}" in _alert(preview.text)
    token = csrf_token(trainer_client, "/trainer/intentions/greet")
    saved = trainer_client.post(
        "/trainer/intentions/greet/enregistrer",
        data={"text": text, "csrf_token": token},
        follow_redirects=True,
    )
    assert "Un exemple tient sur une seule ligne" in _alert(saved.text)
    assert nlu_file.read_bytes() == before
    assert not (small_workbench.training_dir / "validated").exists()  # Rasa never asked


def test_an_inbox_message_with_a_separator_cannot_be_annotated(
    trainer_client: TestClient, small_workbench: Settings
) -> None:
    store = TrackerStore(Path(small_workbench.tracker_store_url.removeprefix("sqlite:///")))
    store.user_says("bonjour\u2028je voudrais signaler", "greet", 0.2)
    inbox = trainer_client.get("/trainer/messages")
    keys = [m.key for m in inbox.context["inbox_messages"] if "\u2028" in m.text]
    assert len(keys) == 1
    preview = trainer_client.get(f"/trainer/messages/{keys[0]}/apercu", params={"intent": "greet"})
    assert preview.status_code == 400
    assert "séparateur de ligne (U+2028)" in _alert(preview.text)
