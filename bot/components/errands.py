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

from bot.components.cues import BUT
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
# The words quoted, « entre guillemets », in a message that asks about them.
_QUOTED = re.compile(r"[«\"“]([^»\"”]{3,80})[»\"”]")
_INSURER_WORDS_ALONE = re.compile(rf"\b{_INSURER_WORDS}\b")
_FIRST_PERSON = re.compile(r"\b(je|j|moi|mon|ma|mes|me|m)\b")
# The first person of someone reading the words, not telling of their care: « je l'ai lu dans
# le courriel », « je ne comprends pas ».
_READER = re.compile(
    r"\b(je l ai (lu|vu)|j ai (lu|vu|recu)|je (ne )?(comprends|sais|vois) (pas|rien)( ce que)?"
    r"|m a ete envoye|on m a (envoye|ecrit)|je me demande|dans mon (mail|courriel|message))\b"
)
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
# Money asked for or awaited: « pouvez-vous me rembourser le taxi ? J'ai payé moi-même »,
# « pas remboursé l'ambulance du 17 mai ». Narrower than cues.py's money awaited, which only
# withholds a cue: these turn a report into another errand, so each says whose money it is.
_MONEY = re.compile(
    r"\b((me|nous) (faire|fais|fait|ferai) rembourser"
    r"|(pouvez|pourriez|peut|pouvait|pourrait) (vous )?me rembourser"
    r"|rembourse[zr]? moi|(etre|me faire) rembourse(e|s|es)?"
    r"|(mon|ma|notre) (dossier|demande) de remboursement"
    r"|(recuperer|recupere|recup|ravoir|recevoir|toucher) (mon |mes |ma |l |de l |cet |cette )?"
    r"(argent|sous|thunes?|remboursement|sou)"
    r"|j ai (tout )?paye (moi meme|de ma poche|en entier|plein tarif)|avance les frais"
    r"|(get|have) (my )?money back|reimburse me)\b"
    r"|(je n ai|j ai|on m a|on ne m a|vous ne m avez|vous m avez) (toujours |encore )?"
    r"(pas|jamais|toujours pas) (encore )?(ete )?rembourse"
    r"|^(pas|toujours pas) (encore )?(ete )?rembourse"
    r"|rembou?r?s+e?ments?( \w+){0,3} (pas|pa|toujours pas) (encore )?(recu|arrive)\b"
    r"|j attends (toujours |encore )?(mon|le|son|ce) remboursement|toujours rien (recu|touche)"
    # Paid to the professional, not to the person (third-party payment): « le labo a été
    # remboursé et pas moi ».
    r"|(paye|rembourse|verse)e?s? (et |mais )?(pas|non) (a )?moi"
    r"|c est (lui|elle|eux) qui (recoit|recoivent|touche|touchent) l argent"
)
# A report already made, and what became of it.
_ALREADY_REPORTED = re.compile(
    r"\b(j ai|j avais|on a|ma fille a|mon fils a|nous avons|je vous ai) (deja )?"
    r"((fait|envoye|depose) (un |une |le |la |mon |ma )?(signalement|declaration|reclamation)"
    r"|signale|declare)\b[^.?!]*\b(personne|reponse|repondu|nouvelles?|news|suivi|ou en est"
    r"|en est ou|avance|traite|recontacte|rappele|bouge|quand|suite|toujours rien"
    r"|combien de temps|recupere\w*|rembourse\w*)"
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
    r"|\b(tous |toutes )?(mes |les )(paiements|remboursements|soins) (sont )?(bien )?"
    r"(normaux|corrects|bons|en ordre|ok|justes)\b|\btout correspond\b"
)
# « pas de souci avec le kiné, mais… »: all in order, except what follows `BUT`; and
# « … mais est-ce que je dois faire opposition ? »: a question after it asks, it excepts nothing.
_ASKED_AFTER = re.compile(
    r"^\W*(est ce que|est ce qu|dois je|faut il|comment|pouvez vous|je dois)\b"
)


def quoted_errand(text: str) -> str | None:
    """The intent of a message that quotes a report's words without reporting anything new
    (a word's meaning, a mail to trust or not, a report already made), else None."""
    folded = words(text)
    telling = _FIRST_PERSON.search(_READER.sub(" ", folded))
    if not telling and (_MEANING.search(folded) or _asks_about_quoted_words(text)):
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
        if cue.search(folded) and not (intent == NEXT_READING and _excepted(folded)):
            return intent
    return None


def _excepted(folded: str) -> bool:
    """Whether « mais », « sauf »… brings something not in order (not a mere question)."""
    return any(not _ASKED_AFTER.search(folded[found.end() :]) for found in BUT.finditer(folded))


def _asks_about_quoted_words(text: str) -> bool:
    """« dans le mail « acte non réalisé », c'est quand le rendez-vous est annulé ? »"""
    return "?" in text and any(
        _INSURER_WORDS_ALONE.search(words(quoted.group(1))) for quoted in _QUOTED.finditer(text)
    )
