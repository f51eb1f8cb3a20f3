"""Find the secret typed after a cue: « mon mot de passe c'est … », « identifiants : X / Y ».

A cue (« mot de passe », « mdp », « code d'accès », « code PIN », « password »,
« identifiant »…) may be followed by a few words that say which account or card
(« de mon compte ameli »), then by a connector (« : », « = », « est », « c'est », « is »).
After a connector, everything up to the end of the clause is the secret: a password may hold
spaces, commas, dots or slashes, so only sentence punctuation followed by a blank (or the end)
and a line break end it, or the next cue after « et », « , » or « / », or a placeholder already
put there. Without a connector, the next word is a secret only when it looks like one (a digit,
a symbol, odd capitals, quotes) or when nothing but « merci », « svp »… follows it, so
« mot de passe oublié » and « comment changer mon mot de passe ? » keep their words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.redaction.numbers import NIR, Found
from bot.text import strip_accents

PASSWORD = "password"  # noqa: S105 - the name of a kind of secret, not one
CODE = "code"
LOGIN = "login"

_BLANK = r"[ \t\u00a0\u202f]"
_CUE = re.compile(
    r"(?<!\w)(?:"
    r"(?P<credentials>identifiants|logins|codes\s+de\s+connexion|codes\s+d['’\s]\s*acc[eè]s"
    r"|ids\s+de\s+connexion|credentials)"
    r"|(?P<login>identifiant|login|nom\s+d['’]\s*utilisateur|user\s?name|user\s?id)"
    r"|(?P<password>mots?[\s-]+de[\s-]+pass(?:e|es)?|motdepasse|mdp|pass\s?words?|passwd|pwd"
    r"|passcode|pass\s?phrase|code\s+d['’\s]\s*acc[eè]s|codes?\s+de\s+connexion"
    r"|codes?\s+provisoires?|codes?\s+confidentiels?|codes?\s+personnels?|codes?\s+ameli"
    # « le code de mon compte est … », « code de l'espace ameli ».
    r"|codes?\s+d[eu]\s+(?:mon\s+|ma\s+|votre\s+|l['’]\s*)?(?:compte|espace))"
    r"|(?P<code>codes?\s+secrets?|codes?\s+pin|pin\s+codes?|codes?\s+de\s+s[ée]curit[ée]"
    # One-time codes: « le code reçu par SMS », « code de vérification », « code à usage unique ».
    r"|codes?\s+(?:re[çc]us?|envoy[ée]s?)\s+par\s+"
    r"(?:sms|texto|t[ée]l[ée]phone|mail|e-?mail|courriel)"
    r"|codes?\s+(?:sms|otp|de\s+v[ée]rification|de\s+validation|de\s+confirmation"
    r"|[àa]\s+usage\s+unique|[àa]\s+\d\s+chiffres\s+re[çc]us?)"
    r"|cryptogrammes?(?:\s+visuels?)?|cvv2?|cvc2?|cvx2?"
    r"|codes?\s+(?:de\s+(?:ma\s+|la\s+|votre\s+)?)?(?:carte|cb)(?:\s+(?:bleue|bancaire|visa))?)"
    # « mon code : 1234 », but not « mon code d'accès », found by its own cue.
    r"|(?P<owned_code>(?:mon|my|votre|ton)\s+(?:code|pin)(?!\s+(?:d['’\s]|de\s|provisoire"
    r"|confidentiel|personnel|ameli|secret|pin|s[ée]curit|sms|otp|re[çc]u|envoy|v[ée]rif)))"
    r")(?!\w)",
    re.I,
)
_KINDS = {"credentials": LOGIN, "login": LOGIN, "password": PASSWORD, "code": CODE}
_CONNECTOR = re.compile(
    rf"{_BLANK}*,?{_BLANK}*(?:"
    rf"(?:c['’]{_BLANK}?est|cest|c|est|était|etait|sera|serait|is|was)(?![\w'’-]){_BLANK}*"
    rf"(?:[:=]{_BLANK}*)?"
    rf"|(?:->|=>|[:=→]){_BLANK}*"
    rf"|[-–—]{_BLANK}+)",
    re.I,
)
_WORD = re.compile(r"[^\s'’«»\"“”]+['’]?")
_QUOTE = "«\"“'‘"
# « à 4 chiffres », « de 8 caractères »: what the code is like, not the code.
_SIZE = re.compile(
    rf"{_BLANK}*(?:à|a|de|en)?{_BLANK}*\d+{_BLANK}*(?:chiffres|caract[eè]res|lettres|signes)",
    re.I,
)
_SPACES = re.compile(r"\s*")
_BLANKS = re.compile(rf"{_BLANK}*")
_SLASH = re.compile(r"\s*/")
_SLASH_AND_BLANKS = re.compile(r"/\s*")
_NEXT_WORD = re.compile(r"[\s,]*([^\s,]*)")
_CLAUSE_END = re.compile(r"[.!?…;]+(?=\s|$)|\n")
_JOINER = re.compile(
    r"\s*(?:[,;/&]|\b(?:et|and|puis|ainsi\s+que|plus)\b)\s*"
    r"(?:(?:mon|ma|mes|le|la|les|votre|vos|my|the|your)\s+|l['’]\s*)?$",
    re.I,
)
# « [numéro … masqué] et », « … / »: the rest is the password, unless another cue follows.
_AFTER_MASKED = re.compile(
    r"\s*(?:[/,;&]|\b(?:et|and|puis)\b)\s*"
    r"(?:(?:mon|ma|mes|le|la|les|votre|vos|my|the|your)\s+|l['’]\s*)?",
    re.I,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that say which account or card the cue is about.
_QUALIFIERS = _words(
    "de du des d pour sur mon ma mes le la les l votre vos ton ta son sa compte espace site "
    "appli application ameli ameli.fr personnel personnelle assure actuel actuelle nouveau nouvel "
    "nouvelle ancien ancienne provisoire temporaire connexion bancaire carte cb bleue visa "
    "banque mutuelle messagerie mail email e-mail gmail franceconnect france connect impots "
    "internet visuel secret secrets confidentiel pin personnel acces securite my the for "
    "account new current of online bank card"
)
# Words that show the cue is talked about, not given: states, verbs, questions, pronouns.
_MENTIONS = _words(
    "oublie oubliee oublies oublier perdu perdue perdus bloque bloquee bloques verrouille "
    "incorrect incorrecte correct correcte faux fausse errone erronee invalide valide expire "
    "expiree perime arrive arrivee refuse refusee rejete inconnu inconnue trop pas plus ne n "
    "jamais toujours "
    "encore deja bien mal mauvais mauvaise bon bonne juste different differente change changee "
    "changer modifie modifier reinitialise reinitialisee reinitialiser recuperer retrouver "
    "envoye envoyee recu recue demande demandee necessaire obligatoire requis long court "
    "complique difficile simple facile securise vide desactive suspendu normal en dans par "
    "celui identique marche marchent fonctionne fonctionnent passe a ai as avait avez ont doit "
    "dois faut peut peux pouvez veux voudrais sont contient comporte saisir taper entrer creer "
    "recevoir et ou mais donc car que qui qu quoi quel quelle quels quelles comment pourquoi "
    "quand si s se me m te t je j il elle on nous vous ca cela ce y lors depuis avec sans hier "
    "aujourd demain matin soir maintenant avant apres recemment svp stp merci postal ccam ngap "
    "acte actes rpps adeli finess siret siren not wrong invalid expired locked blocked "
    "forgotten forgot lost too reset changed doesn does don isn wasn to and or please"
)
# What still shows a question or a remark after « : » (« mon mot de passe : je l'ai changé »).
_QUESTIONS = _words(
    "que qu quoi quel quelle quels quelles comment pourquoi quand ou je j il elle on nous vous "
    "ca cela ne n pas jamais svp stp merci oublie oubliee perdu perdue bloque bloquee expire "
    "expiree incorrect invalide refuse what how why when where i it forgotten lost"
)
_DETERMINERS = _words(
    "mon ma mes le la les l un une des votre vos celui celle ce cet cette son sa ses my the "
    "a an your"
)
_TRAILERS = _words("et pour sur svp stp merci si au ok voila voici please thanks and")


def _skip(pattern: re.Pattern[str], text: str, position: int) -> int:
    """Where `pattern` (which may match nothing) stops matching from `position`."""
    found = pattern.match(text, position)
    return found.end() if found else position


def _norm(word: str) -> str:
    return strip_accents(word).lower().strip(".,;:!?…()[]{}'’")


def _clause_end(text: str, start: int) -> int:
    end = _CLAUSE_END.search(text, start)
    if end is None:
        return len(text)
    if end[0] != "\n" and end.start() > start and not text[end.start() - 1].isspace():
        return end.end()  # punctuation glued to the secret may be part of it
    return end.start()


def _after_connector(text: str, start: int, kind: str, symbol: bool) -> int | None:
    """Where the secret starts after « : », « est »…; None when what follows is no secret."""
    if text.startswith("\n", start) or start == len(text):
        # « mot de passe : » and the secret on the next line.
        start = _skip(_SPACES, text, start)
    if start < len(text) and text[start] in _QUOTE:
        return start
    word = _WORD.match(text, start)
    if word is None or _SIZE.match(text, start):
        return None
    # After « : » or « = » a value is given (« password: correct horse… »); after « est », a
    # state may be told (« mon mot de passe est bloqué »).
    stop = _QUESTIONS if symbol else _MENTIONS
    if kind == LOGIN:
        stop = stop | _DETERMINERS
    if not symbol and _norm(word[0]) in _DETERMINERS:
        # After « est » a determiner describes the secret (« ils veulent mon code, c'est une
        # arnaque ? »), unless the clause holds one (« mon mdp est le suivant : Azerty12 »).
        clause = text[start : _clause_end(text, start)]
        return start if any(_looks_secret(w) for w in clause.split()[1:]) else None
    return None if _norm(word[0]) in stop else start


# « le code que j'ai reçu par SMS c'est 482913 »: a clause about the secret, then the secret.
_RELATIVE = frozenset({"que", "qu", "qui"})
_LATER_CONNECTOR = re.compile(r"\b(?:c['’]\s*est|est|etait|était)\b\s*|[:=]\s*", re.I)


def _after_relative(text: str, start: int) -> int | None:
    """Where the secret starts after the clause's own « c'est » or « : » (the first, within a
    few words), if what follows looks like one."""
    connector = _LATER_CONNECTOR.search(text, start, min(start + 40, _clause_end(text, start)))
    word = _WORD.match(text, connector.end()) if connector else None
    return connector.end() if connector and word and _looks_secret(word[0]) else None


def _looks_secret(word: str) -> bool:
    core = word.rstrip(".,;:!?…")
    return (
        any(ch.isdigit() for ch in core)
        or any(not (ch.isalpha() or ch in "'’-") for ch in core)
        or core[1:] != core[1:].lower()
    )


def _bare_secret(text: str, word: re.Match[str], kind: str, barriers: list[int]) -> bool:
    """A word right after a cue, with no connector: is it the secret?"""
    # « identifiants jdupont / Azerty12 », « identifiant X et mdp Y »
    if kind == LOGIN and (_SLASH.match(text, word.end()) or word.end() in barriers):
        return True
    if _looks_secret(word[0]):
        return True
    following = _NEXT_WORD.match(text, word.end())
    nxt = _norm(following[1]) if following else ""
    return nxt == "" or nxt in _TRAILERS or word.end() >= _clause_end(text, word.start())


def _value_start(text: str, cue: re.Match[str], kind: str, barriers: list[int]) -> int | None:
    """Where the secret starts after a cue, or None when the cue is only talked about."""
    position = cue.end()
    for _ in range(6):
        connector = _CONNECTOR.match(text, position)
        if connector and connector[0].strip():
            symbol = bool(re.search(r"[:=>→]", connector[0]))
            return _after_connector(text, connector.end(), kind, symbol)
        size = _SIZE.match(text, position)
        if size:
            position = size.end()
            continue
        start = _skip(_BLANKS, text, position)
        if start < len(text) and text[start] in _QUOTE and kind != LOGIN:
            return start
        word = _WORD.match(text, start)
        if word is None:
            return None
        folded = _norm(word[0])
        if folded in _RELATIVE:
            return _after_relative(text, word.end())
        if folded in _MENTIONS or not folded:
            return None
        if folded in _QUALIFIERS:
            position = word.end()
            continue
        return start if _bare_secret(text, word, kind, barriers) else None
    return None


def _barriers(text: str, cues: list[re.Match[str]], placeholders: list[Found]) -> list[int]:
    """Positions where a secret stops: a placeholder, or a cue after « et », « , », « / »…"""
    barriers = [found.start for found in placeholders]
    for cue in cues:
        joiner = _JOINER.search(text, max(0, cue.start() - 40), cue.start())
        if joiner:
            barriers.append(joiner.start())
    return sorted(barriers)


def _split(text: str, start: int, end: int, group: str) -> Iterator[Found]:
    """« jdupont / Azerty12 » after an identifiant cue: an identifier, then a password."""
    slash = text.find("/", start, end)
    if group in {"credentials", "login"} and slash != -1:
        left_end = len(text[:slash].rstrip())
        right_start = _skip(_SLASH_AND_BLANKS, text, slash)
        if left_end > start and right_start < end:
            yield Found(start, left_end, LOGIN)
            yield Found(right_start, end, PASSWORD)
            return
    yield Found(start, end, PASSWORD if group == "credentials" else _KINDS.get(group, CODE))


def _after_placeholder(
    text: str, start: int, placeholders: list[Found], group: str
) -> tuple[int, str]:
    """An identifier masked as a NIR: a word after « / » or « et » is the password."""
    masked = next((found for found in placeholders if found.start == start), None)
    if masked is None or masked.kind != NIR:
        return start, group
    joiner = _AFTER_MASKED.match(text, masked.end)
    if joiner is None or _CUE.match(text, joiner.end()):
        return start, group  # the next cue is dealt with on its own
    word = _WORD.match(text, joiner.end())
    if word is None or text.startswith("[", joiner.end()):
        return start, group
    alone = _skip(_BLANKS, text, word.end()) >= _clause_end(text, word.start())
    return (joiner.end(), "password") if alone or _looks_secret(word[0]) else (start, group)


def find_secrets(text: str, placeholders: list[Found]) -> list[Found]:
    """The secrets given after a cue in `text`, as spans to mask (placeholders are kept)."""
    inside = [(found.start, found.end) for found in placeholders]
    cues = [cue for cue in _CUE.finditer(text) if not any(a <= cue.start() < b for a, b in inside)]
    barriers = _barriers(text, cues, placeholders)
    secrets: list[Found] = []
    for cue in cues:
        if secrets and cue.start() < secrets[-1].end:
            continue  # already inside a masked secret
        group = cue.lastgroup or "code"
        kind = _KINDS.get(group, CODE)
        start = _value_start(text, cue, kind, barriers)
        if start is None:
            continue
        if kind == LOGIN:  # « identifiants : [numéro … masqué] / Azerty12 »
            start, group = _after_placeholder(text, start, placeholders, group)
        end = min([_clause_end(text, start), *(b for b in barriers if b >= start)])
        end = len(text[:end].rstrip())
        if end <= start or not re.search(r"\w", text[start:end]):
            continue
        secrets.extend(_split(text, start, end, group))
    return secrets
