"""The whole stack: API, action server and Rasa; a report filed through the REST channel."""

from __future__ import annotations

from typing import Any

import httpx

from tests.bot.stack import Assistant


class Conversation:
    """A client of the REST channel holding a chat token (or none)."""

    def __init__(self, assistant: Assistant, chat: str | None, session: str) -> None:
        self.url = f"{assistant.url}/webhooks/rest/webhook"
        self.chat = chat
        self.session = session

    def say(self, text: str, message_id: str | None = None) -> list[dict[str, Any]]:
        metadata = {"chat_token": self.chat} if self.chat else {}
        body = {"sender": self.session, "message": text, "metadata": metadata}
        if message_id:
            body["message_id"] = message_id
        response = httpx.post(self.url, json=body, timeout=30)
        assert response.status_code == 200, response.text
        answer = list(response.json())
        if self.chat is None and answer:
            self.session = answer[0]["recipient_id"]  # the anonymous handle the channel gave
        return answer

    @staticmethod
    def text(messages: list[dict[str, Any]]) -> str:
        return "\n".join(m.get("text", "") for m in messages)


def first_button(messages: list[dict[str, Any]]) -> str:
    return str(next(m for m in messages if m.get("buttons"))["buttons"][0]["payload"])


def test_a_report_filed_through_the_rest_channel_reaches_the_api(
    assistant: Assistant, api_url: str, token: str, chat: str, claims: list[dict[str, Any]]
) -> None:
    # The demo's crown is already reported (it opens the agents' console): report another line.
    line = [c for c in claims if c["act"]["code"] != "HBLD036"][5]  # tests/bot take 0-3, -1
    day, month, year = reversed(line["care_date"].split("-"))
    provider = line["provider"]["name"]
    conversation = Conversation(assistant, chat, "e2e-happy")

    assert "Bonjour" in conversation.text(conversation.say("bonjour"))
    opening = conversation.say("je veux signaler un remboursement suspect")
    assert "quelle date" in conversation.text(opening).lower()
    assert "professionnel" in conversation.text(conversation.say(f"le {day}/{month}/{year}"))
    found = conversation.say(provider.lower())
    choice = next(
        b["payload"] for m in found for b in m.get("buttons", []) if str(line["id"]) in b["payload"]
    )
    assert "Décrivez" in conversation.text(conversation.say(choice))
    summary = conversation.text(
        conversation.say("on m'a facturé deux séances alors que je n'en ai eu qu'une")
    )
    assert "Voici votre signalement" in summary
    filed = conversation.text(conversation.say("/affirm"))
    assert "référence SIG-" in filed
    reference = filed.split("référence ")[1].split()[0].rstrip(".")

    stored = httpx.get(
        f"{api_url}/api/v1/reports/{reference}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert stored["claim_id"] == line["id"]
    assert stored["channel"] == "assistant"
    assert stored["transcript"][0] == {
        **stored["transcript"][0],
        "sender": "user",
        "text": "bonjour",
    }
    assert any("Voici votre signalement" in t["text"] for t in stored["transcript"])


def test_without_a_token_the_assistant_asks_to_sign_in_and_shows_no_claim(
    assistant: Assistant,
) -> None:
    conversation = Conversation(assistant, None, "e2e-anonymous")
    answer = conversation.text(conversation.say("je veux signaler un remboursement suspect"))
    assert "connectez-vous" in answer
    assert "€" not in answer


def test_a_secret_is_masked_and_warned_about(assistant: Assistant, chat: str) -> None:
    conversation = Conversation(assistant, chat, "e2e-secret")
    answer = conversation.text(conversation.say("mon mot de passe est Soleil2024!"))
    assert "ne communiquez jamais" in answer


def test_campaign_question_is_answered(assistant: Assistant, chat: str) -> None:
    conversation = Conversation(assistant, chat, "e2e-faq")
    answer = conversation.text(
        conversation.say("le mail information de paiement c'est une arnaque ?")
    )
    # It cannot see the email: it says how to recognise a genuine one, never that it is one.
    assert "ne contient aucun lien" in answer
    assert "officiel" not in answer


def test_date_and_provider_in_the_opening_message_are_not_asked_again(
    assistant: Assistant, chat: str, claims: list[dict[str, Any]]
) -> None:
    crown = next(c for c in claims if c["act"]["code"] == "HBLD036")
    day, month, year = reversed(crown["care_date"].split("-"))
    conversation = Conversation(assistant, chat, "e2e-prefilled")
    answer = conversation.say(
        f"le docteur Dupont m'a facturé une couronne le {day}/{month}/{year} "
        "alors que j'ai juste eu un détartrage"
    )
    text = conversation.text(answer)
    assert "J'ai trouvé ce remboursement" in text
    assert "quelle date" not in text.lower()
    # The opening story was the description: confirming the claim leads to the summary.
    # The demo's crown is already reported: that is said, then the line is offered.
    assert "Vous avez déjà signalé ce paiement" in text
    summary = conversation.text(conversation.say(first_button(answer)))
    assert "Voici votre signalement" in summary
    assert "couronne" in summary


def test_correction_at_the_summary_searches_again_and_cancel_files_nothing(
    assistant: Assistant, api_url: str, token: str, chat: str, claims: list[dict[str, Any]]
) -> None:
    crown = next(c for c in claims if c["act"]["code"] == "HBLD036")
    day, month, year = reversed(crown["care_date"].split("-"))
    conversation = Conversation(assistant, chat, "e2e-correction")
    conversation.say("signaler un remboursement suspect")
    conversation.say(f"{day}/{month}/{year}")
    found = conversation.say("dr dupont")
    conversation.say(first_button(found))
    assert "Voici votre signalement" in conversation.text(
        conversation.say("le rendez-vous n'a jamais eu lieu")
    )
    corrected = conversation.text(conversation.say("non, c'était le 2 janvier"))
    assert "Voici votre signalement" not in corrected
    assert "2 janvier" in corrected or "remboursement" in corrected
    before = httpx.get(f"{api_url}/api/v1/reports", headers={"Authorization": f"Bearer {token}"})
    assert "annulé" in conversation.text(conversation.say("laisse tomber"))
    after = httpx.get(f"{api_url}/api/v1/reports", headers={"Authorization": f"Bearer {token}"})
    assert after.json()["total"] == before.json()["total"]


def test_a_campaign_question_mid_form_is_answered_then_the_form_goes_on(
    assistant: Assistant, chat: str
) -> None:
    conversation = Conversation(assistant, chat, "e2e-faq-mid-form")
    conversation.say("je souhaite signaler un remboursement suspect")
    answer = conversation.text(
        conversation.say("au fait, ce mail information de paiement c'est du phishing ?")
    )
    assert "ne contient aucun lien" in answer
    assert "Quelle date figure sur la ligne" in answer


def test_asking_for_an_adviser_beside_a_report_gets_both(assistant: Assistant, chat: str) -> None:
    conversation = Conversation(assistant, chat, "e2e-adviser-beside")
    answer = conversation.text(
        conversation.say(
            "est-ce que je peux avoir un conseiller au téléphone ? quelqu'un s'est servi "
            "de ma carte vitale chez un dentiste"
        )
    )
    assert "3646" in answer  # the question, answered first
    assert "Quelle date figure sur la ligne" in answer  # then the report goes on
