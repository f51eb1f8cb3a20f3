"""The words that tell a report apart, read the way people type them.

Two cues, used by the contextual reading (`reading.py`):

- **Care that did not happen as billed**: care that can be billed (the insurer's « acte médical
  ou soin ») next to its absence (« non réalisé », « jamais eu », « pas fait », « fictif »,
  « anomalie »), billed twice, or by a professional the person does not know; money that is
  awaited (« pas été remboursé ») or an amount found too low is not such care.
  People type these words in every spelling (« ambulence jamais prise », « seance pa fé »,
  « jamé u de radio »): a word one edit from a care word (two from eight letters) is read as
  that word, and the short forms of SMS and phonetic spelling are part of the patterns.
- **A question asked beside a report** (« est-ce une arnaque ? », « comment je vérifie ? »,
  « je peux parler à quelqu'un ? »): the assistant answers it in a sentence, then goes on.
"""

from __future__ import annotations

import re

from bot.components.features import SpellingNormaliser
from bot.text import words

# Care that can be billed, folded (no accents); a misspelt word is read as the nearest of these.
# fmt: off
CARE_WORDS = (
    "soin", "soins", "acte", "actes", "consultation", "consultations", "seance", "seances",
    "visite", "visites", "examen", "examens", "analyse", "analyses", "prestation", "prestations",
    "traitement", "traitements", "intervention", "interventions", "transport", "transports",
    "ambulance", "ambulances", "taxi", "taxis", "vsl", "lunette", "lunettes", "appareil",
    "appareils", "prothese", "protheses", "couronne", "couronnes", "detartrage", "detartrages",
    "plombage", "medicament", "medicaments", "kine", "kinesitherapeute", "dentiste", "dentistes",
    "medecin", "medecins", "docteur", "infirmier", "infirmiere", "infirmieres", "radio", "radios",
    "radiographie", "scanner", "irm", "echographie", "hospitalisation", "sejour", "operation",
    "pansement", "pansements", "orthophoniste", "psychologue", "osteopathe", "podologue",
    "pedicure", "audioprothese", "ordonnance", "rdv", "labo", "laboratoire", "pharmacie",
    "clinique", "opticien", "cabinet", "hopital", "centre",
)
# fmt: on
# The words of absence typed in haste (« jamias », « realsié », « remboursment »): read as these,
# each inflection listed so that none is « corrected » into another.
ABSENCE_WORDS = (
    "jamais",
    "realise",
    "realisee",
    "realises",
    "realisees",
    "realiser",
    "effectue",
    "effectuee",
    "effectues",
    "effectuees",
    "effectuer",
    "rembourse",
    "remboursee",
    "rembourses",
    "remboursees",
    "rembourser",
    "remboursez",
    "remboursement",
    "remboursements",
    "inconnu",
    "inconnue",
    "inconnus",
    "inconnues",
    "reconnais",
    "reconnait",
    "reconnaitre",
)  # fmt: skip
_CARE = (
    "("
    + "|".join(sorted(set(CARE_WORDS), key=len, reverse=True))
    + r"|rendez vous|sage femme|kine\w*|infirmi\w+|dermato\w*|cardio\w*|ophtalmo\w*|gyneco\w*"
    r"|pediatres?|psychiatres?|generalistes?|specialistes?|chirurgien\w*|osteo\w*|orl)"
)
# A negation, as written or as typed in haste (« pa », « jamé », « jamai »).
_NEGATION = r"(non|pas|pa|jamais|jamai|jame|ni|rien)"
# What did not happen to the care: done, received, seen, taken… (with SMS forms: « fé », « u »).
_HAPPENED = (
    r"(realise|effectue|recu|recus|fait|faite|fe|fai|livre|venu|justifie|eu|u|pris|prise|vu"
    r"|ete|alle|consulte|honore|existe|exister|recevoir|faire|aller|eu lieu|commande|achete"
    r"|prescrit)e?s?"
)
# The same told the other way round: « des paiements de pharmacie que je fais pas ».
_HAPPENED_NOT = (
    r"que (je |j )?(ne |n )?(ai |les ai |l ai )?(fait|faite|fais|eu|recu|pris|vu|achete)s? "
    r"(pas|jamais|pa|jamai)"
)
# Numbers as typed or dictated, for « dix séances facturées, j'en ai fait six ».
_NUMBER = (
    r"(\d+|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze"
    r"|quinze|seize|vingt|trente)"
)
# More care billed than had: a number of care, then « j'en ai fait (que) six ».
_FEWER_HAD = (
    rf"{_NUMBER} {_CARE}\b.*\b(j en ai|j ai|je n en ai|moi j ai|on en a) "
    rf"(fait|eu|recu|fais|faite?s?)( que| seulement)? {_NUMBER}\b"
)
# A payment the person says is not theirs: « la ligne 3 c'est pas moi ».
_NOT_MINE = (
    r"(ligne|paiement|remboursement|virement|acte|soin|consultation|seance)s?\b.*"
    r"\b(c|c est|c etait|ce n est|ce n etait|ce nest|cest) (pas|pa) (moi|moa|a moi|pour moi)\b"
    r"|\b(c|c est|ce n est|cest) (pas|pa) (moi|a moi) (ce|cette|ces|le|la|les) "
    r"(ligne|paiement|remboursement|virement|acte|soin|consultation|seance)"
)
# Care billed twice, or by someone the person does not know.
_TWICE = r"(en double|doublons?|deux fois|2 fois|2 foi|comptee?s? comme deux)"
_UNKNOWN = (
    r"(inconnue?s?|que je (ne )?connais pas|je (ne )?(le |la )?connais (meme )?pas"
    r"|(je )?(ne )?sais (meme |vraiment )?(pas|pa) (du tout |meme )?(qui|ou) (c est|est|il est"
    r"|elle est|ca se trouve|c etait)|c est pour qui)"
)
# « c'est qui ce dentiste le 5 mai ?? »: a professional the person asks who they are.
_WHO_IS = r"(c est qui|cest qui|c qui|c ki|qui est|qui c est) (ce|cet|cette|le|la|l|les|ces) "
# Someone else using the person's card or number: « quelqu'un s'est servi de ma carte Vitale ».
_IDENTITY = (
    r"(servi|sert|servent|utilise\w*|pris) (de )?(ma|mon|mes) (carte|numero|vitale|identite|secu)"
    r"|(ma|mon) (carte|numero|vitale)\b.*\bs en (sert|servent|est servie?|servir)"
    r"|usurpation|vol d identite"
    r"|\bqui\b[^.?!]*\b(avec|sur) (ma|mon) (carte|numero|vitale|identite|secu)"
    r"|(se|s) (soigne|soignent|fait soigner|font soigner|fait rembourser|font rembourser)"
    r" (avec|sur|grace a) (ma|mon|mes) (carte|numero|vitale|identite|secu)"
    r"|(se|s est|s) (fait|font|faire) (rembourser|soigner|payer) (sur mon dos|a ma place)"
    r"|(quelqu un|quelqun|qqn|qqun|qq1|qlq1) (d autre )?(sur|avec) (ma|mon) (carte|numero|vitale)"
)
# A payment the person does not recognise: « je ne reconnais pas le remboursement du 15 mai »,
# « ce nom de kiné ne me dit rien », « une ligne radio, aucune idée de ce que c'est ».
_LINE = rf"(ligne|nom|remboursement|paiement|virement|{_CARE})"
_PUZZLED = (
    r"((ne )?reconnai[st] (pas|pa)|(ne )?me (dit|dis|disent) rien|m dit rien|jamais entendu parler"
    r"|aucune idee (de )?(ce que c est|de quoi il s agit|d ou (ca|il|elle) (vient|sort))"
    r"|(ne )?comprends (pas|pa) (le|la|ce|cet|cette|ces) (ligne|paiement|remboursement|acte))"
)
_UNRECOGNISED = (
    rf"{_PUZZLED}\b.*\b{_LINE}|{_LINE}\b.*\b{_PUZZLED}"
    r"|decouvre (une|un|cette|ce|des) (ligne|paiement|remboursement|acte)"
    r"|(remboursement|paiement|acte) (qui )?ne correspond (a rien|a aucun)"
)
# Care billed before it happened: « l'écho est prévue le mois prochain, et déjà remboursée ».
_NOT_YET = (
    r"(pas encore (fait|eu|passe|vu|realise)|prevue?s? (le|la|pour|en|dans|au)|a venir)\b.*"
    r"\bdeja (rembourse|paye|facture|compte|regle)\w*"
)
# The person was elsewhere when the care was billed: « j'étais à l'étranger tout le mois ».
_ELSEWHERE = (
    r"((etais|etait|etions|etaient|ai ete|a ete) (toute? |tout le )?"
    r"(a l etranger|en vacances|hospitalise\w*|absente?|en voyage|a l hopital|en deplacement"
    r"|pas la|en maison de retraite|en cure)"
    r"|(etais|etait|etions) (meme )?(pas|pa) (encore )?(arrivee?s?|la|ne|nee|en france)"
    r"|(ce jour la|a cette date|ce jour)( \w+){0,3} (j etais|on etait|nous etions) (pas )?\w+)"
)
# Nobody seen at all: « je n'ai vu personne ce mois-ci ».
_SAW_NOBODY = r"n ai (vu|consulte|rencontre) (personne|aucun professionnel)"
# Care paid against what the person says of themselves: « une sage-femme payée alors que je ne
# suis pas enceinte ».
_CONTRADICTED = (
    r"(paye|rembourse|facture|compte|declare)e?s? alors (que|qu) (je|j|moi|mon|ma|il|elle)\b"
    r"[^.?!]{0,40}\b(pas|jamais|plus|aucune?)\b"
)
# An act billed instead of, or dearer than, the one received: « une couronne au lieu d'un
# détartrage », « remboursé pour des verres progressifs bien plus chers ».
_BILLED_OTHER = (
    r"(facture|rembourse|remboursement|compte|declare|paye|tarif|montant)e?s?\b[^.?!]*"
    r"\b(au lieu d|a la place d|(bien |beaucoup )?plus cher(e|s|es)?)\b"
)
_CARE_ABSENT = re.compile(
    rf"\b({_CARE}\b.*\b{_NEGATION} {_HAPPENED}|{_NEGATION} {_HAPPENED}\b.*\b{_CARE}"
    rf"|(aucune?|sans|pas de|pas d|pas des|jamais de|jamais d|jamais eu de|pas eu de) {_CARE}"
    rf"|{_CARE}\b.*\b({_TWICE}|{_UNKNOWN})|{_TWICE}\b.*\b{_CARE}|{_IDENTITY}|{_WHO_IS}{_CARE}"
    rf"|{_ELSEWHERE}\b.*\b{_CARE}|{_CARE}\b.*\b{_ELSEWHERE}|{_UNRECOGNISED}"
    rf"|{_CARE}\b.*\b{_HAPPENED_NOT}|{_FEWER_HAD}|{_NOT_MINE}|{_NOT_YET}|{_SAW_NOBODY}"
    rf"|{_CARE}\b.*\b({_CONTRADICTED}|{_BILLED_OTHER})|({_CONTRADICTED}|{_BILLED_OTHER})\b.*\b{_CARE}"
    r"|anomalies?|inexistante?s?|fictive?s?|fictifs?|fantomes?"
    r"|(paiement|remboursement|facture|paye|rembourse)e?s? pour rien)\b"
)
# Money awaited, not care missing: « je n'ai pas été remboursé », « pas reçu le virement ».
_MONEY_AWAITED = (
    r"\b(pas|jamais|toujours pas|rien) (encore )?(ete )?(rembourse|paye|verse"
    r"|recu (le |mon |mes |d )?(remboursement|virement|argent|paiement))"
    r"|\b(encore|toujours|jamais) rien (recu|vu|touche|percu)|\brien (vu )?revenir"
    r"|\brien recu (pour|pr|de|du|depuis)\b"
    r"|\bj attends (toujours |encore )?(son |le |mon )?remboursement"
    # The payment itself not made: its verb, not care « que j'ai pas faite » told after it.
    r"|\b(paiement|remboursement|virement)s?(?: (?!que\b|qu\b|ke\b|pour\b)\w+){0,7} (pas|jamais)"
    r" (encore )?(ete )?"
    r"(effectue|regle|fait|verse|arrive)"
    r"|\b(pas|jamais) (encore )?(ete )?(regle|pris en charge)|\bjamais vu la couleur"
    r"|\brembou?r?s+e?ments?( \w+){0,2} (pas|pa|toujours pas) (encore )?(recu|arrive)\b"
)
# « pas de souci avec mes soins », « rien à signaler »: absence of a problem, not of care.
_NO_PROBLEM = (
    r"\b((pas de|pas d|aucun|aucune|sans|jamais eu de|pas eu de) (soucis?|problemes?|anomalies?)"
    r"|rien a signaler|tout va bien|pas besoin|sans rendez vous)\b"
)
# The professional did not take the card (« il a pas pris la carte Vitale »): care was had.
_CARD_NOT_TAKEN = (
    r"\b(pas|jamais) (pris|passe|accepte|lu|utilise) (la |ma |sa |une )?(carte|vitale)"
)
# An amount or a rate found too low, for care received: « anomalie sur le montant ».
_LOW_AMOUNT = (
    r"\b(anomalies? (sur|dans) (le|mon|les) (montant|taux)|taux|aussi bas|trop bas|trop peu"
    r"|pas assez rembourse)\b"
)
# Any of these: whatever care the message names, none is missing.
_NOTHING_MISSING = re.compile(f"{_MONEY_AWAITED}|{_NO_PROBLEM}|{_LOW_AMOUNT}|{_CARD_NOT_TAKEN}")
_SPELLER = SpellingNormaliser(CARE_WORDS + ABSENCE_WORDS)

