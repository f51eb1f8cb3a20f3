"""The guard and domain.yml: the warning after a secret says only what is true."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from bot.components.sensitive import (
    ENTITY,
    INTENT_NAME,
    MASKED_WORDINGS,
    MENTION,
    UNMASKED,
    SensitiveDataGuard,
)
from rasa.core.actions.action import ActionExtractSlots
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(ROOT / "domain.yml")
RESPONSE = "utter_sensitive_data_warning"
CLAIM = re.compile(r"\b(?:je l['’]ai|j['’]ai) masqué", re.I)


def guarded(text: str, intent: str = "inform") -> Message:
    message = Message(data={TEXT: text, INTENT: {"name": intent, "confidence": 0.9}, ENTITIES: []})
    SensitiveDataGuard().process([message])
    return message


def secret_kind(message: Message) -> Any:
    values = [e["value"] for e in message.get(ENTITIES) or [] if e["entity"] == ENTITY]
    return values[0] if values else None


def test_a_masked_message_becomes_the_warning_with_what_was_masked() -> None:
    message = guarded("mon mot de passe est [mot de passe masqué]")
    assert message.get(INTENT)["name"] == INTENT_NAME
    assert secret_kind(message) == "password"
    entity = next(e for e in message.get(ENTITIES) if e["entity"] == ENTITY)
    # An empty span: Rasa's evaluation needs one; the inbox proposes only spans that cover words.
    assert entity["start"] == entity["end"] == 0


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("voici mon iban [IBAN masqué]", "iban"),
        ("ma cb [numéro de carte masqué]", "card"),
        ("sécu [numéro de sécurité sociale masqué]", "nir"),
        ("code PIN [code masqué]", "code"),
        ("mon identifiant est [identifiant masqué]", "login"),
        ("identifiants : [identifiant masqué] / [mot de passe masqué]", "password"),
        ("iban [IBAN masqué] et mdp [mot de passe masqué]", "several"),
    ],
)
def test_the_kind_follows_the_placeholders(text: str, kind: str) -> None:
    assert secret_kind(guarded(text)) == kind


def test_a_secret_in_clear_is_warned_about_without_a_claim_and_kept_out_of_the_parse() -> None:
    message = guarded("mon mdp est Azerty12!")
    assert message.get(INTENT)["name"] == INTENT_NAME
    assert secret_kind(message) == UNMASKED
    assert "Azerty12" not in message.get(TEXT)


def test_a_secret_only_talked_about_gets_the_answer_without_claim() -> None:
    message = guarded("je vous donne mon numéro de sécu ?", intent=INTENT_NAME)
    assert message.get(INTENT)["name"] == INTENT_NAME
    assert secret_kind(message) == MENTION
    assert message.get(TEXT) == "je vous donne mon numéro de sécu ?"


@pytest.mark.parametrize(
    "text", ["j'ai oublié mon mot de passe", "comment changer mon mot de passe ?", "/inform"]
)
def test_other_messages_are_left_alone(text: str) -> None:
    message = guarded(text, intent="other_procedure")
    assert message.get(INTENT)["name"] == "other_procedure"
    assert secret_kind(message) is None


def test_a_payload_for_the_warning_claims_nothing() -> None:
    assert secret_kind(guarded("/share_sensitive_data", intent=INTENT_NAME)) == MENTION


def answer(kind: str | None) -> str:
    """The warning Rasa sends once the guard's entity has filled `secret_kind`."""
    entities = [] if kind is None else [{"entity": ENTITY, "value": kind}]
    user = UserUttered("…", {"name": INTENT_NAME, "confidence": 1.0}, entities)
    tracker = DialogueStateTracker.from_events("s", [user], slots=DOMAIN.slots)
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    events = asyncio.run(
        ActionExtractSlots(None).run(CollectingOutputChannel(), nlg, tracker, DOMAIN)
    )
    for event in events:
        tracker.update(event)
    assert tracker.get_slot("secret_kind") == kind
    response = asyncio.run(nlg.generate(RESPONSE, tracker, "rest"))
    assert response is not None
    return str(response["text"])


WHAT = {
    "password": "mot de passe",
    "login": "identifiant",
    "code": "code",
    "iban": "IBAN",
    "card": "numéro de carte",
    "nir": "numéro",
    "several": "ces informations",
}


@pytest.mark.parametrize("kind", sorted(MASKED_WORDINGS))
def test_the_warning_says_what_was_masked(kind: str) -> None:
    text = answer(kind)
    assert CLAIM.search(text)
    assert WHAT[kind] in text
    assert "ne communiquez jamais" in text


@pytest.mark.parametrize("kind", [UNMASKED, MENTION, None])
def test_without_a_masked_value_the_warning_claims_nothing(kind: str | None) -> None:
    text = answer(kind)
    assert not CLAIM.search(text)
    assert "enregistré" not in text


def test_every_wording_is_distinct_and_in_french_typography() -> None:
    variations = DOMAIN.responses[RESPONSE]
    conditioned = {v["condition"][0]["value"] for v in variations if v.get("condition")}
    assert conditioned == set(MASKED_WORDINGS) | {UNMASKED}
    texts = [v["text"] for v in variations]
    assert len(set(texts)) == len(texts)
    for text in texts:
        assert not re.search(r"[ ][:;?!»]|«[ ]", text), text
        assert not re.search(r"[^\u00a0][:;?!»]|«[^\u00a0]", text), text
