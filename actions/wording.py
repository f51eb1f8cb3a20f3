"""How the assistant reads descriptions and writes claims, dates and amounts in French."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from bot.french_dates import format_french
from bot.text import words

ANOMALY_LABELS = {
    "not_performed": "l'acte n'a jamais eu lieu",
    "billed_more_than_performed": "l'acte facturé est plus cher que celui reçu",
    "billed_twice": "l'acte a été facturé deux fois",
    "unknown_provider": "vous ne connaissez pas ce professionnel",
    "other": "autre anomalie",
}

# Checked in this order: the more specific patterns first.
_ANOMALY_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("billed_twice", (r"deux fois", r"\b2 fois", r"en double", r"doublon", r"facture deux",
                      r"factur\w* 2\b", r"compte deux", r"deux seances le meme jour",
                      r"meme (acte|seance|consultation) (deux|2)", r"double factur")),
    ("billed_more_than_performed", (r"au lieu d", r"a la place d", r"plus cher",
                                    r"alors que j (ai|avais) (juste|seulement|eu)",
                                    r"\bque (un|une) ", r"qu un ", r"seulement (eu|un|une)",
                                    r"factur\w* comme", r"surfactur", r"juste (eu|un|une)")),
    ("unknown_provider", (r"(ne|n) connais pas", r"jamais vu ce", r"jamais vu cet", r"inconnu",
                          r"jamais (consulte|rencontre)", r"connais pas ce", r"connais pas cet",
                          r"qui est ce")),
    ("not_performed", (r"jamais eu", r"pas eu lieu",
                       r"jamais (recu|pris|fait|livre|venu|alle|allee)",
                       r"pas (realise|effectue|recu|livre|venu|fait)", r"n ai (pas|jamais)",
                       r"n y suis (pas|jamais)", r"annule", r"inexistant", r"n a pas eu lieu",
                       r"rien (eu|recu|fait)", r"jamais eu lieu", r"pas eu de")),
)  # fmt: skip

# Words of a bare request to report, which say nothing about what went wrong.
_REQUEST_WORDS = frozenset(
    [
        "je",
        "j",
        "veux",
        "voudrais",
        "souhaite",
        "aimerais",
        "dois",
        "faire",
        "signaler",
        "signale",
        "signalement",
        "declarer",
        "un",
        "une",
        "le",
        "la",
        "les",
        "l",
        "des",
        "de",
        "du",
        "d",
        "remboursement",
        "remboursements",
        "rembourse",
        "suspect",
        "suspects",
        "suspecte",
        "bizarre",
        "anormal",
        "anomalie",
        "fraude",
        "probleme",
        "erreur",
        "ligne",
        "paiement",
        "paiements",
        "bonjour",
        "salut",
        "svp",
        "s",
        "il",
        "vous",
        "plait",
        "merci",
        "vous",
        "me",
        "m",
        "mon",
        "ma",
        "mes",
        "sur",
        "dans",
        "il",
        "y",
        "a",
        "est",
        "c",
        "ce",
        "compte",
        "ameli",
        "truc",
        "chose",
        "releve",
        "cette",
        "en",
        "pour",
        "avec",
        "qui",
        "que",
        "quoi",
    ]
)


def infer_anomaly_type(description: str) -> str | None:
    """The kind of anomaly a description speaks of, when it says so clearly."""
    text = f" {words(description)} "
    for anomaly, cues in _ANOMALY_CUES:
        if any(re.search(cue, text) for cue in cues):
            return anomaly
    return None


def is_bare_request(message: str, spans: Sequence[tuple[int, int]] = ()) -> bool:
    """« Je veux signaler un remboursement suspect (du Dr Martin, le 3 mars) » describes nothing.

    `spans` are the places of the date and provider in the message, which are not a description.
    """
    for start, end in sorted(spans, reverse=True):
        message = message[:start] + " " + message[end:]
    telling = [w for w in words(message).split() if w not in _REQUEST_WORDS and not w.isdigit()]
    return len(telling) < 3


def euros(amount: Any) -> str:
    """« 26,03 € »."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    whole, cents = f"{value:,.2f}".split(".")
    return f"{whole.replace(',', ' ')},{cents} €"


def claim_label(claim: dict[str, Any]) -> str:
    """One line of the payments page: date, provider, act, amount reimbursed."""
    care_date = format_french(date.fromisoformat(claim["care_date"]))
    return (
        f"le {care_date}, {claim['provider']['name']} — {claim['act']['label']}, "
        f"remboursé {euros(claim['amount_reimbursed'])}"
    )


def claim_button_title(claim: dict[str, Any]) -> str:
    day = date.fromisoformat(claim["care_date"]).strftime("%d/%m/%Y")
    title = (
        f"{day} · {claim['provider']['name']} · {claim['act']['label']} · "
        f"{euros(claim['amount_reimbursed'])}"
    )
    return f"{title} (déjà signalé)" if claim.get("report") else title


def claim_candidate(claim: dict[str, Any]) -> dict[str, Any]:
    """What the form keeps of a payment it offered: enough to fill the date and the provider
    when the person chose it without giving them."""
    return {
        "id": claim["id"],
        "label": claim_label(claim),
        "care_date": claim["care_date"],
        "provider": claim["provider"]["name"],
    }


def report_opening(payload: str) -> str | None:
    """The words of a report opened from a payment line (« Signaler ce remboursement »).

    The widget sends `/report_suspicious_reimbursement{"care_date", "provider", …}`; agents
    read what the person asked for, not that payload. A bare payload (typed, or a button no
    longer on screen) reads as the main option. None for any other payload.
    """
    intent, brace, raw = payload.removeprefix("/").partition("{")
    if intent != "report_suspicious_reimbursement":
        return None
    if not brace:
        return "Signaler un remboursement suspect"
    try:
        values = json.loads(brace + raw)
        care_date = format_french(date.fromisoformat(str(values["care_date"])))
        provider = str(values["provider"]).strip()
    except (ValueError, KeyError, TypeError):
        return "Signaler un remboursement (depuis «\u00a0Mes paiements\u00a0»)"
    return (
        f"Signaler le remboursement du {care_date}, {provider} (depuis «\u00a0Mes paiements\u00a0»)"
    )


_ORDINALS = (
    (0, r"premier|premiere|1er|1ere|1re"),
    (1, r"deuxieme|second|seconde|2e|2eme|2nd"),
    (2, r"troisieme|3e|3eme"),
    (3, r"quatrieme|4e|4eme"),
    (-1, r"dernier|derniere"),
)


def ordinal_choice(message: str, count: int) -> int | None:
    """« le premier », « la deuxième ligne », « le dernier »: which of `count` offered payments
    a short answer names (an index), or None."""
    folded = words(message)
    if not folded or len(folded.split()) > 8:
        return None
    found = [i for i, pattern in _ORDINALS if re.search(rf"\b({pattern})\b", folded)]
    if len(found) != 1:
        return None
    index = found[0] if found[0] >= 0 else count - 1
    return index if 0 <= index < count else None
