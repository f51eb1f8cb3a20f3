"""The model in service outlives a restart: `make run` starts Rasa with the last one activated."""

import os
import subprocess
from pathlib import Path

from api.core.config import Settings
from api.training.serving import IN_SERVICE_FILE, remember_in_service

ROOT = Path(__file__).resolve().parents[2]


def _model_at_start(models_dir: Path) -> str:
    return subprocess.run(
        [str(ROOT / "scripts" / "serving-model.sh")],
        env={**os.environ, "MODELS_DIR": str(models_dir)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_the_last_model_put_in_service_is_the_one_started(
    settings: Settings, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    workbench = settings.model_copy(update={"models_dir": models})
    assert _model_at_start(models) == "models/vigilance.tar.gz"  # nothing activated yet

    first, second = models / "trainer" / "v1.tar.gz", models / "trainer" / "v2.tar.gz"
    first.parent.mkdir(parents=True)
    first.write_bytes(b"model 1")
    second.write_bytes(b"model 2")
    remember_in_service(workbench, first)
    remember_in_service(workbench, second)
    assert _model_at_start(models) == str(second)
    assert not list(models.glob("*.tmp"))

    second.unlink()  # a model file deleted by hand: back to the built model, not a dead path
    assert (models / IN_SERVICE_FILE).read_text().strip() == str(second)
    assert _model_at_start(models) == "models/vigilance.tar.gz"
