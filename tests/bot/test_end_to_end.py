"""The whole stack: API, action server and Rasa; a report filed through the REST channel."""

from __future__ import annotations

from typing import Any

import httpx

from tests.bot.stack import Assistant


class Conversation:
    def __init__(self, assistant: Assistant, token: str | None, session: str) -> None:
        self.url = f"{assistant.url}/webhooks/rest/webhook"
        self.token = token
        self.session = session

    def say(self, text: str) -> list[dict[str, Any]]:
        metadata = {"access_token": self.token} if self.token else {}
        response = httpx.post(
            self.url,
            json={"sender": self.session, "message": text, "metadata": metadata},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return list(response.json())

    @staticmethod
    def text(messages: list[dict[str, Any]]) -> str:
        return "\n".join(m.get("text", "") for m in messages)


def test_a_report_filed_through_the_rest_channel_reaches_the_api(
    assistant: Assistant, api_url: str, token: str, claims: list[dict[str, Any]]
) -> None:
    crown = next(c for c in claims if c["act"]["code"] == "HBLD036")
    day, month, year = reversed(crown["care_date"].split("-"))
    chat = Conversation(assistant, token, "e2e-happy")

    assert "Bonjour" in chat.text(chat.say("bonjour"))
    assert "quelle date" in chat.text(chat.say("je veux signaler un remboursement suspect")).lower()
    assert "professionnel" in chat.text(chat.say(f"le {day}/{month}/{year}"))
    found = chat.say("docteur dupont")
    assert "Dr Paul Dupont" in chat.text(found) and "couronne" in chat.text(found)
    choice = found[0]["buttons"][0]["payload"]
    assert "Décrivez" in chat.text(chat.say(choice))
    summary = chat.text(
        chat.say("on m'a facturé une couronne alors que j'ai juste eu un détartrage")
    )
    assert "Voici votre signalement" in summary
    assert "plus cher que celui reçu" in summary
    filed = chat.text(chat.say("/affirm"))
    assert "référence SIG-" in filed
    reference = filed.split("référence ")[1].split()[0].rstrip(".")

    stored = httpx.get(
        f"{api_url}/api/v1/reports/{reference}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert stored["claim_id"] == crown["id"]
    assert stored["anomaly_type"] == "billed_more_than_performed"
    assert stored["transcript"][0] == {
        **stored["transcript"][0],
        "sender": "user",
        "text": "bonjour",
    }
    assert any("Voici votre signalement" in t["text"] for t in stored["transcript"])


def test_without_a_token_the_assistant_asks_to_sign_in_and_shows_no_claim(
    assistant: Assistant,
) -> None:
    chat = Conversation(assistant, None, "e2e-anonymous")
    answer = chat.text(chat.say("je veux signaler un remboursement suspect"))
    assert "connectez-vous" in answer
    assert "€" not in answer


def test_a_secret_is_masked_and_warned_about(assistant: Assistant, token: str) -> None:
    chat = Conversation(assistant, token, "e2e-secret")
    answer = chat.text(chat.say("mon mot de passe est Soleil2024!"))
    assert "ne communiquez jamais" in answer


def test_campaign_question_is_answered(assistant: Assistant, token: str) -> None:
    chat = Conversation(assistant, token, "e2e-faq")
    answer = chat.text(chat.say("le mail information de paiement c'est une arnaque ?"))
    assert "officiel" in answer


def test_date_and_provider_in_the_opening_message_are_not_asked_again(
    assistant: Assistant, token: str, claims: list[dict[str, Any]]
) -> None:
    crown = next(c for c in claims if c["act"]["code"] == "HBLD036")
    day, month, year = reversed(crown["care_date"].split("-"))
    chat = Conversation(assistant, token, "e2e-prefilled")
    answer = chat.say(
        f"le docteur Dupont m'a facturé une couronne le {day}/{month}/{year} "
        "alors que j'ai juste eu un détartrage"
    )
    text = chat.text(answer)
    assert "J'ai trouvé ce remboursement" in text
    assert "quelle date" not in text.lower()
    # The opening story was the description: confirming the claim leads to the summary.
    summary = chat.text(chat.say(answer[0]["buttons"][0]["payload"]))
    assert "Voici votre signalement" in summary
    assert "couronne" in summary


def test_correction_at_the_summary_searches_again_and_cancel_files_nothing(
    assistant: Assistant, api_url: str, token: str, claims: list[dict[str, Any]]
) -> None:
    crown = next(c for c in claims if c["act"]["code"] == "HBLD036")
    day, month, year = reversed(crown["care_date"].split("-"))
    chat = Conversation(assistant, token, "e2e-correction")
    chat.say("signaler un remboursement suspect")
    chat.say(f"{day}/{month}/{year}")
    found = chat.say("dr dupont")
    chat.say(found[0]["buttons"][0]["payload"])
    assert "Voici votre signalement" in chat.text(chat.say("le rendez-vous n'a jamais eu lieu"))
    corrected = chat.text(chat.say("non, c'était le 2 janvier"))
    assert "Voici votre signalement" not in corrected
    assert "2 janvier" in corrected or "remboursement" in corrected
    before = httpx.get(f"{api_url}/api/v1/reports", headers={"Authorization": f"Bearer {token}"})
    assert "annulé" in chat.text(chat.say("laisse tomber"))
    after = httpx.get(f"{api_url}/api/v1/reports", headers={"Authorization": f"Bearer {token}"})
    assert after.json()["total"] == before.json()["total"]


def test_a_campaign_question_mid_form_is_answered_then_the_form_goes_on(
    assistant: Assistant, token: str
) -> None:
    chat = Conversation(assistant, token, "e2e-faq-mid-form")
    chat.say("je souhaite signaler un remboursement suspect")
    answer = chat.text(chat.say("au fait, ce mail information de paiement c'est du phishing ?"))
    assert "officiel" in answer
    assert "À quelle date" in answer
