"""A person of `bench/conversations.yml` talking to the assistant: what they say next, given
what the assistant has just shown (its question, its payment buttons).

The script is followed in order. The person adapts only as a person would: they press the
button of the payment they mean when payments are shown, deny a list that lacks it, and answer
a question of the form the script did not foresee with what they know (`knows`) when their next
scripted words answer another question. Every such turn carries a note saying why.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bench.conversation_script import NO_CLAIM, Conversation, Step, render

DENIAL = "non, aucun de ceux-là"
CLAIM_PAYLOAD = '/inform{"claim_choice":'
ANOMALY_PAYLOAD = '/inform{"anomaly_type":'
# The form's questions, by the responses of domain.yml that ask them.
QUESTION_RESPONSES = {
    "care_date": ("utter_ask_care_date", "utter_care_date_not_understood",
                  "utter_care_date_in_future", "utter_care_date_too_old"),
    "provider": ("utter_ask_provider", "utter_provider_not_understood"),
    "act_description": ("utter_ask_act_description", "utter_description_too_short",
                        "utter_description_too_long"),
    "anomaly_type": ("utter_ask_anomaly_type",),
    "correction_field": ("utter_ask_correction_field",),
    "report_confirmed": ("utter_report_summary",),
}  # fmt: skip
# The answers of an assistant that did not understand (counted, not reacted to).
FALLBACK_RESPONSES = ("utter_default", "utter_out_of_scope")
MAX_ANSWERS_PER_QUESTION = 2


def question_starts(domain: Path) -> dict[str, tuple[str, ...]]:
    """How each question of the form begins (its text up to the first slot filled in), and
    under `fallback` how the answers of an assistant that did not understand begin."""
    responses = yaml.safe_load(domain.read_text(encoding="utf-8"))["responses"]
    starts: dict[str, tuple[str, ...]] = {}
    for slot, names in [*QUESTION_RESPONSES.items(), ("fallback", FALLBACK_RESPONSES)]:
        texts = [str(v["text"]) for name in names for v in responses.get(name, []) if "text" in v]
        starts[slot] = tuple(s for s in (t.split("{")[0].strip() for t in texts) if s)
    return starts


@dataclass(frozen=True)
class Screen:
    """The assistant's last answer: its texts, and the buttons of its last message with some."""

    texts: tuple[str, ...] = ()
    buttons: tuple[tuple[str, str], ...] = ()  # (title, payload)

    @classmethod
    def of(cls, answer: list[dict[str, Any]]) -> Screen:
        texts = tuple(str(m["text"]) for m in answer if m.get("text"))
        buttons: tuple[tuple[str, str], ...] = ()
        for message in answer:
            if message.get("buttons"):
                buttons = tuple((str(b["title"]), str(b["payload"])) for b in message["buttons"])
        return cls(texts, buttons)

    def title_of(self, payload: str) -> str | None:
        return next((title for title, p in self.buttons if p == payload), None)

    def claim_offers(self) -> dict[str, str]:
        """The claim choices offered (a claim id, `none`, `fix_date`…) → their payload."""
        offers: dict[str, str] = {}
        for _, payload in self.buttons:
            if payload.startswith(CLAIM_PAYLOAD):
                value = json.loads(payload.removeprefix("/inform")).get("claim_choice")
                offers[str(value)] = payload
        return offers

    def asked(self, starts: dict[str, tuple[str, ...]]) -> str | None:
        """The form's question on screen, if any."""
        if self.claim_offers():
            return "claim_choice"
        if any(payload.startswith(ANOMALY_PAYLOAD) for _, payload in self.buttons):
            return "anomaly_type"
        for text in reversed(self.texts):
            for slot, beginnings in starts.items():
                if slot != "fallback" and any(text.startswith(b) for b in beginnings):
                    return slot
        return None

    def not_understood(self, starts: dict[str, tuple[str, ...]]) -> bool:
        return any(text.startswith(starts["fallback"]) for text in self.texts)


@dataclass(frozen=True)
class Said:
    text: str
    note: str | None = None  # why the person said this rather than their next scripted words


