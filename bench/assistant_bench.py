"""`make bench` for the assistant (bot environment): understanding, training, latency, load.

    PYTHONPATH=. .venv-bot/bin/python -m bench.assistant_bench [--skip-nlu] [--skip-train]

Prints the understanding on both held-out sets (bench/nlu_heldout.py: macro-F1, report recall,
false starts, hard negatives) for config.yml and for Rasa's default pipeline, `/model/parse`
latency, the full training time, per-turn latency of whole report conversations
through the REST channel with actions and API, turns per second with 20 concurrent
conversations, and the Rasa server's resident memory. Results also go to var/bench-assistant.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

os.environ["RASA_TELEMETRY_ENABLED"] = "false"

from bench.nlu_heldout import evaluate, load_examples, print_scores
from bench.toolkit.machine import resident_mb
from bench.toolkit.measures import percentile
from tests.bot.conftest import chat_token, sign_in
from tests.bot.stack import (
    BOT_BIN,
    ROOT,
    TEST_SECRET,
    Assistant,
    running_api,
    running_assistant,
)

OUT = ROOT / "var" / "bench"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"}


def rasa(*args: str) -> None:
    subprocess.run(
        [str(BOT_BIN / "rasa"), *args],
        cwd=ROOT,
        env=ENV,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def understanding(config: str, name: str) -> dict[str, dict[str, Any]]:
    """Train an NLU model with `config` on data/nlu.yml, measure it on both held-out sets."""
    models = OUT / "models"
    rasa(
        "train",
        "nlu",
        "--config",
        config,
        "--nlu",
        "data/nlu.yml",
        "--out",
        str(models),
        "--fixed-model-name",
        name,
    )
    return evaluate(models / f"{name}.tar.gz")


def training_seconds() -> float:
    started = time.perf_counter()
    rasa("train", "--force", "--fixed-model-name", "vigilance", "--out", "models")
    return time.perf_counter() - started


def scenario(api_url: str, username: str) -> tuple[str, list[str]]:
    """A whole report conversation for one demo policyholder: token and messages."""
    token = sign_in(api_url, username)
    claims = httpx.get(
        f"{api_url}/api/v1/claims",
        params={"limit": 1},
        headers={"Authorization": f"Bearer {token}"},
    ).json()["items"]
    claim = claims[0]
    day, month, year = reversed(claim["care_date"].split("-"))
    return chat_token(api_url, token), [
        "bonjour",
        "je veux signaler un remboursement suspect",
        f"le {day}/{month}/{year}",
        claim["provider"]["name"].lower(),
        f'/inform{{"claim_choice":"{claim["id"]}"}}',
        "cet acte n'a jamais eu lieu, je n'y suis jamais allé",
        "/affirm",
    ]


def converse(
    url: str,
    token: str,
    messages: list[str],
    session: str,
    latencies: list[float],
    errors: list[str],
) -> None:
    """One whole conversation; records each turn's latency and any failure."""
    last_answer = ""
    with httpx.Client(timeout=30) as http:
        for text in messages:
            started = time.perf_counter()
            try:
                response = http.post(
                    f"{url}/webhooks/rest/webhook",
                    json={"sender": session, "message": text, "metadata": {"chat_token": token}},
                )
            except httpx.HTTPError as error:
                errors.append(type(error).__name__)
                continue
            finally:
                latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200 or not response.json():
                errors.append(f"HTTP {response.status_code}")
            last_answer = response.text
    if "SIG-" not in last_answer:
        errors.append("no reference at the end of the conversation")


def sequential(url: str, scripts: list[tuple[str, list[str]]]) -> dict[str, Any]:
    """30 whole conversations one after the other, after one to warm up."""
    converse(url, *scripts[0], "warm-up", [], [])
    latencies: list[float] = []
    errors: list[str] = []
    for n in range(30):
        token, messages = scripts[n % len(scripts)]
        converse(url, token, messages, f"seq-{n}", latencies, errors)
    return {
        "turn_p50_ms": statistics.median(latencies),
        "turn_p95_ms": percentile(latencies, 0.95),
        "sequential_turns": len(latencies),
        "sequential_errors": len(errors),
    }


