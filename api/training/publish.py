"""Store a model file in the database for the replicas to pull, and put it in service.

    python -m api.training.publish models/vigilance.tar.gz [--register-only]

Idempotent: a file whose content (sha256) is stored already is not stored again. The file is put
in service unless a trainer's model is (a trainer's choice outlives a new `make train`); with
--register-only it is only stored. `make cluster` runs it with the base model before the
replicas start.
"""

import argparse
import sys
from pathlib import Path

from api.core.config import get_settings
from api.core.db import begin_write, make_engine, make_sessionmaker, utcnow
from api.training import artifacts, distribution


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.training.publish")
    parser.add_argument("model", type=Path, help="a model file (.tar.gz) trained by Rasa")
    parser.add_argument(
        "--register-only", action="store_true", help="store it without putting it in service"
    )
    arguments = parser.parse_args(argv)
    model: Path = arguments.model
    if not model.is_file():
        print(f"Fichier introuvable\u00a0: {model}", file=sys.stderr)
        return 2
    engine = make_engine(get_settings().database_url)
    try:
        with make_sessionmaker(engine)() as session:
            begin_write(session)
            artifact, serving = distribution.publish(
                session=session, path=model, now=utcnow(), serve=not arguments.register_only
            )
            current = distribution.serving_record(session=session)
            in_service = distribution.label(
                session=session, artifact_id=current.artifact_id if current else None
            )
            session.commit()
    except artifacts.ArtifactError as error:
        print(error.message, file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    state = "en service" if serving else f"enregistré (en service\u00a0: {in_service})"
    size = f"{artifact.size_bytes} octets"
    print(f"{artifact.file_name} ({artifact.sha256[:12]}, {size})\u00a0: {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
