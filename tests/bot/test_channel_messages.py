"""What channels do before Rasa: check the payload, mask secrets, bind to the token's owner."""

import time

import jwt
import pytest
from bot.channels.messages import MAX_MESSAGE_CHARS, InvalidMessage, prepare_message

SECRET = "channel-test-secret-0123456789-abcdefghij"


def token(
    subject: int = 7,
    *,
    role: str = "policyholder",
    secret: str = SECRET,
    expires_in: int = 600,
    kind: str = "access",
) -> str:
    now = int(time.time())
    return jwt.encode(
        {"sub": str(subject), "role": role, "type": kind, "iat": now, "exp": now + expires_in},
        secret,
        algorithm="HS256",
    )


def test_valid_token_binds_the_conversation_to_its_owner() -> None:
    message = prepare_message(
        {"sender": "tab-1", "message": "bonjour", "metadata": {"access_token": token(7)}}, SECRET
    )
    assert message.sender_id == "assure-7-tab-1"
    assert message.metadata == {"access_token": token(7)}


def test_a_chosen_sender_cannot_reach_another_persons_conversation() -> None:
    forged = prepare_message({"sender": "assure-7-tab-1", "message": "bonjour"}, SECRET)
    assert forged.sender_id == "anonyme-assure-7-tab-1"
    other = prepare_message(
        {"sender": "tab-1", "message": "bonjour", "metadata": {"access_token": token(8)}}, SECRET
    )
    assert other.sender_id == "assure-8-tab-1"


@pytest.mark.parametrize(
    "bad_token",
    [
        token(secret="another-secret-0123456789-abcdefghijklm"),
        token(expires_in=-10),
        token(role="agent"),
        token(kind="refresh"),
        "not-a-token",
    ],
)
def test_invalid_tokens_are_dropped(bad_token: str) -> None:
    message = prepare_message(
        {"sender": "s", "message": "bonjour", "metadata": {"access_token": bad_token}}, SECRET
    )
    assert message.sender_id == "anonyme-s"
    assert message.metadata == {"auth_error": "invalid_token"}


def test_secrets_are_masked_before_rasa() -> None:
    message = prepare_message({"sender": "s", "message": "mon mdp est Azerty12!"}, SECRET)
    assert "Azerty12" not in message.text
    assert message.metadata == {"redacted": ["password"]}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"sender": "s", "message": ""}, 400),
        ({"sender": "s", "message": "   "}, 400),
        ({"sender": "s"}, 400),
        ({"sender": "s", "message": 12}, 400),
        ({"sender": "s", "message": "x" * (MAX_MESSAGE_CHARS + 1)}, 413),
        ({"sender": "s", "message": "ok", "metadata": "token"}, 400),
        (["not", "an", "object"], 400),
    ],
)
def test_bad_payloads_are_refused_in_french(body: object, status: int) -> None:
    with pytest.raises(InvalidMessage) as refusal:
        prepare_message(body, SECRET)
    assert refusal.value.status == status
    assert refusal.value.detail.endswith(".")


def test_markup_and_emoji_pass_as_text() -> None:
    text = "<script>alert(1)</script> 😡 « le Dr Martin »"
    assert prepare_message({"sender": "s", "message": text}, SECRET).text == text


def test_sender_is_sanitised() -> None:
    message = prepare_message({"sender": "../../etc<x>", "message": "ok"}, SECRET)
    assert message.sender_id == "anonyme-etcx"
