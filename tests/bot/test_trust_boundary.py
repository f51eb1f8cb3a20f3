"""The trust boundary against the real stack: no token at rest, an action server that answers
only Rasa, the assistant acting only while the person's session is open, one handling per
message, and bad input refused in French."""

from __future__ import annotations

import json
import re
import sqlite3
import stat
from typing import Any

import httpx

from tests.bot.conftest import chat_token, sign_in
from tests.bot.stack import Assistant
from tests.bot.test_end_to_end import Conversation

JWT = re.compile(r"eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}")


def _stored(assistant: Assistant) -> list[tuple[str, str]]:
    with sqlite3.connect(assistant.tracker_path) as connection:
        return list(connection.execute("SELECT sender_id, data FROM events ORDER BY id"))


def test_no_token_is_stored_and_the_tracker_file_is_private(
    assistant: Assistant, chat: str
) -> None:
    conversation = Conversation(assistant, chat, "e2e-at-rest")
    conversation.say("bonjour")
    conversation.say("je veux signaler un remboursement suspect")
    rows = [data for sender, data in _stored(assistant) if sender == "assure-1-e2e-at-rest"]
    assert rows, "the conversation was stored"
    assert not any(JWT.search(data) or chat in data for data in rows)
    users = [json.loads(data) for data in rows if json.loads(data)["event"] == "user"]
    assert {tuple(sorted(u["metadata"]["auth"])) for u in users} == {
        ("expires_at", "policyholder_id", "session")
    }
    assert stat.S_IMODE(assistant.tracker_path.stat().st_mode) == 0o600


def test_the_action_server_answers_only_rasa(assistant: Assistant) -> None:
    call = {"next_action": "action_report_status", "tracker": {"sender_id": "assure-1-x"}}
    for headers in ({}, {"Authorization": "Bearer guessed"}):
        refused = httpx.post(f"{assistant.actions_url}/webhook", json=call, headers=headers)
        assert refused.status_code == 401
        assert "tracker" not in refused.text
    assert httpx.get(f"{assistant.actions_url}/health").status_code == 200


def test_after_sign_out_the_assistant_can_no_longer_act_for_the_person(
    assistant: Assistant, api_url: str
) -> None:
    access = sign_in(api_url, "assure2")
    conversation = Conversation(assistant, chat_token(api_url, access), "e2e-signed-out")
    listed = conversation.text(conversation.say("où en est mon signalement ?"))
    assert "Voici vos signalements" in listed or "aucun signalement" in listed
    signed_out = httpx.post(
        f"{api_url}/api/v1/auth/logout", headers={"Authorization": f"Bearer {access}"}
    )
    assert signed_out.status_code == 204
    # The chat token is still within its lifetime, but its session is over at the API.
    after = conversation.text(conversation.say("où en est mon signalement ?"))
    assert "Votre session a expiré" in after
    assert "SIG-" not in after


def test_a_message_sent_again_is_answered_again_not_handled_twice(
    assistant: Assistant, chat: str
) -> None:
    conversation = Conversation(assistant, chat, "e2e-twice")
    first = conversation.say("je veux signaler un remboursement suspect", "same-message-0001")
    again = conversation.say("je veux signaler un remboursement suspect", "same-message-0001")
    assert [m["text"] for m in again] == [m["text"] for m in first]
    users = [
        json.loads(data)
        for sender, data in _stored(assistant)
        if sender == "assure-1-e2e-twice" and json.loads(data)["event"] == "user"
    ]
    assert [u["message_id"] for u in users].count("same-message-0001") == 1


def _post(assistant: Assistant, content: bytes, content_type: str) -> httpx.Response:
    return httpx.post(
        f"{assistant.url}/webhooks/rest/webhook",
        content=content,
        headers={"Content-Type": content_type},
        timeout=30,
    )


def test_bad_bodies_are_refused_in_french_and_broken_text_is_answered(
    assistant: Assistant, chat: str
) -> None:
    body: dict[str, Any] = {"sender": "e2e-input", "message": "bonjour"}
    not_json = _post(assistant, b"sender=x&message=bonjour", "application/x-www-form-urlencoded")
    assert not_json.status_code == 415 and "JSON" in not_json.json()["detail"]
    broken = _post(assistant, b'{"sender": "x", "message": ', "application/json")
    assert broken.status_code == 400 and "JSON" in broken.json()["detail"]
    huge = _post(
        assistant, json.dumps({**body, "message": "x" * 200_000}).encode(), "application/json"
    )
    assert huge.status_code == 413 and huge.json()["detail"].endswith(".")
    # A lone surrogate (a broken emoji) and a NUL: cleaned, and the person gets an answer.
    raw = b'{"sender": "e2e-input", "message": "bonjour \\ud83d et \\u0000 merci",'
    raw += b' "metadata": {"chat_token": "' + chat.encode() + b'"}}'
    answered = _post(assistant, raw, "application/json")
    assert answered.status_code == 200 and answered.json()
    assert answered.headers["x-content-type-options"] == "nosniff"
