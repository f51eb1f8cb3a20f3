"""`make bench` for the assistant (bot environment): understanding, training, latency, load.

    PYTHONPATH=. .venv-bot/bin/python -m bench.assistant_bench [--skip-nlu] [--skip-train]

Prints intent macro-F1 on the held-out set (tests/nlu_test.yml) for config.yml and for Rasa's
default pipeline, the full training time, per-turn latency of whole report conversations
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

from bench.toolkit.machine import resident_mb
from bench.toolkit.measures import percentile
from tests.bot.conftest import chat_token, sign_in
from tests.bot.stack import BOT_BIN, ROOT, TEST_SECRET, running_api, running_assistant

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


def macro_f1(config: str, name: str) -> float:
    """Train an NLU model with `config` on data/nlu.yml, test it on the held-out set."""
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
    report_dir = OUT / f"nlu-{name}"
    rasa(
        "test",
        "nlu",
        "--model",
        str(models / f"{name}.tar.gz"),
        "--nlu",
        "tests/nlu_test.yml",
        "--out",
        str(report_dir),
    )
    report = json.loads((report_dir / "intent_report.json").read_text())
    return float(report["macro avg"]["f1-score"])


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


def conversations(results: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        with (
            running_api(workdir, TEST_SECRET) as api_url,
            running_assistant(api_url, workdir) as assistant,
        ):
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
        results["macro_f1"] = macro_f1("config.yml", "nlu-project")
        results["macro_f1_default_pipeline"] = macro_f1(
            "bench/default_nlu_config.yml", "nlu-default"
        )
    if not args.skip_train:
        results["train_s"] = training_seconds()
    conversations(results)
    (ROOT / "var" / "bench-assistant.json").write_text(json.dumps(results, indent=2))

    print("\nAssistant — mesures (cibles entre crochets)")
    rows = [
        ("F1 macro des intentions, pipeline du projet", "macro_f1", "{:.3f}", "≥ 0.95"),
        ("F1 macro, pipeline par défaut de Rasa", "macro_f1_default_pipeline", "{:.3f}", ""),
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
