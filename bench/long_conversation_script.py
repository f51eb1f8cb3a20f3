"""What a talkative policyholder says in one long conversation (bench/long_conversation_bench.py).

Deterministic: greetings, questions the assistant answers (the FAQ of `domain.yml`), courtesy,
reports started then cancelled at various steps (« annuler », « stop »…, sometimes after a
question asked in the middle of the form), and now and then a report carried to the end and
filed on one of the person's claims. The phrasings come from the intents of data/nlu.yml.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import count
from typing import Any


@dataclass(frozen=True)
class Said:
    """One message: its kind (for the per-turn record) and its text."""

    kind: str
    text: str


@dataclass(frozen=True)
class Claim:
    """A claim of the person, as the REST channel's filing messages need it."""

    id: int
    care_date: str  # dd/mm/yyyy
    provider: str


GREETINGS = ("bonjour", "salut", "bonsoir", "coucou", "hello", "bonjour madame", "bjr")
QUESTIONS = (
    "le mail information de paiement c'est un vrai ?",
    "est-ce une arnaque ce mail de l'assurance maladie ?",
    "pourquoi le mail ne dit pas le montant",
    "que veut dire ce mail information de paiement",
    "pourquoi je reçois ces mails depuis septembre",
    "c'est quoi le but de ces mails",
    "comment voir mes remboursements",
    "où consulter mes derniers paiements",
    "où en est mon signalement ?",
    "mon remboursement n'est pas arrivé",
    "pourquoi seulement 70% ?",
    "je veux signaler un changement d'adresse",
    "comment savoir si le mail vient vraiment d'ameli",
    "depuis quand l'assurance maladie envoie ces mails",
    "statut de mon signalement",
)
COURTESY = (
    "merci",
    "tu es un robot ?",
    "je veux parler à un conseiller",
    "merci beaucoup",
    "raconte-moi une blague",
    "vous êtes une vraie personne ?",
    "quel numéro appeler",
    "je vous remercie",
    "au revoir",
    "quel temps fait-il demain",
)
OPENINGS = (
    "je veux signaler un remboursement suspect",
    "signaler un remboursement suspect",
    "il y a un acte que je n'ai jamais eu sur mon relevé",
    "je ne connais pas ce médecin qui apparaît dans mes remboursements",
    "on m'a compté deux séances de kiné le même jour",
)
DATES = ("le 3 mars", "début juillet", "il y a quinze jours", "lundi dernier", "le 12 janvier")
PROVIDERS = ("Dr Martin", "pharmacie du centre", "le dentiste", "docteur Aubert")
MID_FORM = (
    "au fait, ce mail information de paiement c'est du phishing ?",
    "tu es un robot ?",
    "comment voir mes remboursements",
)
CANCELS = ("annuler", "stop", "laisse tomber", "je ne veux plus signaler", "oublie", "j'arrête")
DESCRIPTION = "cet acte n'a jamais eu lieu, je n'y suis jamais allé"


def claims_of(items: Sequence[dict[str, Any]], wanted: int) -> list[Claim]:
    """`wanted` claims to file on, one per provider: never the demo's crown (already
    reported, it opens the agents' console)."""
    chosen: list[Claim] = []
    providers: set[str] = set()
    for item in items:
        name = str(item["provider"]["name"])
        if item["act"]["code"] == "HBLD036" or name in providers:
            continue
        day, month, year = reversed(str(item["care_date"]).split("-"))
        chosen.append(Claim(int(item["id"]), f"{day}/{month}/{year}", name))
        providers.add(name)
        if len(chosen) == wanted:
            break
    return chosen


def pick(options: Sequence[str], n: int) -> str:
    return options[n % len(options)]


def chatter(n: int) -> list[Said]:
    """Greeting, a question or two, a courtesy."""
    said = [Said("greeting", pick(GREETINGS, n)), Said("question", pick(QUESTIONS, 2 * n))]
    if n % 2:
        said.append(Said("question", pick(QUESTIONS, 2 * n + 1)))
    return [*said, Said("courtesy", pick(COURTESY, n))]


def cancelled(n: int) -> list[Said]:
    """A report started, answered for 0 to 3 steps (a question in the middle, now and then),
    then cancelled."""
    said = [Said("report", pick(OPENINGS, n))]
    steps = [
        Said("report_answer", pick(DATES, n)),
        Said("report_answer", pick(PROVIDERS, n)),
        Said("question", pick(MID_FORM, n)),
    ]
    said += steps[: n % 4]
    return [*said, Said("cancel", pick(CANCELS, n))]


def filing(claim: Claim) -> list[Said]:
    """A report carried to the end on `claim` and filed (as bench/assistant_bench.py does)."""
    return [
        Said("report", OPENINGS[0]),
        Said("report_answer", f"le {claim.care_date}"),
        Said("report_answer", claim.provider.lower()),
        Said("report_answer", f'/inform{{"claim_choice":"{claim.id}"}}'),
        Said("report_answer", DESCRIPTION),
        Said("filing", "/affirm"),
    ]


def questions(n: int) -> list[Said]:
    return [Said("question", pick(QUESTIONS, 3 * n + k)) for k in range(1 + n % 3)]


def talkative(claims: Sequence[Claim], filing_every: int = 5) -> Iterator[Said]:
    """The endless script: rounds of chatter, cancelled reports and questions; every
    `filing_every` rounds, one more report filed while `claims` last."""
    left = list(claims)
    for n in count():
        yield from chatter(n)
        yield from cancelled(n)
        yield from questions(n)
        if n % filing_every == filing_every - 1 and left:
            yield from filing(left.pop(0))
        yield from cancelled(n + 1)
