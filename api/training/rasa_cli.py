"""Rasa's command line from the bot environment: validate data, train, test on the held-out set.

Subprocesses get a minimal environment: no token or secret of the API reaches them or their logs.
"""

import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from api.core.config import Settings
from api.core.errors import DomainError
from api.training.nlu_files import DATA_DIR, DOMAIN_FILE, TEST_FILE

CONFIG_FILE = "config.yml"
VALIDATE_SECONDS = 300
TEST_SECONDS = 900
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_PROBLEM = re.compile(r"(UserWarning|ERROR|Error|error:|Exception|invalid|YAML)", re.IGNORECASE)
_KEPT_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE")


class RasaUnavailable(DomainError):
    """Rasa's command line is missing or failed to run; the message says why, in French."""

    status_code = 503
    code = "rasa_unavailable"
    title = "Entraînement momentanément impossible"


def rasa_env(settings: Settings) -> dict[str, str]:
    env = {name: os.environ[name] for name in _KEPT_ENV if name in os.environ}
    env.update(
        {
            "PYTHONPATH": str(settings.assistant_dir),
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONUNBUFFERED": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
        }
    )
    return env


def _rasa(settings: Settings) -> str:
    if not settings.rasa_bin.is_file():
        raise RasaUnavailable(f"La commande Rasa est introuvable ({settings.rasa_bin}).")
    return str(settings.rasa_bin)


@contextmanager
def staged_copy(settings: Settings, changed: dict[str, str]) -> Iterator[Path]:
    """A temporary copy of the assistant's data, domain and configuration with `changed` files."""
    settings.training_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="staging-", dir=settings.training_dir) as folder:
        root = Path(folder)
        shutil.copytree(settings.assistant_dir / DATA_DIR, root / DATA_DIR)
        for name in (DOMAIN_FILE, CONFIG_FILE):
            shutil.copy2(settings.assistant_dir / name, root / name)
        for path, text in changed.items():
            (root / path).write_text(text, encoding="utf-8")
        yield root


def problems_in(output: str) -> list[str]:
    """The lines of Rasa's output that say what is wrong, without colours or file paths."""
    found: list[str] = []
    for raw in _ANSI.sub("", output).splitlines():
        line = raw.strip()
        if not line or not _PROBLEM.search(line):
            continue
        line = re.sub(r"^\S+\.py:\d+: ", "", line)
        if line not in found:
            found.append(line)
    return found[:20] or ["Rasa a refusé les données sans donner de raison."]


@dataclass(frozen=True)
class Validation:
    ok: bool
    problems: list[str]


