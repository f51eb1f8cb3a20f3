"""Find IBANs, card numbers and French NIRs in typed text, however they are spaced.

People type these numbers in groups: « FR76 3000 6000 0112 3456 7890 189 »,
« fr76-3000-… », « 1.85.03.69.123.045.12 », « 4970 1012 3456 7893 12/27 ». The text is cut
into letter-and-digit tokens; tokens joined by one separator (spaces, a dash or a dot) form a
run, and every window of consecutive tokens in a run is a candidate, the longest first. A
candidate counts when python-stdnum validates it (IBAN check digits and the country's
structure; Luhn for cards; the NIR's key when it is typed), so dates, amounts, phone numbers,
claim references and RPPS numbers are left as they are. Right after a word that announces such
a number (« mon IBAN », « ma CB », « n° de sécu »), its shape is enough: a number typed with one
digit wrong is still the person's, and they meant to give it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from stdnum import iban, luhn
from stdnum.fr import nir

IBAN = "iban"
CARD = "card"
NIR = "nir"

_TOKEN = re.compile(r"[A-Za-z0-9]+")
# Between two groups of one number: blanks, or one dash or dot with blanks around it.
_SEPARATOR = re.compile(r"[ \t\u00a0\u202f]*[-.][ \t\u00a0\u202f]*|[ \t\u00a0\u202f]+")
_IBAN_SHAPE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")
# Sex (and the 3, 4, 7, 8 of temporary numbers), year, month, department (2A/2B: Corsica),
# town and order; then the optional two-digit key.
_NIR_SHAPE = re.compile(r"[1-478]\d{2}(\d{2})(\d{2}|2A|2B)\d{6}(\d{2})?")
_NIR_DIGITS = re.compile(r"\d{13}|\d{15}")
_LONGEST = 34  # characters of an IBAN, the longest number looked for
# Words that announce an IBAN, a card number or a NIR, and how far before the number they may be.
_ANNOUNCED = re.compile(
    r"(?<!\w)(?:(?P<iban>iban|rib)|(?P<card>cb|carte|visa|mastercard)"
    r"|(?P<nir>s[ée]cu|s[ée]curit[ée]\s+sociale|nir|assur[ée]e?))(?!\w)",
    re.I,
)
_ANNOUNCED_WITHIN = 30
# How an announced number starts: a digit, or an IBAN's country and check digits (« FR76 »).
_NUMBER_START = re.compile(r"\d|[A-Za-z]{2}\d{2}")


class Found(NamedTuple):
    start: int
    end: int
    kind: str


def _runs(text: str) -> Iterator[list[re.Match[str]]]:
    run: list[re.Match[str]] = []
    for token in _TOKEN.finditer(text):
        if run and not _SEPARATOR.fullmatch(text, run[-1].end(), token.start()):
            yield run
            run = []
        run.append(token)
    if run:
        yield run


def _plausible_nir_body(month: str, department: str, rest: str) -> bool:
    """Without its key a NIR is only a shape: a real month code, a department, a town."""
    month_ok = 1 <= int(month) <= 12 or int(month) == 20 or 30 <= int(month) <= 42
    month_ok = month_ok or int(month) >= 50  # codes given when the month is unknown
    return month_ok and department != "00" and rest[:3] != "000" and rest[3:6] != "000"


def _nir(compact: str, key_follows: bool) -> bool:
    shape = _NIR_SHAPE.fullmatch(compact)
    if shape is None:
        return False
    if shape[3] is not None:  # the key is there: it decides
        return nir.is_valid(compact)
    # A key typed after the body that did not validate is not a NIR either.
    return not key_follows and _plausible_nir_body(shape[1], shape[2], compact[7:])


def _card(digits: str) -> bool:
    """A bank card's length and first digits (Visa, Mastercard, CB, Amex…), and Luhn.

    No 14-digit cards (Diners' old numbers): a SIRET has 14 digits and passes Luhn too.
    """
    length, first = len(digits), digits[0]
    if length == 13:
        issuer = first == "4"
    elif length == 15:
        issuer = digits[:2] in {"34", "37"}
    else:
        issuer = 16 <= length <= 19 and first in "23456"
    return issuer and luhn.is_valid(digits)


def _announced_kind(compact: str, announced: str) -> str | None:
    """The kind of a number that a cue announced (`announced`: iban, card or nir), by shape."""
    if announced == IBAN:
        return IBAN if _IBAN_SHAPE.fullmatch(compact) else None
    # « sécu »: thirteen or fifteen digits; « carte » may be the Vitale card's, then its shape.
    if _NIR_SHAPE.fullmatch(compact) or (announced == NIR and _NIR_DIGITS.fullmatch(compact)):
        return NIR
    return CARD if announced == CARD and compact.isdigit() and 13 <= len(compact) <= 19 else None


def _kind(compact: str, next_token: str | None, announced: str | None) -> str | None:
    if announced:
        return _announced_kind(compact, announced)
    if compact[:2].isalpha():
        if _IBAN_SHAPE.fullmatch(compact) and iban.is_valid(compact, check_country=False):
            return IBAN
        return None
    key_follows = next_token is not None and len(next_token) == 2 and next_token.isdigit()
    if len(compact) == 15 and _nir(compact, key_follows):
        return NIR
    if compact.isdigit() and 13 <= len(compact) <= 19 and _card(compact):
        return CARD
    if len(compact) == 13 and _nir(compact, key_follows):
        return NIR
    return None


def _announced(text: str, start: int) -> str | None:
    """The kind a cue just before `start` announces (« IBAN », « CB », « sécu »), no digit
    between them; None without one."""
    window = text[max(0, start - _ANNOUNCED_WITHIN) : start]
    window = window[window.rfind("]") + 1 :]  # « [IBAN masqué] » announces nothing more
    cues = list(_ANNOUNCED.finditer(window))
    if not cues or any(ch.isdigit() for ch in window[cues[-1].end() :]):
        return None
    return cues[-1].lastgroup


def _longest(run: list[re.Match[str]], first: int, announced: str | None) -> Found | None:
    """The longest number that starts at token `first`, validated or (announced) by shape."""
    tokens: list[str] = []
    sizes: list[int] = []
    for token in run[first:]:
        size = (sizes[-1] if sizes else 0) + len(token[0])
        # An announced number is read by its shape: it ends at the first group without digits.
        if size > _LONGEST or (announced and not any(ch.isdigit() for ch in token[0])):
            break
        tokens.append(token[0])
        sizes.append(size)
    longest = _LONGEST if tokens and tokens[0][:2].isalpha() else 19  # IBAN, else card
    for count in range(len(tokens), 0, -1):
        if sizes[count - 1] < 13:
            break
        if sizes[count - 1] > longest:
            continue
        compact = "".join(tokens[:count]).upper()
        following = run[first + count][0] if first + count < len(run) else None
        kind = _kind(compact, following, announced)
        if kind is not None:
            return Found(run[first].start(), run[first + count - 1].end(), kind)
    return None


def _at(text: str, run: list[re.Match[str]], first: int) -> Found | None:
    """The number that starts at token `first` of the run, if any: a valid one, else one
    announced by a cue just before it."""
    found = _longest(run, first, announced=None)
    if found is None and _NUMBER_START.match(run[first][0]):
        announced = _announced(text, run[first].start())
        found = _longest(run, first, announced) if announced else None
    return found


def _in_run(text: str, run: list[re.Match[str]]) -> Iterator[Found]:
    first = 0
    while first < len(run):
        found = _at(text, run, first)
        if found is None:
            first += 1
            continue
        yield found
        while first < len(run) and run[first].start() < found.end:
            first += 1


def find_numbers(text: str) -> list[Found]:
    """The IBANs, card numbers and NIRs in `text`, in order, none overlapping."""
    return [found for run in _runs(text) for found in _in_run(text, run)]
