"""What the assistant says follows French typography: a no-break space before « : ; ? ! » and
inside « », so a line never breaks there and a quote never wraps alone (issue 17)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BREAKABLE = re.compile(r"[ \t](?=[:;?!»])|«[ \t]|(?<=\w)[:;?!](?=\w)")


def _texts() -> list[tuple[str, str]]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    found: list[tuple[str, str]] = []
    for name, variants in domain["responses"].items():
        for variant in variants:
            found.append((name, variant["text"]))
            found += [(name, button["title"]) for button in variant.get("buttons", [])]
    return found


@pytest.mark.parametrize(("response", "text"), _texts())
def test_every_response_keeps_its_punctuation_with_its_word(response: str, text: str) -> None:
    flat = re.sub(r"\{\w+\}", "x", text)  # slots' placeholders
    assert not BREAKABLE.search(flat), f"{response}: {flat!r}"


def test_the_assistant_never_vouches_for_an_email_it_has_not_seen() -> None:
    answers: dict[str, Any] = dict(_texts())
    phishing = answers["utter_faq_phishing"].lower()
    assert "officiel" not in phishing and "pas une tentative" not in phishing
    for sign in ("aucun lien", "ni montant ni nature des soins", "mot de passe", "supprimez"):
        assert sign in phishing