def under_load(url: str, scripts: list[tuple[str, list[str]]]) -> dict[str, Any]:
    """20 conversations at once, three rounds each."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        mine: list[float] = []
        failures: list[str] = []
        for round_ in range(3):
            token, messages = scripts[n % len(scripts)]
            converse(url, token, messages, f"load-{n}-{round_}", mine, failures)
        with lock:
            latencies.extend(mine)
            errors.extend(failures)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(worker, range(20)))
    elapsed = time.perf_counter() - started
    return {
        "turns_per_s": len(latencies) / elapsed,
        "load_turns": len(latencies),
        "load_errors": len(errors),
        "load_p95_ms": percentile(latencies, 0.95),
    }


def parse_latency(assistant: Assistant) -> dict[str, Any]:
    """`/model/parse` one message at a time: the training examples, after 20 to warm up."""
    texts = [e.text for e in load_examples(ROOT / "data/nlu.yml")][::5][:400]
    latencies: list[float] = []
    with httpx.Client(timeout=30) as http:
        for n, text in enumerate(texts):
            started = time.perf_counter()
            response = http.post(
                f"{assistant.url}/model/parse",
                params={"token": assistant.auth_token},
                json={"text": text},
            )
            response.raise_for_status()
            if n >= 20:
                latencies.append((time.perf_counter() - started) * 1000)
    return {"parse_p50_ms": statistics.median(latencies),
            "parse_p95_ms": percentile(latencies, 0.95)}  # fmt: skip


def conversations(results: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        with (
            running_api(workdir, TEST_SECRET) as api_url,
            running_assistant(api_url, workdir) as assistant,
        ):
            results.update(parse_latency(assistant))
            scripts = [scenario(api_url, f"assure{i}") for i in (1, 2, 3)]
            results.update(sequential(assistant.url, scripts))
            results.update(under_load(assistant.url, scripts))
            results["rasa_rss_mb"] = resident_mb(assistant.rasa_pid)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-nlu", action="store_true")
    parser.add_argument("--skip-train", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    if not args.skip_nlu:
        results["nlu_project"] = understanding("config.yml", "nlu-project")
        results["nlu_default_pipeline"] = understanding(
            "bench/default_nlu_config.yml", "nlu-default"
        )
    if not args.skip_train:
        results["train_s"] = training_seconds()
    conversations(results)
    (ROOT / "var" / "bench-assistant.json").write_text(json.dumps(results, indent=2))

    if "nlu_project" in results:
        print("\nCompréhension sur les jeux réservés (cibles : rappel des signalements ≥ 97 %,")
        print(
            "faux départs ≤ 2 %, négatifs difficiles lancés ≤ 2 %, F1 macro ≥ 0,96 sur le premier)"
        )
        print_scores("Pipeline du projet (config.yml)", results["nlu_project"])
        print_scores("Pipeline par défaut de Rasa", results["nlu_default_pipeline"])
    print("\nAssistant — mesures (cibles entre crochets)")
    rows = [
        ("Analyse /model/parse p50 (ms)", "parse_p50_ms", "{:.1f}", ""),
        ("Analyse /model/parse p95 (ms)", "parse_p95_ms", "{:.1f}", "≤ 15"),
        ("Entraînement complet (s)", "train_s", "{:.0f}", "≤ 180"),
        ("Latence par tour p50 (ms)", "turn_p50_ms", "{:.0f}", ""),
        ("Latence par tour p95 (ms)", "turn_p95_ms", "{:.0f}", "≤ 100"),
        ("Tours/s, 20 conversations simultanées", "turns_per_s", "{:.1f}", "≥ 20"),
        ("Erreurs sous charge", "load_errors", "{}", "0"),
        ("Mémoire résidente du serveur Rasa (Mo)", "rasa_rss_mb", "{:.0f}", ""),
    ]
    for label, key, fmt, target in rows:
        if key in results:
            print(f"  {label:<48} {fmt.format(results[key]):>8}  [{target}]")


if __name__ == "__main__":
    main()
