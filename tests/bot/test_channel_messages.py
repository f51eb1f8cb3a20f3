"""What channels do before Rasa: check the payload, clean and mask the text, bind the
conversation to the chat token's owner, keep no token."""

import json
import time

import jwt
import pytest
from bot.channels.messages import MAX_MESSAGE_CHARS, InvalidMessage, clean_text, prepare_message
from contract import tokens

KEY = "channel-test-key-0123456789-abcdefghijklmnop"


def chat_token(
    subject: int = 7,
    *,
    role: str = "policyholder",
    key: str = KEY,
    lifetime: int = 600,
    issued_ago: int = 0,
    kind: str = tokens.CHAT,
    session: str | None = "sess-1",
) -> str:
    """A token as the API mints it (contract.tokens), or with one rule broken."""
    payload = tokens.claims(
        token_type=kind,
        subject=subject,
        role=role,
        session_id=session or "",
        now=int(time.time()) - issued_ago,
        seconds=lifetime,
    )
    if session is None:
        del payload[tokens.SESSION]
    return jwt.encode(payload, key, algorithm=tokens.ALGORITHM)


def say(text: str = "bonjour", sender: object = "tab-1", **metadata: object) -> dict[str, object]:
    return {"sender": sender, "message": text, "metadata": metadata}


def test_a_chat_token_binds_the_conversation_to_its_owner_and_is_not_kept() -> None:
    token = chat_token(7)
    message = prepare_message(say(chat_token=token), KEY)
    assert message.sender_id == "assure-7-tab-1"
    assert message.metadata["auth"]["policyholder_id"] == 7
    assert message.metadata["auth"]["session"] == "sess-1"
    assert token not in json.dumps(message.metadata)
    assert message.client_handle is None


def test_a_chosen_sender_cannot_reach_another_persons_conversation() -> None:
    forged = prepare_message(say(sender="assure-7-tab-1"), KEY)
    assert forged.sender_id.startswith("anonyme-")
    assert "assure-7" not in forged.sender_id
    other = prepare_message(say(chat_token=chat_token(8)), KEY)
    assert other.sender_id == "assure-8-tab-1"


@pytest.mark.parametrize(
    "bad_token",
    [
        chat_token(key="another-key-0123456789-abcdefghijklmnopq"),
        chat_token(lifetime=-10, issued_ago=60),
        chat_token(role="agent"),
        chat_token(kind=tokens.ACCESS),
        chat_token(kind=tokens.ASSISTANT),
        chat_token(session=None),
        chat_token(lifetime=30 * 365 * 24 * 3600),
        chat_token(issued_ago=-3600),
        "not-a-token",
        "x" * 5000,
    ],
    ids=[
        *("forged", "expired", "staff", "access", "assistant", "no-session"),
        *("30-years", "future", "garbage", "huge"),
    ],
)
def test_invalid_tokens_give_an_anonymous_conversation(bad_token: str) -> None:
    message = prepare_message(say(chat_token=bad_token), KEY)
    assert message.sender_id.startswith("anonyme-")
    assert message.metadata == {"auth_error": "invalid_token"}


def test_client_metadata_never_reaches_rasa() -> None:
    message = prepare_message(
        say(chat_token=chat_token(7), access_token="eyJ.leftover.token", anything="else"), KEY
    )
    assert set(message.metadata) == {"auth"}


def test_each_anonymous_visitor_gets_a_conversation_of_their_own() -> None:
    first = prepare_message(say(sender="same-name"), KEY)
    second = prepare_message(say(sender="same-name"), KEY)
    assert first.sender_id != second.sender_id
    # The handle the channel gave back continues that very conversation.
    again = prepare_message(say(sender=first.client_handle), KEY)
    assert again.sender_id == first.sender_id
    # A handle signed with another key, or altered, starts a new one.
    assert first.client_handle is not None
    tampered = first.client_handle[:-1] + ("0" if first.client_handle[-1] != "0" else "1")
    assert prepare_message(say(sender=tampered), KEY).sender_id != first.sender_id
    assert prepare_message(say(sender=first.client_handle), KEY * 2).sender_id != first.sender_id


def test_secrets_are_masked_before_rasa() -> None:
    message = prepare_message(say("mon mdp est Azerty12!"), KEY)
    assert "Azerty12" not in message.text
    assert message.metadata == {"redacted": ["password"]}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"sender": "s", "message": ""}, 400),
        ({"sender": "s", "message": "   "}, 400),
        ({"sender": "s", "message": "\x00\x01\u2028"}, 400),
        ({"sender": "s"}, 400),
        ({"sender": "s", "message": 12}, 400),
        ({"sender": "s", "message": "x" * (MAX_MESSAGE_CHARS + 1)}, 413),
        ({"sender": "s", "message": "ok", "metadata": "token"}, 400),
        (["not", "an", "object"], 400),
    ],
)
def test_bad_payloads_are_refused_in_french(body: object, status: int) -> None:
    with pytest.raises(InvalidMessage) as refusal:
        prepare_message(body, KEY)
    assert refusal.value.status == status
    assert refusal.value.detail.endswith(".")


def test_markup_and_emoji_pass_as_text() -> None:
    text = "<script>alert(1)</script> 😡 « le Dr Martin »"
    assert prepare_message(say(text), KEY).text == text


def test_broken_unicode_and_control_characters_are_cleaned() -> None:
    assert clean_text("un \ud83d emoji coupé") == "un \ufffd emoji coupé"
    assert clean_text("a\x00b\x0bc\x0cd\u2028e\u0085f\r\ng") == "a b c d e f\ng"
    # What is left can be stored as UTF-8 (SQLite, PostgreSQL, JSON).
    prepare_message(say("le dentiste \udc00 hier\x00"), KEY).text.encode("utf-8")


def test_a_policyholder_sender_is_sanitised() -> None:
    message = prepare_message(say(sender="../../etc<x>", chat_token=chat_token(7)), KEY)
    assert message.sender_id == "assure-7-etcx"