def validate(settings: Settings, folder: Path) -> Validation:
    """`rasa data validate --fail-on-warnings` on an assistant folder."""
    command = [
        _rasa(settings), "data", "validate", "--fail-on-warnings",
        "--data", DATA_DIR, "--domain", DOMAIN_FILE, "--config", CONFIG_FILE,
    ]  # fmt: skip
    try:
        done = subprocess.run(  # noqa: S603 - our own command line, no shell
            command,
            cwd=folder,
            env=rasa_env(settings),
            capture_output=True,
            text=True,
            timeout=VALIDATE_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RasaUnavailable(
            f"La validation n'a pas pu s'exécuter ({type(error).__name__})."
        ) from None
    if done.returncode == 0:
        return Validation(ok=True, problems=[])
    return Validation(ok=False, problems=problems_in(done.stdout + "\n" + done.stderr))


# Rasa's graph trainer names each component as it starts it; DIET also draws a progress bar.
_EPOCHS = re.compile(r"Epochs:\s+(\d+)%")
_COMPONENT = re.compile(r"Starting to train component '([^']+)'")
# What a trainer reads when a component of config.yml starts, and how far the training then is.
_COMPONENT_STEPS = {
    "SpacyNLP": ("Lecture des vecteurs de mots", 10),
    "ProviderExtractor": ("Apprentissage des noms de professionnels", 30),
    "LinearIntentClassifier": ("Apprentissage des intentions", 50),
    "DIETClassifier": ("Apprentissage des intentions", 50),
    "MemoizationPolicy": ("Apprentissage des conversations", 70),
    "RulePolicy": ("Apprentissage des règles de dialogue", 80),
    "TEDPolicy": ("Apprentissage des conversations", 80),
}


@dataclass(frozen=True)
class Progress:
    phase: str
    percent: int


def read_progress(chunk: str) -> Progress | None:
    """What a piece of `rasa train` output tells of its progress (last match wins)."""
    epochs = _EPOCHS.findall(chunk)
    if epochs:
        return Progress("Entraînement du classifieur (DIET)", 10 + int(epochs[-1]) * 80 // 100)
    components = _COMPONENT.findall(chunk)
    if components:
        phase, percent = _COMPONENT_STEPS.get(components[-1], ("Entraînement en cours", -1))
        return Progress(phase, percent)
    if "Training NLU model" in chunk or "Starting training" in chunk:
        return Progress("Préparation des données", 5)
    return None


def train(
    settings: Settings,
    *,
    out_dir: Path,
    version: str,
    log: IO[str],
    on_progress: Callable[[Progress], None],
    cancel: threading.Event | None = None,
) -> Path:
    """Run `rasa train` in the assistant's folder; the model's path, or RasaUnavailable.
    Setting `cancel` stops Rasa (the run was taken from this worker)."""
    command = [
        _rasa(settings), "train", "--out", str(out_dir), "--fixed-model-name", version,
        "--data", DATA_DIR, "--domain", DOMAIN_FILE, "--config", CONFIG_FILE,
    ]  # fmt: skip
    _stream(settings, command, log, on_progress, cancel=cancel)
    model = out_dir / f"{version}.tar.gz"
    if not model.is_file():
        raise RasaUnavailable("L'entraînement s'est terminé sans produire de modèle.")
    return model


def test_nlu(
    settings: Settings,
    *,
    model: Path,
    out_dir: Path,
    log: IO[str],
    cancel: threading.Event | None = None,
) -> Path:
    """`rasa test nlu` of a model on the held-out set; the folder holding its reports."""
    command = [
        _rasa(settings), "test", "nlu", "--model", str(model), "--nlu", TEST_FILE,
        "--out", str(out_dir), "--successes",
    ]  # fmt: skip
    _stream(settings, command, log, lambda _: None, timeout=TEST_SECONDS, cancel=cancel)
    return out_dir


def _stream(
    settings: Settings,
    command: list[str],
    log: IO[str],
    on_progress: Callable[[Progress], None],
    timeout: float | None = None,
    cancel: threading.Event | None = None,
) -> None:
    log.write(f"$ rasa {' '.join(command[1:])}\n")
    log.flush()
    try:
        process = subprocess.Popen(  # noqa: S603 - our own command line, no shell
            command,
            cwd=settings.assistant_dir,
            env=rasa_env(settings),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
    except OSError as error:
        raise RasaUnavailable(f"Rasa n'a pas pu démarrer ({type(error).__name__}).") from None
    assert process.stdout is not None
    if cancel is not None:
        threading.Thread(target=_stop_on, args=(cancel, process), daemon=True).start()
    # Text mode reads tqdm's \r-rewritten lines as lines of their own.
    while chunk := process.stdout.readline():
        log.write(chunk)
        log.flush()
        progress = read_progress(chunk)
        if progress is not None:
            on_progress(progress)
    code = process.wait(timeout=timeout)
    if cancel is not None and cancel.is_set():
        raise RasaUnavailable(
            "Rasa a été arrêté\u00a0: cet entraînement a été déclaré interrompu entre-temps."
        )
    if code != 0:
        raise RasaUnavailable(f"Rasa s'est arrêté en erreur (code {code}) : voir le journal.")


def _stop_on(cancel: threading.Event, process: "subprocess.Popen[str]") -> None:
    """Terminate Rasa when `cancel` is set, unless it ended first."""
    while process.poll() is None:
        if cancel.wait(0.5):
            process.terminate()
            return
