"""Secrets typed to the assistant are masked before anything stores them."""

import pytest
from bot.redaction import redact

VALID_CARD = "4970 1012 3456 7893"  # passes the Luhn check


@pytest.mark.parametrize(
    ("typed", "masked", "kind"),
    [
        ("mon mot de passe est Toto123!", "mon mot de passe est [mot de passe masqué]", "password"),
        ("mdp: azerty", "mdp: [mot de passe masqué]", "password"),
        (
            "voici mon iban FR76 3000 6000 0112 3456 7890 189",
            "voici mon iban [IBAN masqué]",
            "iban",
        ),
        (
            f"ma carte {VALID_CARD} expire bientôt",
            "ma carte [numéro de carte masqué] expire bientôt",
            "card",
        ),
        (
            "mon numéro de sécu 1 85 03 69 123 045 12",
            "mon numéro de sécu [numéro de sécurité sociale masqué]",
            "nir",
        ),
        ("2850369123045", "[numéro de sécurité sociale masqué]", "nir"),
    ],
)
def test_secrets_are_masked(typed: str, masked: str, kind: str) -> None:
    result = redact(typed)
    assert result.text == masked
    assert result.kinds == (kind,)


@pytest.mark.parametrize(
    "typed",
    [
        "j'ai oublié mon mot de passe",
        "mon mot de passe pour me connecter ne marche pas",
        "le 03/03/2026 chez le Dr Martin, 25 euros",
        "ma carte 4970 1012 3456 7890 ok",  # not a card number (Luhn)
        "appelez le 3646",
    ],
)
def test_ordinary_messages_are_untouched(typed: str) -> None:
    assert redact(typed).text == typed
    assert redact(typed).kinds == ()
