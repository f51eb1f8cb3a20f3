"""Dates of care as people type them, against a fixed day (Thursday 26 November 2026)."""

from datetime import date

import pytest
from bot.french_dates import find_care_date, format_french

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("le 3 mars", date(2026, 3, 3)),
        ("3 mars 2026", date(2026, 3, 3)),
        ("03/03/2026", date(2026, 3, 3)),
        ("3/3", date(2026, 3, 3)),
        ("3/3/26", date(2026, 3, 3)),
        ("2026-03-03", date(2026, 3, 3)),
        ("lundi dernier", date(2026, 11, 23)),
        ("hier", date(2026, 11, 25)),
        ("avant-hier", date(2026, 11, 24)),
        ("aujourd'hui", date(2026, 11, 26)),
        ("il y a deux semaines", date(2026, 11, 12)),
        ("il y a 3 jours", date(2026, 11, 23)),
        ("il y a 3 mois", date(2026, 8, 26)),
        ("il y a 2 ans", date(2024, 11, 26)),
        ("c'était le 4 mars", date(2026, 3, 4)),
        ("non, c'etait le 4 MARS", date(2026, 3, 4)),
        ("le lundi 2 février", date(2026, 2, 2)),
        ("le 1er décembre", date(2025, 12, 1)),  # a December 1st still to come: last year's
        ("3/12", date(2025, 12, 3)),
        ("le 3 déc.", date(2025, 12, 3)),
        ("le 4", date(2026, 11, 4)),
        ("le 15 à 10h", date(2026, 11, 15)),
        ("mardi", date(2026, 11, 24)),
        ("le dentiste le 12/11 m'a facturé une couronne", date(2026, 11, 12)),
        ("3 mars 2027", date(2027, 3, 3)),  # the form refuses it as a future date
    ],
)
def test_reads_the_date(typed: str, expected: date) -> None:
    found = find_care_date(typed, TODAY)
    assert found is not None, typed
    assert found.value == expected


@pytest.mark.parametrize(
    "typed",
    [
        "la semaine dernière",
        "début avril",
        "31/02/2026",
        "Dr Martin",
        "3 séances",
        "rien",
        "",
        # An age is not a date of care.
        "j'ai 52 ans et aucun appareil dentaire",
        "pour mon fils de 12 ans",
    ],
)
def test_vague_or_no_date_gives_nothing(typed: str) -> None:
    assert find_care_date(typed, TODAY) is None


def test_span_points_at_the_date_in_the_message() -> None:
    text = "Le dentiste m'a facturé une couronne le 3 mars, c'est faux"
    found = find_care_date(text, TODAY)
    assert found is not None
    assert text[found.start : found.end] == "3 mars"


def test_writes_dates_in_french() -> None:
    assert format_french(date(2026, 3, 1)) == "1er mars 2026"
    assert format_french(date(2026, 8, 15)) == "15 août 2026"
