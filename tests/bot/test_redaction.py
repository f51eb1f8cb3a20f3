"""Secrets typed to the assistant are masked before anything stores them, and only then claimed.

Every channel stores `redact(text.strip()).text` (bot/channels/messages.py): the tracker
store, the report's transcript, the agents' CSV and the trainers' inbox all read that text.
"""

from __future__ import annotations

import random

import pytest
from bot.components.sensitive import INTENT_NAME, MASKED_WORDINGS, SEVERAL, warning_kind
from bot.redaction import PLACEHOLDERS, Redacted, has_placeholder, masked_kinds, redact

IBAN = "[IBAN masqué]"
CARD = "[numéro de carte masqué]"
NIR = "[numéro de sécurité sociale masqué]"
PASSWORD = "[mot de passe masqué]"
CODE = "[code masqué]"
LOGIN = "[identifiant masqué]"

# (typed, stored, kinds, values that must be gone)
MASKED = [
    # IBANs of several countries, spaced, dashed, dotted or not, in any case.
    (
        "Bonjour, mon IBAN est FR76 3000 6000 0112 3456 7890 189, merci de rembourser dessus",
        f"Bonjour, mon IBAN est {IBAN}, merci de rembourser dessus",
        ("iban",),
        ["3000 6000 0112", "7890 189"],
    ),
    (
        "voici mon iban fr76-3000-6000-0112-3456-7890-189.",
        f"voici mon iban {IBAN}.",
        ("iban",),
        ["fr76", "6000-0112"],
    ),
    ("IBAN FR76.3000.6000.0112.3456.7890.189", f"IBAN {IBAN}", ("iban",), ["3456.7890"]),
    ("rib FR7630006000011234567890189 svp", f"rib {IBAN} svp", ("iban",), ["FR7630006000"]),
    (
        "mon compte allemand DE89 3704 0044 0532 0130 00 pour le virement",
        f"mon compte allemand {IBAN} pour le virement",
        ("iban",),
        ["3704 0044"],
    ),
    ("GB29 NWBK 6016 1331 9268 19", IBAN, ("iban",), ["NWBK"]),
    ("iban : nl91 abna 0417 1643 00", f"iban : {IBAN}", ("iban",), ["abna"]),
    ("BE68 5390 0754 7034 (Belgique)", f"{IBAN} (Belgique)", ("iban",), ["5390"]),
    ("IT60 X054 2811 1010 0000 0123 456", IBAN, ("iban",), ["X054"]),
    ("FR14 2004 1010 0505 0001 3M02 606", IBAN, ("iban",), ["3M02"]),
    # Card numbers, checked with Luhn.
    ("ma carte 4970 1012 3456 7893 12/27", f"ma carte {CARD} 12/27", ("card",), ["3456"]),
    ("ma carte 4970-1012-3456-7893 expire", f"ma carte {CARD} expire", ("card",), ["4970"]),
    (
        "le numéro de ma carte bleue c'est 5555 5555 5555 4444",
        f"le numéro de ma carte bleue c'est {CARD}",
        ("card",),
        ["5555"],
    ),
    ("amex 3782 822463 10005", f"amex {CARD}", ("card",), ["822463"]),
    # French NIR: with its key (checked), without it (shape only), Corsica.
    (
        "mon numéro de sécu 1 85 03 69 123 045 32",
        f"mon numéro de sécu {NIR}",
        ("nir",),
        ["85 03 69"],
    ),
    ("mon numéro de sécu est 185036912304532", f"mon numéro de sécu est {NIR}", ("nir",), ["1850"]),
    ("n° sécu : 1.85.03.69.123.045.32", f"n° sécu : {NIR}", ("nir",), ["123.045"]),
    ("mon nir 1 85 03 69 123 045, merci", f"mon nir {NIR}, merci", ("nir",), ["69 123"]),
    ("2850369123045", NIR, ("nir",), ["2850369123045"]),
    ("2 53 07 2A 073 004 43", NIR, ("nir",), ["2A 073"]),
    ("sécu de ma fille 253072B07300470", f"sécu de ma fille {NIR}", ("nir",), ["2B073"]),
    # Passwords: everything after the cue up to the end of the clause.
    ("mon mot de passe est Toto123!", f"mon mot de passe est {PASSWORD}", ("password",), ["Toto"]),
    ("mdp: azerty", f"mdp: {PASSWORD}", ("password",), ["azerty"]),
    (
        "mon mot de passe c'est Soleil 2024, merci de vérifier",
        f"mon mot de passe c'est {PASSWORD}",
        ("password",),
        ["Soleil", "2024"],
    ),
    (
        "mon mot de passe c'est soleil du matin",
        f"mon mot de passe c'est {PASSWORD}",
        ("password",),
        ["soleil", "matin"],
    ),
    (
        "Mon mdp : Ma.Belle/Maison,2024",
        f"Mon mdp : {PASSWORD}",
        ("password",),
        ["Belle", "Maison", "2024"],
    ),
    ("mot-de-passe = chat noir", f"mot-de-passe = {PASSWORD}", ("password",), ["chat", "noir"]),
    ("MOT DE PASSE : ABC", f"MOT DE PASSE : {PASSWORD}", ("password",), ["ABC"]),
    (
        "mot de passe\u00a0: abc ; merci",
        f"mot de passe\u00a0: {PASSWORD} ; merci",
        ("password",),
        ["abc"],
    ),
    ("mon mdp c Azerty", f"mon mdp c {PASSWORD}", ("password",), ["Azerty"]),
    ("mdp ameli Azerty12", f"mdp ameli {PASSWORD}", ("password",), ["Azerty12"]),
    ("mdp soleil", f"mdp {PASSWORD}", ("password",), ["soleil"]),
    ("Mon MDP => abc", f"Mon MDP => {PASSWORD}", ("password",), ["abc"]),
    (
        "mon nouveau mot de passe est Printemps2026",
        f"mon nouveau mot de passe est {PASSWORD}",
        ("password",),
        ["Printemps"],
    ),
    (
        "le mot de passe de mon compte ameli est Ab12 cd/34. Pouvez-vous vérifier ?",
        f"le mot de passe de mon compte ameli est {PASSWORD} Pouvez-vous vérifier ?",
        ("password",),
        ["Ab12", "cd/34"],
    ),
    (
        "mon mot de passe est « la mer est belle ». Pouvez-vous regarder mon dossier ?",
        f"mon mot de passe est {PASSWORD} Pouvez-vous regarder mon dossier ?",
        ("password",),
        ["mer", "belle"],
    ),
    ("mon mot de passe :\nAzerty 12", f"mon mot de passe :\n{PASSWORD}", ("password",), ["Azerty"]),
    ("code confidentiel : 0000", f"code confidentiel : {PASSWORD}", ("password",), ["0000"]),
    ("mon code d'accès : 4567", f"mon code d'accès : {PASSWORD}", ("password",), ["4567"]),
    ("code d’accès = xk-22", f"code d’accès = {PASSWORD}", ("password",), ["xk-22"]),
    (
        "le code de mon compte est Lilas#1958",
        f"le code de mon compte est {PASSWORD}",
        ("password",),
        ["Lilas#1958"],
    ),
    # Codes: PIN, card code, cryptogram.
    ("code PIN 1234", f"code PIN {CODE}", ("code",), ["1234"]),
    ("mon code PIN est 1234", f"mon code PIN est {CODE}", ("code",), ["1234"]),
    ("mon pin est 1234", f"mon pin est {CODE}", ("code",), ["1234"]),
    # Announced by « IBAN », « carte », « sécu »…: the shape is enough, a digit wrong or not.
    ("IBAN FR76 3000 6000 0112 3456 7890 188", f"IBAN {IBAN}", ("iban",), ["7890 188"]),
    (
        "Voici mon IBAN FR00 0000 0000 0000 0000 0000 000 pour le remboursement",
        f"Voici mon IBAN {IBAN} pour le remboursement",
        ("iban",),
        ["0000 000"],
    ),
    ("ma carte 4970 1012 3456 7890 ok", f"ma carte {CARD} ok", ("card",), ["3456 7890"]),
    ("ma cb 0000 1111 2222 3333", f"ma cb {CARD}", ("card",), ["2222 3333"]),
    (
        "mon numéro de sécu 1 85 03 69 123 045 12",
        f"mon numéro de sécu {NIR}",
        ("nir",),
        ["123 045"],
    ),
    (
        "n° sécurité sociale : 1 00 00 00 000 000 00",
        f"n° sécurité sociale : {NIR}",
        ("nir",),
        ["000 000"],
    ),
    # One-time codes sent by the insurer or by anyone pretending to be it.
    (
        "le code reçu par sms c'est 739204",
        f"le code reçu par sms c'est {CODE}",
        ("code",),
        ["739204"],
    ),
    ("code de vérification : 482913", f"code de vérification : {CODE}", ("code",), ["482913"]),
    ("mon code SMS 739204", f"mon code SMS {CODE}", ("code",), ["739204"]),
    ("mon code secret est 1234", f"mon code secret est {CODE}", ("code",), ["1234"]),
    (
        "le code de ma carte bleue c'est 1234",
        f"le code de ma carte bleue c'est {CODE}",
        ("code",),
        ["1234"],
    ),
    (
        "numéro de carte 5555555555554444 cryptogramme 737",
        f"numéro de carte {CARD} cryptogramme {CODE}",
        ("card", "code"),
        ["5555", "737"],
    ),
    # English.
    ("my password is hunter2", f"my password is {PASSWORD}", ("password",), ["hunter2"]),
    (
        "My password is: correct horse battery staple",
        f"My password is: {PASSWORD}",
        ("password",),
        ["horse", "staple"],
    ),
    ("pwd=Xy!9", f"pwd={PASSWORD}", ("password",), ["Xy!9"]),
    (
        "username: jdoe and password: hunter 2",
        f"username: {LOGIN} and password: {PASSWORD}",
        ("login", "password"),
        ["jdoe", "hunter"],
    ),
    # Identifiers and passwords together.
    (
        "identifiants : jdupont / Azerty12",
        f"identifiants : {LOGIN} / {PASSWORD}",
        ("login", "password"),
        ["jdupont", "Azerty12"],
    ),
    (
        "mes identifiants jdupont / Azerty12",
        f"mes identifiants {LOGIN} / {PASSWORD}",
        ("login", "password"),
        ["jdupont", "Azerty12"],
    ),
    (
        "login : jdupont / Azerty12",
        f"login : {LOGIN} / {PASSWORD}",
        ("login", "password"),
        ["jdupont", "Azerty12"],
    ),
    (
        "voici mes codes de connexion : jdupont / Ab!2",
        f"voici mes codes de connexion : {LOGIN} / {PASSWORD}",
        ("login", "password"),
        ["jdupont", "Ab!2"],
    ),
    (
        "mon identifiant est jdupont et mon mot de passe est Azerty12",
        f"mon identifiant est {LOGIN} et mon mot de passe est {PASSWORD}",
        ("login", "password"),
        ["jdupont", "Azerty12"],
    ),
    (
        "mon identifiant est 1850369123045 et mon mot de passe est Azerty12",
        f"mon identifiant est {NIR} et mon mot de passe est {PASSWORD}",
        ("nir", "password"),
        ["1850369123045", "Azerty12"],
    ),
    (
        "identifiants : 1850369123045 / Azerty12",
        f"identifiants : {NIR} / {PASSWORD}",
        ("nir", "password"),
        ["1850369123045", "Azerty12"],
    ),
    (
        "mes identifiants ameli : 1 85 03 69 123 045 32 et Azerty!",
        f"mes identifiants ameli : {NIR} et {PASSWORD}",
        ("nir", "password"),
        ["85 03", "Azerty"],
    ),
    (
        "mot de passe oublié, mon identifiant est jdupont",
        f"mot de passe oublié, mon identifiant est {LOGIN}",
        ("login",),
        ["jdupont"],
    ),
    (
        "le mot de passe c'est Soleil et l'identifiant jdupont",
        f"le mot de passe c'est {PASSWORD} et l'identifiant {LOGIN}",
        ("password", "login"),
        ["Soleil", "jdupont"],
    ),
    (
        "Mot de passe : Azerty12 ; identifiant : jdupont",
        f"Mot de passe : {PASSWORD} ; identifiant : {LOGIN}",
        ("password", "login"),
        ["Azerty12", "jdupont"],
    ),
    (
        "le code de confirmation que j'ai reçu par SMS c'est 482913",
        f"le code de confirmation que j'ai reçu par SMS c'est {CODE}",
        ("code",),
        ["482913"],
    ),
    (
        "mon code est le 4521",
        f"mon code est {CODE}",
        ("code",),
        ["4521"],
    ),
    (
        "mon mdp actuel est le suivant : Azerty12",
        f"mon mdp actuel est {PASSWORD}",
        ("password",),
        ["Azerty12"],
    ),
    (
        "je vous donne mon mot de passe Azerty12",
        f"je vous donne mon mot de passe {PASSWORD}",
        ("password",),
        ["Azerty12"],
    ),
    (
        "mon mot de passe c'est 'soleil'",
        f"mon mot de passe c'est {PASSWORD}",
        ("password",),
        ["soleil"],
    ),
    # A secret among the other words of a report: the rest of the message is kept.
    (
        "mon mdp est Azerty12! et le rendez-vous était le 3 mars",
        f"mon mdp est {PASSWORD} et le rendez-vous était le 3 mars",
        ("password",),
        ["Azerty12"],
    ),
    (
        "Le Dr Martin m'a facturé 2 séances le 03/03/2026. Mon IBAN : FR76 3000 6000 0112 3456 "
        "7890 189.",
        f"Le Dr Martin m'a facturé 2 séances le 03/03/2026. Mon IBAN : {IBAN}.",
        ("iban",),
        ["0112 3456"],
    ),
]

