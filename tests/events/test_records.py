"""An event's key and stored data: the same from the broker and the tracker store; no secrets."""

import json

import pytest

from api.events.records import (
    TOKEN_MASK,
    MalformedEvent,
    from_broker_body,
    from_tracker_row,
    mask_tokens,
)
from tests.events.support import SECRET_TOKEN, Conversation, rasa_body


def test_a_broker_message_and_its_tracker_row_have_the_same_key() -> None:
    conversation = Conversation().story()
    keys = set()
    for event in conversation.events:
        from_broker = from_broker_body(rasa_body(conversation.sender_id, event))
        from_tracker = from_tracker_row(conversation.sender_id, json.dumps(event))
        assert from_broker == from_tracker
        keys.add(from_broker.event_key)
    assert len(keys) == len(conversation.events)  # every event its own key


def test_the_key_changes_with_the_conversation_and_with_any_field() -> None:
    conversation = Conversation()
    event = conversation.user("bonjour")
    key = from_tracker_row(conversation.sender_id, json.dumps(event)).event_key
    assert from_tracker_row("assure-8-zz", json.dumps(event)).event_key != key
    later = {**event, "timestamp": event["timestamp"] + 1e-6}
    assert from_tracker_row(conversation.sender_id, json.dumps(later)).event_key != key
    # Key order and spacing of the JSON do not matter.
    reordered = json.dumps(dict(reversed(list(event.items()))), indent=2)
    assert from_tracker_row(conversation.sender_id, reordered).event_key == key


def test_only_what_the_analytics_and_the_inbox_read_is_kept() -> None:
    conversation = Conversation().story()
    records = [from_tracker_row(conversation.sender_id, json.dumps(e)) for e in conversation.events]
    stored = json.dumps([r.data for r in records])
    for secret in (SECRET_TOKEN, "s-123", "policyholder_id", "SIG-2026-000042", "k-0f9e8d7c6b5a"):
        assert secret not in stored
    user = next(r for r in records if r.data.get("text") == "bonjour")
    assert user.data["metadata"] == {"model_id": "8f1c2d"}
    assert user.data["parse_data"]["intent"] == {"name": "greet", "confidence": 0.91}
    assert "metadata" not in user.data["parse_data"]
    assert (user.type_name, user.intent_name, user.confidence) == ("user", "greet", 0.91)
    filed = next(
        r for r in records if r.type_name == "bot" and r.action_name == "utter_report_filed"
    )
    assert "text" not in filed.data
    slots = {r.action_name: r.data for r in records if r.type_name == "slot"}
    assert slots["requested_slot"]["value"] == "care_date"
    assert "value" not in slots["act_description"] and "value" not in slots["report_reference"]
    action = next(r for r in records if r.action_name == "action_file_report")
    assert action.data["policy"] == "RulePolicy"


def test_anything_that_looks_like_a_token_in_typed_text_is_masked() -> None:
    assert (
        mask_tokens(f"voici mon jeton {SECRET_TOKEN} merci")
        == f"voici mon jeton {TOKEN_MASK} merci"
    )
    assert mask_tokens("Authorization: Bearer abc.def-123456") == f"Authorization: {TOKEN_MASK}"
    assert mask_tokens("clé 0f9e8d7c6b5a49382716aa55bb66cc77dd") == f"clé {TOKEN_MASK}"
    sentence = "anticonstitutionnellementmalheureusement, le docteur Martin le 3 mars"
    assert mask_tokens(sentence) == sentence  # letters only: a word, not a key


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\xff\xfe", "not-json"),
        (b"{not json", "not-json"),
        (b"[1, 2]", "not-an-object"),
        (b'{"event": "user", "timestamp": 1.0}', "bad-sender-id"),
        (b'{"sender_id": "", "event": "user", "timestamp": 1.0}', "bad-sender-id"),
        (b'{"sender_id": "a\\u0000b", "event": "user", "timestamp": 1.0}', "bad-sender-id"),
        (b'{"sender_id": "a", "timestamp": 1.0}', "bad-event-type"),
        (b'{"sender_id": "a", "event": "user", "timestamp": 1, "text": "\\ud800"}', "bad-unicode"),
        (b'{"sender_id": "a", "event": "user"}', "bad-timestamp"),
        (b'{"sender_id": "a", "event": "user", "timestamp": "hier"}', "bad-timestamp"),
        (b'{"sender_id": "a", "event": "user", "timestamp": NaN}', "bad-timestamp"),
        (b'{"sender_id": "a", "event": "user", "timestamp": true}', "bad-timestamp"),
        (
            b'{"sender_id": "a", "event": "user", "timestamp": 1, "parse_data": '
            + b'{"intent": {"name": "'
            + b"x" * 300
            + b'"}}}',
            "bad-intent",
        ),
    ],
)
def test_what_is_not_a_rasa_event_is_refused_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedEvent) as refused:
        from_broker_body(body)
    assert refused.value.reason == reason
    assert str(refused.value) == reason  # the reason never quotes the message
