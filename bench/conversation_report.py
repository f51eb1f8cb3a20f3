"""What the whole-conversation bench records of each conversation, and its French summary."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.toolkit.measures import percentile

OUTCOMES = {
    "right": "déposé sur la bonne ligne",
    "wrong": "déposé sur une mauvaise ligne",
    "no_claim": "déposé sans rattacher",
    "nothing": "rien d'envoyé",
}


@dataclass
class Turn:
    user: str
    button: str | None  # the title of the button pressed, when `user` is its payload
    answer: list[str]
    ms: float
    note: str | None  # why the person said this rather than their next scripted words


@dataclass
class Played:
    id: str
    theme: str
    expected: str | None  # the claim key a report must be filed on (None: no wrong filing)
    outcome: str = "nothing"  # a key of OUTCOMES
    passed: bool = False
    turns: list[Turn] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    missed_offers: list[str] = field(default_factory=list)  # claims meant, never offered
    filed_on: list[str] = field(default_factory=list)  # claim keys reported (« sans ligne »)
    not_understood: int = 0  # answers « Je n'ai pas bien compris » or out of scope
    other_date: list[str] = field(default_factory=list)  # reported lines, dated otherwise
    error: str | None = None


def summarise(played: list[Played], latencies: list[float], seconds: float) -> dict[str, Any]:
    outcomes = Counter(p.outcome for p in played)
    attached = [p for p in played if p.expected]
    right = sum(p.outcome == "right" for p in attached)
    return {
        "conversations": len(played),
        "passed": sum(p.passed for p in played),
        "expected_on_a_claim": len(attached),
        "right_share": right / len(attached) if attached else None,
        **{outcome: outcomes[outcome] for outcome in OUTCOMES},
        "adapted_turns": sum(t.note is not None for p in played for t in p.turns),
        "not_understood_turns": sum(p.not_understood for p in played),
        "turns": len(latencies),
        "turn_p50_ms": statistics.median(latencies) if latencies else None,
        "turn_p95_ms": percentile(latencies, 0.95) if latencies else None,
        "seconds": seconds,
        "by_theme": {
            theme: [sum(p.passed for p in played if p.theme == theme),
                    sum(p.theme == theme for p in played)]
            for theme in sorted({p.theme for p in played})
        },
    }  # fmt: skip


def _last_answer(played: Played) -> str:
    for turn in reversed(played.turns):
        if turn.answer:
            return " / ".join(turn.answer).replace("\n", " ")
    return played.error or "(aucune réponse)"


def _print_failures(played: list[Played]) -> None:
    rough = [f"{p.id} ({p.not_understood})" for p in played if p.passed and p.not_understood]
    if rough:
        print("\nConformes malgré des réponses « pas compris » : " + ", ".join(rough))
    dated = [f"{p.id} ({', '.join(p.other_date)})" for p in played if p.other_date]
    if dated:
        print("Signalements datés autrement que leur ligne : " + ", ".join(dated))
    failed = [p for p in played if not p.passed]
    print(f"\nÉchecs ({len(failed)})" if failed else "\nAucun échec.")
    for p in failed:
        expected = (
            f"attendu : ligne « {p.expected} »" if p.expected else "attendu : pas de mauvaise ligne"
        )
        details = [expected, f"{len(p.turns)} tours", f"{p.not_understood} incompris"]
        if p.filed_on:
            details.append("déposé sur : " + ", ".join(p.filed_on))
        if p.missed_offers:
            details.append("paiement voulu non proposé : " + ", ".join(p.missed_offers))
        print(f"  {p.id} — {OUTCOMES[p.outcome]} ({'; '.join(details)})")
        last = _last_answer(p)
        print(f"      dernier message : « {last[:240]}{'…' if len(last) > 240 else ''} »")
        if p.error:
            print(f"      erreur : {p.error}")


def _number(value: Any, pattern: str) -> str:
    return "—" if value is None else pattern.format(value)


def report(played: list[Played], latencies: list[float], seconds: float) -> dict[str, Any]:
    """Print the summary table and the failures; return the summary's figures."""
    s = summarise(played, latencies, seconds)
    print("\nConversations entières — mesures (cibles entre crochets)")
    rows = [
        ("Conversations jouées", str(s["conversations"]), ""),
        ("Conversations : sur la bonne ligne",
         _number(s["right_share"] and 100 * s["right_share"], "{:.0f} %")
         + f" ({s['right']}/{s['expected_on_a_claim']})",
         "≥ 95 %"),
        ("Conversations : sur une mauvaise ligne", str(s["wrong"]), "0"),
        ("Conversations : déposées sans rattacher", str(s["no_claim"]), ""),
        ("Conversations : rien d'envoyé", str(s["nothing"]), ""),
        ("Conversations conformes à l'attendu", f"{s['passed']}/{s['conversations']}", ""),
        ("Tours adaptés par la personne simulée", f"{s['adapted_turns']}/{s['turns']}", ""),
        ("Réponses « pas compris » ou hors sujet", str(s["not_understood_turns"]), ""),
        ("Latence par tour p50 (ms)", _number(s["turn_p50_ms"], "{:.0f}"), ""),
        ("Latence par tour p95 (ms)", _number(s["turn_p95_ms"], "{:.0f}"), ""),
        ("Durée du banc (s)", f"{seconds:.0f}", ""),
    ]  # fmt: skip
    for label, value, target in rows:
        print(f"  {label:<44} {value:>12}  [{target}]" if target else f"  {label:<44} {value:>12}")
    print("\nPar thème (conformes / jouées)")
    for theme, (ok, total) in s["by_theme"].items():
        print(f"  {theme:<44} {ok:>5}/{total}")
    _print_failures(played)
    return s