# Nothing secret in these: they must be stored as typed and never claimed masked.
KEPT = [
    # Secrets talked about, none given.
    "J'ai oublié mon mot de passe",
    "un SMS de la CPAM, ils veulent mon code, c'est une arnaque ?",
    "le code que j'ai reçu par SMS ne marche pas, c'est normal ?",
    "mon mot de passe c'est ma date de naissance, je dois le changer ?",
    "j'ai oublié mon mot de passe",
    "comment changer mon mot de passe ?",
    "mon mot de passe ne marche plus",
    "mon mot de passe pour me connecter ne marche pas",
    "mon mot de passe est bloqué depuis hier",
    "mon mot de passe est-il sécurisé ?",
    "Mon mot de passe de 8 caractères ne marche pas",
    "on m'a demandé mon mot de passe par SMS",
    "le site m'a demandé mon mot de passe : j'ai refusé",
    "Votre mot de passe : jamais par mail !",
    "j'ai changé mon mot de passe hier",
    "mot de passe provisoire reçu par courrier",
    "Est-ce que vous allez me demander mon code PIN ?",
    "Je vous donne mon code",
    "le code reçu par sms ne marche pas",
    "le code de vérification est arrivé trop tard",
    "j'ai oublié le code de mon compte",
    "le code de mon compte ne marche plus",
    "on m'a envoyé un code par SMS, c'est normal ?",
    "quel est mon identifiant ?",
    "mon identifiant ne fonctionne pas",
    "j'ai reçu un SMS qui demandait mon code de carte bancaire",
    "I forgot my password",
    "my password is not working",
    "reset my password please",
    "je vous donne mon mot de passe si besoin",
    "je vous donne mon mdp pour que vous vérifiez",
    "identifiant oublié",
    "mes identifiants ne marchent pas",
    "identifiant RPPS 10101234567",
    # Numbers that are no secret.
    "le 03/03/2026 chez le Dr Martin, 25 euros",
    "le 3 mars 2026, séance du 03.03.2026",
    "1 234,56 € au lieu de 12 345,00 euros",
    "appelez-moi au 06 12 34 56 78",
    "+33 6 12 34 56 78 ou 06.12.34.56.78",
    "appelez le 3646",
    "ma référence SIG-2026-000123 du 3 mars",
    "le RPPS du médecin est 10101234567",
    "identifiant RPPS : 10101234567",
    "SIRET 362 521 879 00034",
    "FINESS 750712184",
    "facture n° 2026-03-000451",
    "mon code postal est 75001",
    "le code de l'acte est HBLD036",
    "le Dr Pin m'a facturé 2 consultations",
    # Wrong check digits and nothing that announces the number: not an IBAN, a card or a NIR.
    "FR76 3000 6000 0112 3456 7890 188",
    "4970 1012 3456 7890 ok",
    "1 85 03 69 123 045 12",
    "payé par carte le 12/03/2026, facture 2026-03-000451",
    "carte Vitale refaite en 2019, dossier 12345",
]


