"""The pure parts of the Rasa server's safeguards: a message recognised when sent again, and no
credential left in what is stored."""

from bot.delivery import message_id, previous_answers
from bot.resilience import scrub_metadata
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    FollowupAction,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXRvLWtlZXA"


def conversation() -> list[object]:
    return [
        ActionExecuted("action_listen"),
        UserUttered("bonjour", message_id="first-message"),
        BotUttered("Bonjour !", {"buttons": [{"title": "Signaler", "payload": "/report"}]}),
        ActionExecuted("action_listen"),
        UserUttered("hier", message_id="second-message"),
        SlotSet("care_date", "2026-11-30"),
        BotUttered("Quel professionnel ?"),
        BotUttered("Par exemple « le dentiste »."),
        ActionExecuted("action_listen"),
        UserUttered("ok", message_id="third-message"),
    ]


def test_the_answers_to_a_message_already_handled_are_found_in_order() -> None:
    assert previous_answers(conversation(), "second-message") == [
        {"text": "Quel professionnel ?"},
        {"text": "Par exemple « le dentiste »."},
    ]
    first = previous_answers(conversation(), "first-message")
    assert first == [
        {"text": "Bonjour !", "buttons": [{"title": "Signaler", "payload": "/report"}]}
    ]


def test_a_handled_message_without_answer_is_still_known() -> None:
    assert previous_answers(conversation(), "third-message") == []


def test_a_message_whose_turn_failed_is_handled_when_sent_again() -> None:
    failed = [
        *conversation(),
        BotUttered("Je rencontre un problème technique…"),
        UserUtteranceReverted(),
        FollowupAction("action_listen"),
    ]
    assert previous_answers(failed, "third-message") is None
    assert previous_answers(failed, "second-message") == [
        {"text": "Quel professionnel ?"},
        {"text": "Par exemple « le dentiste »."},
    ]


def test_a_new_message_is_not_known() -> None:
    assert previous_answers(conversation(), "never-sent") is None
    assert previous_answers(conversation(), None) is None


def test_only_sensible_client_ids_are_kept() -> None:
    assert message_id("abcdef0123456789") == "abcdef0123456789"
    for bad in (None, 12, "short", "x" * 65, "with space 123", "<script>alert(1)</script>"):
        generated = message_id(bad)
        assert generated != bad and len(generated) == 32


def test_credentials_are_scrubbed_from_stored_metadata() -> None:
    metadata = {
        "auth": {"policyholder_id": 7, "session": "s1", "expires_at": 1},
        "access_token": JWT,
        "chat_token": "anything",
        "Authorization": "Bearer x",
        "nested": {"password": "p", "kept": "yes", "copy": JWT},
        "list": ["fine", JWT],
        "redacted": ["password"],
    }
    assert scrub_metadata(metadata) == {
        "auth": {"policyholder_id": 7, "session": "s1", "expires_at": 1},
        "nested": {"kept": "yes"},
        "list": ["fine"],
        "redacted": ["password"],
    }
