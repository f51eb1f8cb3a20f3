"""What a message that sounds like a report asks for instead (used by `reading.py`).

Words of a report (« soin non réalisé », « anomalie », « fraude », « pas pris ») also appear in
messages that want something else, and nothing but a report must start one:

- **quoting** the words: the person asks what « soin non réalisé » means, tells that a mail,
  an SMS or a caller announced an anomaly and asks whether to trust it, or asks what became of
  a report already made (« j'ai signalé le soin pas fait il y a quinze jours, personne ne
  répond ») or taken back, or asks how to check « s'il y a une anomalie », or says that there
  is none. The words of a report are there, yet nothing new is reported: these hold even
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
CANCEL = "cancel"
# All in order: the message means what it says besides (« pas de fraude, merci », « tout est
# normal sur mon compte, je veux bloquer ma carte »): the classifier's next reading.
NEXT_READING = "next_reading"

# The insurer's words for a report: « acte médical ou soin non réalisé », « anomalie de paiement ».
_INSURER_WORDS = (
    r"((acte|actes|soin|soins|prestation|prestations)( medical| medicaux)?( ou soins?)?"
    r"( facturee?s?( mais)?)? (non|pas|jamais) (realise|effectue|fait|recu)e?s?"
    r"|anomalies?( de (paiement|remboursement))?)"
)
# « c'est quoi soin non réalisé », « que veut dire « acte non réalisé » », « anomalie de paiement,
# ça veut dire quoi »: a question about the words, asked by no one who tells of their own care.
_MEANING = re.compile(
    r"\b(que veut dire|qu est ce que (veut dire|signifie)|c est quoi|c quoi|c koi|que signifie"
    rf"|qu entendez vous (exactement )?par|definition de) (une? |le |la |l |les )?"
    rf"(mot |mots |terme |termes |expression )?{_INSURER_WORDS}"
    rf"|\b{_INSURER_WORDS}\b[^.?!]{{0,40}}\b(veut dire quoi|signifie quoi|ca veut dire|c est quoi"
    r"|c quoi|de quoi|vous entendez|qu entendez vous|c est a dire|un exemple|des exemples)\b"
)
# The words quoted, « entre guillemets », in a message that asks about them.
_QUOTED = re.compile(r"[«\"“]([^»\"”]{3,80})[»\"”]")
_INSURER_WORDS_ALONE = re.compile(rf"\b{_INSURER_WORDS}\b")
_FIRST_PERSON = re.compile(r"\b(je|j|moi|mon|ma|mes|me|m)\b")
# The first person of someone reading the words, not telling of their care: « je l'ai lu dans
# le courriel », « je ne comprends pas ».
_READER = re.compile(
    r"\b(je l ai (lu|vu)|j ai (lu|vu|recu)|je (ne )?(comprends|sais|vois) (pas|rien)( ce que)?"
    r"|m a ete envoye|on m a (envoye|ecrit)|je me demande|dans mon (mail|courriel|message)"
    r"|(pouvez|pourriez) vous me|vous (pouvez|pourriez) me|(expliquez|dites) moi)\b"
)
# A mail, an SMS or a caller that announced an anomaly, and the person asking whether to trust
# it: « un courriel m'annonce une anomalie… est-ce fiable ? »; when what it announced is an
# anomaly, not care, asking whether it is a scam is asking whether to trust it.
_ANNOUNCED = re.compile(
    r"\b(courriel|mail|email|sms|texto|message|appel|appele|monsieur|dame|quelqu un)\b"
    r"[^.?!]{0,60}\b(annonce|dit|disait|parle|pretend|affirme|explique|previent|demande)\b"
)
_ANOMALY_ANNOUNCED = re.compile(
    r"\b(courriel|mail|email|sms|texto|message)\b[^.?!]{0,60}\b(annonce|parle|mentionne|signale"
    r"|evoque|indique|dit)\w* (d |de |une |des |qu il y a |qu un |qu une |que des )?(une |des )?"
    rf"(irregularite|{_INSURER_WORDS})"
    # « on m'a envoyé un lien pour « signaler un acte non réalisé » »
    rf"|\blien (pour|qui) (signaler|declarer|dit|parle)\w*[^.?!]{{0,20}}{_INSURER_WORDS}"
)
_SCAM = re.compile(
    r"\b(arnaques?|escroqu\w*|phishing|hameconnage|vient (bien )?de (chez )?vous"
    r"|viennent (bien )?de (chez )?vous|de votre part|c est (vraiment |bien )?(vous|l assurance"
    r" maladie|la cpam|ameli)|legal|legitime|surtaxe|(rappeler|appeler) (un|ce|le) numero"
    r"|(un )?(vrai|faux) (mail|courriel|message|sms))\b"
)
_TRUST = re.compile(
    r"\b(fiable|c est (vraiment |bien )?vous|c vous|est ce vous|c est vrai|c vrai|serieux|officiel"
    r"|authentique|je (dois|peux) (cliquer|repondre|lui donner)|je clique|(cliquer|cliquant"
    r"|cliquez) sur (un|le|ce) lien|(veut|demande|demandait) mon (code|mot de passe|numero|iban"
    r"|rib)|me mefier|mefiance)\b"
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
    r"\b(j ai|jai|g|j avais|on a|ma fille a|mon fils a|nous avons|je vous ai) (deja )?"
    r"((fait|envoye|depose) (un |une |le |la |mon |ma )?(signalement|declaration|reclamation)"
    r"|signale|declare|(telephone|appele|ecrit)( \w+){0,3} pour (dire|signaler|declarer))\b"
    r"[^.?!]*\b(personne|reponse|repondu|nouvelles?|news|suivi|ou en est|qu en est il"
    r"|ou ca en est|ce qui se passe|en est ou|avance|traite|recontacte|rappele|bouge|quand"
    r"|suite|toujours rien|combien de temps|recupere\w*|rembourse\w*|s en occupe|pris en compte"
    r"|bien (recu|arrive|enregistre))"
)
# Taken back: « je retire ma déclaration de soin non réalisé, c'était ma femme ».
_TAKEN_BACK = re.compile(
    r"\b(retire[rz]?|annule[rz]?|reprendre|reprends) (ma|mon|le|la|ce|cette) "
    r"(declaration|signalement|reclamation)\b"
)
# A check asked for, nothing found yet: « comment voir mes paiements pour vérifier s'il y a une
# anomalie ? ».
_IF_ANY = re.compile(
    r"\b(s il y a|si il y a|s il y aurait|s il y en a|si j ai) (une |des |eu une |eu des )?"
    r"(anomalies?|erreurs?|fraudes?|soins? non realise|actes? non realise|paiements? suspect)"
    r"|\b(m assurer|verifier|etre sure?) (qu|que) (aucun|aucune|rien|personne|il n y a)\b"
    r"|\b(savoir|verifier|voir) si (quelqu un|qqn|on|personne) (utilise|se sert|a utilise)"
    r"|\bcomment (on |je |puis je |peut on |faire pour )?(repere|detecte|reconnait|trouve)\w*"
    r"[^.?!]*\b(un|une|des) (acte|soin|paiement|fraude|anomalie)"
)
# A report's words said not to apply: « pas de soin non réalisé chez moi, merci ».
_NONE_OF_IT = re.compile(
    r"\b(pas de|pas d|aucun|aucune|sans|ni) (soin|acte|prestation|paiement|remboursement)s? "
    r"(non (realise|effectue|fait)|jamais (fait|realise)|suspect|anormal|bizarre|louche"
    r"|frauduleux)"
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
    r"|\bcorrespond(ent)? bien\b"
)
# « pas de souci avec le kiné, mais… »: all in order, except what follows `BUT`; and
# « … mais est-ce que je dois faire opposition ? »: a question after it asks, it excepts nothing.
_ASKED_AFTER = re.compile(
    r"^\W*(est ce que|est ce qu|dois je|faut il|comment|pouvez vous|je dois)\b"
)


def quoted_errand(text: str) -> str | None:
    """The intent of a message that quotes a report's words without reporting anything new
    (a word's meaning, a mail to trust or not, a report already made or taken back, a check
    « s'il y a une anomalie »), NEXT_READING when it says they do not apply (« pas de soin non
    réalisé »), else None."""
    folded = words(text)
    telling = _FIRST_PERSON.search(_READER.sub(" ", folded))
    if not telling and (_MEANING.search(folded) or _asks_about_quoted_words(text)):
        return EMAIL_CONTENT
    if _ANNOUNCED.search(folded) and _TRUST.search(folded):
        return PHISHING
    if _ANOMALY_ANNOUNCED.search(folded) and _SCAM.search(folded):
        return PHISHING
    if _ALREADY_REPORTED.search(folded):
        return REPORT_STATUS
    if _TAKEN_BACK.search(folded):
        return CANCEL
    if _IF_ANY.search(folded):
        return HOW_TO_CHECK
    if _NONE_OF_IT.search(folded) and not _excepted(folded):
        return NEXT_READING
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