@pytest.mark.parametrize(("typed", "stored", "kinds", "gone"), MASKED)
def test_secrets_are_masked(
    typed: str, stored: str, kinds: tuple[str, ...], gone: list[str]
) -> None:
    result = redact(typed)
    assert result.text == stored
    assert result.kinds == kinds
    for value in gone:
        assert value not in result.text


@pytest.mark.parametrize("typed", KEPT)
def test_ordinary_messages_are_untouched(typed: str) -> None:
    result = redact(typed)
    assert result.text == typed
    assert result.kinds == ()
    assert not has_placeholder(result.text)


@pytest.mark.parametrize("typed", [typed for typed, *_ in MASKED] + KEPT)
def test_masking_twice_changes_nothing(typed: str) -> None:
    """What the channel stored holds no secret left: the guard finds nothing « in clear »."""
    once = redact(typed).text
    assert redact(once).text == once
    assert redact(once).kinds == ()


def test_masking_twice_changes_nothing_in_mixed_messages() -> None:
    """Phrasings run together (a secret next to a report, two cues in a row…) too."""
    pieces = [typed for typed, *_ in MASKED] + KEPT + ["et", ",", " / ", "\n", "mdp :", "?"]
    chooser = random.Random(14)
    for _ in range(2000):
        typed = " ".join(chooser.choice(pieces) for _ in range(chooser.randint(2, 5)))
        once = redact(typed).text
        assert redact(once) == Redacted(once, ()), typed