# Questions a person may ask in the same breath as a report, and the words that ask them.
QUESTION_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "ask_phishing",
        re.compile(
            r"\b(arnaques?|arnak|escroqu\w*|phishing|hameconnage|pirat\w*|fraudeurs?|spam"
            r"|(vrai|faux) (mail|courriel|message)"
            r"|(mail|courriel|message) (officiel|authentique|est vrai|est faux))\b"
        ),
    ),
    (
        "ask_human",
        re.compile(
            r"\b(parler|joindre|appeler|avoir) (a |avec )?(un |une )?(conseill\w+|humain"
            r"|personne|agent|quelqu un)\b|\bun conseiller\b"
            r"|\b(veux|voudrais|prefere|demande) (un |une )?(humain|agent|vraie personne)\b"
        ),
    ),
    (
        "bot_challenge",
        re.compile(
            r"\b(robot|bot|chatbot|machine|une ia|intelligence artificielle|vraie personne"
            r"|personne reelle|ordinateur)\b"
        ),
    ),
    (
        "ask_how_to_check",
        re.compile(
            r"\b(comment|ou) (est ce que )?(je |j |on )?(peux |dois |puis je |peut on )?"
            r"(verifi\w*|voi[rst]|consult\w*|regard\w*|trouv\w*) (mes|le detail|les|mon|ca)\b"
        ),
    ),
    (
        "ask_email_content",
        re.compile(
            r"\b(ce|votre|le) (mail|courriel|message) (veut dire|signifie)\b"
            r"|\bc est quoi (ce|votre) (mail|courriel|message)\b"
        ),
    ),
    (
        "ask_why_now",
        re.compile(r"\bpourquoi (est ce que )?vous (m )?(envoyez|ecrivez)\b"),
    ),
)


def _read_as_typed(text: str) -> str:
    """Folded words, each misspelt care word read as the care word it is one edit from."""
    return _SPELLER(words(text))


# « mais », « sauf »…: what follows may say otherwise than what came before (« je n'ai pas été
# remboursé, mais le kiné a été payé pour une séance jamais faite »).
BUT = re.compile(r"\b(?:mais|par contre|sauf|pourtant|cependant|en revanche)\b")


def names_care_not_as_billed(text: str) -> bool:
    """« soin non réalisé », « jamais eu de séance », « kiné inconnu », « séance en double »;
    not when the same words say that nothing is missing (money awaited, no problem), unless a
    part after « mais » names such care on its own."""
    folded = _read_as_typed(text)
    if not _CARE_ABSENT.search(folded):
        return False
    if not _NOTHING_MISSING.search(folded):
        return True
    return any(
        _CARE_ABSENT.search(part) and not _NOTHING_MISSING.search(part)
        for part in BUT.split(folded)[1:]
    )


def question_also_asked(text: str) -> str | None:
    """The question asked beside a report, if one is (its intent), else None."""
    folded = words(text)
    return next((intent for intent, cue in QUESTION_CUES if cue.search(folded)), None)
