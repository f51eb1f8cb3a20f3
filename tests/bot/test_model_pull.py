"""Rasa's own model pulling (`rasa.core.agent`) against the API's model server, configured by the
`models:` section the replicas' endpoints.yml carries (MODEL_DISTRIBUTION=pull)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.agent import _pull_model_and_fingerprint
from rasa.core.utils import AvailableEndpoints

from tests.bot.stack import API_PYTHON, ROOT, TEST_SECRET, running_api

MODEL_TOKEN = "bot-model-token-0123456789-abcdefghijklm"
# Unquoted on purpose: Rasa expands ${…} in plain YAML scalars only, never in quoted ones.
MODELS_SECTION = """
models:
  url: ${MODEL_SERVER_URL}
  headers:
    Authorization: Bearer ${MODEL_SERVER_TOKEN}
  params:
    replica: ${RASA_REPLICA_NAME}
  wait_time_between_pulls: 2
"""


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, bytes]]:
    """The API in pull mode with a model published in service: (its URL, the model's bytes)."""
    workdir = tmp_path_factory.mktemp("model-server")
    env = {"MODEL_DISTRIBUTION": "pull", "MODEL_SERVER_TOKEN": MODEL_TOKEN}
    with running_api(workdir, TEST_SECRET, extra_env=env) as url:
        model = workdir / "vigilance.tar.gz"
        model.write_bytes(random.Random(7).randbytes(3 * 1024 * 1024 + 5))
        subprocess.run(
            [str(API_PYTHON), "-m", "api.training.publish", str(model)],
            cwd=ROOT,
            env={
                **os.environ,
                **env,
                "DATABASE_URL": f"sqlite:///{workdir / 'api.db'}",
                "SECRET_KEY": TEST_SECRET,
                "DEMO": "1",
            },
            check=True,
            capture_output=True,
        )
        yield url, model.read_bytes()


def test_rasa_pulls_the_model_in_service_once(
    published: tuple[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, content = published
    monkeypatch.setenv("MODEL_SERVER_URL", f"{url}/internal/model")
    monkeypatch.setenv("MODEL_SERVER_TOKEN", MODEL_TOKEN)
    monkeypatch.setenv("RASA_REPLICA_NAME", "rasa-test")
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(MODELS_SECTION, encoding="utf-8")
    server = AvailableEndpoints.read_endpoints(str(endpoints)).model
    assert server is not None

    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    # A starting Rasa's fingerprint is a random hex id (Agent._set_fingerprint).
    fingerprint = asyncio.run(_pull_model_and_fingerprint(server, uuid.uuid4().hex, str(first)))
    assert fingerprint == f'"{hashlib.sha256(content).hexdigest()}"'
    assert (first / "vigilance.tar.gz").read_bytes() == content

    # The next pulls send that fingerprint back and get a 304: nothing is downloaded.
    assert asyncio.run(_pull_model_and_fingerprint(server, fingerprint, str(second))) is None
    assert list(second.iterdir()) == []