def test_placeholders_tell_what_was_masked() -> None:
    text = redact("iban FR76 3000 6000 0112 3456 7890 189 et mdp : Azerty12").text
    assert masked_kinds(text) == ("iban", "password")
    assert set(PLACEHOLDERS) == {"password", "code", "login", "iban", "card", "nir"}


def stored(typed: str) -> str:
    """What a channel hands to Rasa, hence what every store keeps."""
    return redact(typed.strip()).text


@pytest.mark.parametrize(
    ("typed", "gone"), [(t, g) for t, _, _, g in MASKED] + [(t, []) for t in KEPT]
)
@pytest.mark.parametrize("predicted", [None, "inform", INTENT_NAME])
def test_the_assistant_claims_only_what_it_masked(
    typed: str, gone: list[str], predicted: str | None
) -> None:
    text = stored(typed)
    kind = warning_kind(text, predicted)
    if not gone:  # nothing secret: never « je l'ai masqué »
        assert kind not in MASKED_WORDINGS
        assert kind == ("mention" if predicted == INTENT_NAME else None)
        return
    assert kind in MASKED_WORDINGS
    for value in gone:
        assert value not in text
    # The wording names what was masked: its placeholder is in the stored text.
    if kind == SEVERAL:
        assert len(masked_kinds(text)) >= 2
    elif kind == "password":
        assert PLACEHOLDERS["password"] in text
    else:
        assert masked_kinds(text) == (kind,)


@pytest.mark.parametrize(
    "typed", ["mon mdp est Azerty12!", "IBAN FR76 3000 6000 0112 3456 7890 189"]
)
def test_a_secret_that_reached_rasa_in_clear_is_not_claimed_masked(typed: str) -> None:
    """A message that did not come through our channels was stored as typed."""
    assert warning_kind(typed, None) == "unmasked"
    assert "unmasked" not in MASKED_WORDINGS
