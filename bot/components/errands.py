"""What a message that sounds like a report asks for instead (used by `reading.py`).

Words of a report (« soin non réalisé », « anomalie », « fraude », « pas pris ») also appear in
messages that want something else, and nothing but a report must start one:

- **quoting** the words: the person asks what « soin non réalisé » means, tells that a mail,
  an SMS or a caller announced an anomaly and asks whether to trust it, or asks what became of
  a report already made (« j'ai signalé le soin pas fait il y a quinze jours, personne ne
  répond »). The words of a report are there, yet nothing new is reported: these hold even
  when the message names care not as billed;
- **telling** another errand: money asked for (« pouvez-vous me rembourser le taxi ? »), care
  the person had and cannot find in the account, or that all is in order (« pas de fraude,
  merci »). These hold only when the message names no care not as billed.
"""

from __future__ import annotations

import re

from bot.text import words

MONEY_AWAITED = "ask_reimbursement_delay"
EMAIL_CONTENT = "ask_email_content"
PHISHING = "ask_phishing"
REPORT_STATUS = "ask_report_status"
HOW_TO_CHECK = "ask_how_to_check"
# All in order: the message means what it says besides (« pas de fraude, merci », « tout est
# normal sur mon compte, je veux bloquer ma carte »): the classifier's next reading.
NEXT_READING = "next_reading"

# The insurer's words for a report: « acte médical ou soin non réalisé », « anomalie de paiement ».
_INSURER_WORDS = (
    r"((acte|actes|soin|soins|prestation|prestations)( medical| medicaux)?( ou soins?)? "
    r"(non|pas|jamais) (realise|effectue|fait|recu)e?s?|anomalies?( de (paiement|remboursement))?)"
)
# « c'est quoi soin non réalisé », « que veut dire « acte non réalisé » », « anomalie de paiement,
# ça veut dire quoi »: a question about the words, asked by no one who tells of their own care.
_MEANING = re.compile(
    r"\b(que veut dire|qu est ce que (veut dire|signifie)|c est quoi|c quoi|c koi|que signifie"
    rf"|qu entendez vous (exactement )?par|definition de) (une? |le |la |l |les )?{_INSURER_WORDS}"
    rf"|\b{_INSURER_WORDS}\b[^.?!]{{0,20}}\b(veut dire quoi|signifie quoi|ca veut dire)\b"
)
_FIRST_PERSON = re.compile(r"\b(je|j|moi|mon|ma|mes|me|m)\b")
# A mail, an SMS or a caller that announced an anomaly, and the person asking whether to trust
# it: « un courriel m'annonce une anomalie… est-ce fiable ? ».
_ANNOUNCED = re.compile(
    r"\b(courriel|mail|email|sms|texto|message|appel|appele|monsieur|dame|quelqu un)\b"
    r"[^.?!]{0,60}\b(annonce|dit|disait|parle|pretend|affirme|explique|previent)\b"
)
_TRUST = re.compile(
    r"\b(fiable|c est vous|c vous|est ce vous|c est vrai|c vrai|serieux|officiel|authentique"
    r"|je (dois|peux) (cliquer|repondre|lui donner)|(veut|demande|demandait) mon (code|mot de"
    r" passe|numero|iban|rib))\b"
)
# Money asked for: « pouvez-vous me rembourser le taxi ? J'ai payé moi-même ».
_MONEY = re.compile(
    r"\b((me|nous) (faire|fais|fait|ferai) rembourser"
    r"|(pouvez|pourriez|peut|pouvait|pourrait) (vous )?me rembourser"
    r"|rembourse[zr]? moi|(etre|me faire) rembourse"
    r"|(recuperer|recupere|recup|ravoir|recevoir|toucher) (mon |mes |ma |l |de l |cet |cette )?"
    r"(argent|sous|thunes?|remboursement|sou)"
    r"|j ai (tout )?paye (moi meme|de ma poche|en entier|plein tarif)|avance les frais"
    r"|(get|have) (my )?money back|reimburse me)\b"
)
# A report already made, and what became of it.
_ALREADY_REPORTED = re.compile(
    r"\b(j ai|j avais|on a|ma fille a|mon fils a|nous avons|je vous ai) (deja )?"
    r"((fait|envoye|depose) (un |une |le |la |mon |ma )?(signalement|declaration|reclamation)"
    r"|signale|declare)\b[^.?!]*\b(personne|reponse|repondu|nouvelles?|news|suivi|ou en est"
    r"|en est ou|avance|traite|recontacte|rappele)"
)
# Care the person had and cannot find: « je ne trouve pas le soin dans mon compte ».
_NOT_FOUND = re.compile(
    r"\b(ne )?(trouve|vois) (pas|plus|nulle part) (le|la|les|ma|mon|mes) "
    r"(soin|paiement|consultation|remboursement|seance|acte|rendez vous)s?\b"
)
# All is in order: « pas de fraude, merci », « je reconnais bien tous les paiements ».
_ALL_FINE = re.compile(
    r"\b(pas de|aucune?|sans) (fraude|anomalie|probleme|souci)s?\b"
    r"|\b(je )?(les |le |la )?reconnais (bien )?(tous|toutes|tout)\b|\bje les connais tous\b"
    r"|\bc est bien (mes soins|mes paiements)\b|\btout est (bon|normal|ok|correct|en ordre)\b"
    r"|\brien d anormal\b|\brien de (suspect|bizarre|louche|anormal)\b"
)
# « pas de souci avec le kiné, mais… »: all in order, except what follows.
_EXCEPT = re.compile(r"\b(mais|sauf|par contre|pourtant|cependant|en revanche)\b")


def quoted_errand(text: str) -> str | None:
    """The intent of a message that quotes a report's words without reporting anything new
    (a word's meaning, a mail to trust or not, a report already made), else None."""
    folded = words(text)
    if _MEANING.search(folded) and not _FIRST_PERSON.search(folded):
        return EMAIL_CONTENT
    if _ANNOUNCED.search(folded) and _TRUST.search(folded):
        return PHISHING
    if _ALREADY_REPORTED.search(folded):
        return REPORT_STATUS
    return None


def told_errand(text: str) -> str | None:
    """The intent of another errand the message tells of (money, care not found), NEXT_READING
    when it says all is in order, else None. Only meaningful when no care not as billed is
    named."""
    folded = words(text)
    for intent, cue in (
        (MONEY_AWAITED, _MONEY),
        (HOW_TO_CHECK, _NOT_FOUND),
        (NEXT_READING, _ALL_FINE),
    ):
        if cue.search(folded) and not (intent == NEXT_READING and _EXCEPT.search(folded)):
            return intent
    return None