class Person:
    def __init__(
        self,
        conversation: Conversation,
        claim_ids: dict[str, int],
        dates: dict[str, date],
        today: date,
        starts: dict[str, tuple[str, ...]],
    ) -> None:
        self.conversation = conversation
        self.steps = list(conversation.steps)
        self.claim_ids, self.dates, self.today, self.starts = claim_ids, dates, today, starts
        self.pending: str | None = None  # a payment to pick as soon as payments are shown
        self.typed_choice: str | None = None  # a choice typed, to press if it was not taken
        self.answered: Counter[str] = Counter()
        self.missed: list[str] = []  # claims meant but absent from the payments offered
        self.sends = any(step.tag == "confirm" for step in self.steps)
        self.reconfirmed = False

    def render(self, text: str, ordinal: int | None = None) -> str:
        return render(text, self.dates, self.today, ordinal)

    def next(self, screen: Screen) -> Said | None:
        """What the person says to `screen`; None when they have nothing more to say."""
        offers = screen.claim_offers()
        if not offers:
            self.typed_choice = None
        elif said := self._on_payments(offers):
            return said
        slot = screen.asked(self.starts)
        while self.steps:
            said = self._play(self.steps[0], slot, screen)
            if said is not None:
                return said
        return self._finish(slot, screen)

    def _on_payments(self, offers: dict[str, str]) -> Said | None:
        if self.typed_choice is not None:
            key, self.typed_choice = self.typed_choice, None
            return self._press(key, offers, "choix tapé non retenu : bouton pressé")
        if self.steps and self.steps[0].kind != "say":
            step = self.steps.pop(0)
            self.pending = None
            return self._choice(step, offers)
        if self.pending is not None:
            key, self.pending = self.pending, None
            return self._press(self._still_meant(key, offers), offers, "choix prévu, fait ici")
        return None

    def _still_meant(self, key: str, offers: dict[str, str]) -> str:
        """A choice put off to later payments: the claim the person means, if these payments
        show it and not the one the script picked (a deferred « none » meant another list)."""
        means = self.conversation.means
        if key != NO_CLAIM and str(self.claim_ids[key]) in offers:
            return key
        return means if means and str(self.claim_ids[means]) in offers else key

    def _choice(self, step: Step, offers: dict[str, str]) -> Said:
        key = step.claim or self.conversation.means or NO_CLAIM
        if step.kind == "choose_text" and key in self.claim_ids:
            ids = [value for value in offers if value.isdigit()]
            if (claim_id := str(self.claim_ids[key])) in ids:
                self.typed_choice = key
                return Said(self.render(step.text, ids.index(claim_id)))
        return self._press(key, offers)

    def _press(self, key: str, offers: dict[str, str], note: str | None = None) -> Said:
        """The button of claim `key` (or the « none » one), or a denial typed when it is absent."""
        if key == NO_CLAIM:
            if NO_CLAIM in offers:
                return Said(offers[NO_CLAIM], note)
            self.typed_choice = None
            return Said(DENIAL, note)
        claim_id = str(self.claim_ids[key])
        if claim_id in offers:
            return Said(offers[claim_id], note)
        self.missed.append(key)
        self.typed_choice = NO_CLAIM
        return Said(DENIAL, "le paiement voulu n'est pas proposé : refus")

    def _play(self, step: Step, slot: str | None, screen: Screen) -> Said | None:
        """The next scripted step on `screen` (no payments offered, or none to pick); None when
        the step is left out, and the next one is then played."""
        if step.kind != "say":  # a choice, while no payment is shown
            if slot == "care_date" and step.otherwise:
                self.steps.pop(0)
                self.pending = step.claim
                return Said(self.render(step.otherwise), "date redemandée : réponse prévue")
            if said := self._answer(slot, screen):
                return said
            self.steps.pop(0)
            self.pending = step.claim
            return None
        text = self.render(step.text)
        if step.slot is None or step.slot == slot or slot is None:
            pressing_absent = text.startswith("/") and screen.title_of(text) is None
            if step.slot is None and pressing_absent and (said := self._answer(slot, screen)):
                return said
            self.steps.pop(0)
            return Said(text)
        if slot == "report_confirmed":  # the recap is shown: the assistant has all this already
            self.steps.pop(0)
            return None
        if said := self._answer(slot, screen):
            return said
        self.steps.pop(0)
        return Said(text)

    def _answer(self, slot: str | None, screen: Screen) -> Said | None:
        """An answer, from what the person knows, to a question the script did not foresee."""
        if slot is None or self.answered[slot] >= MAX_ANSWERS_PER_QUESTION:
            return None
        note = f"question imprévue ({slot}) : réponse de la personne"
        if slot == "claim_choice":
            said = self._press(self.conversation.means or NO_CLAIM, screen.claim_offers(), note)
        elif slot == "anomaly_type":
            value = self.conversation.knows.get("anomaly_type", "other")
            marker = f'"anomaly_type":"{value}"'
            button = next((p for _, p in screen.buttons if marker in p), None)
            said = Said(button or self.render(value), note)
        elif slot in self.conversation.knows:
            said = Said(self.render(self.conversation.knows[slot]), note)
        else:
            return None
        self.answered[slot] += 1
        return said

    def _finish(self, slot: str | None, screen: Screen) -> Said | None:
        """After the script: a person who meant to send the report answers what is left."""
        if not self.sends:
            return None
        if slot == "report_confirmed":
            if self.reconfirmed:
                return None
            self.reconfirmed = True
            return Said("/affirm", "récapitulatif de nouveau affiché : envoi confirmé")
        return self._answer(slot, screen)
