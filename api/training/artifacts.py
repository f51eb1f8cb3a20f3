"""Model files stored in the database, named by their sha256, written and read in 1 MiB slices.

Any API process on any host can then serve the model in service without a shared disk, and
neither storing nor serving a 38 MB model ever holds more than a slice in memory.
"""

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.training.models import ModelArtifact, ModelArtifactChunk

CHUNK_BYTES = 1024 * 1024
# Rasa saves a pulled model under the name it is given: never a path, always a .tar.gz.
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.tar\.gz$")


class ArtifactError(Exception):
    """A model file that cannot be stored or read back; the message is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StoredModel:
    """What serving a stored model needs, without its bytes."""

    id: int
    sha256: str
    file_name: str
    size_bytes: int


def describe(artifact: ModelArtifact) -> StoredModel:
    return StoredModel(
        id=artifact.id,
        sha256=artifact.sha256,
        file_name=artifact.file_name,
        size_bytes=artifact.size_bytes,
    )


def file_digest(path: Path) -> tuple[str, int]:
    """(sha256, size) of a file, read a slice at a time."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def by_sha256(*, session: Session, sha256: str) -> ModelArtifact | None:
    return session.scalars(select(ModelArtifact).where(ModelArtifact.sha256 == sha256)).first()


def store(*, session: Session, path: Path, now: datetime) -> ModelArtifact:
    """Store a model file once: the row of the same content if it is stored already."""
    if not FILE_NAME.match(path.name):
        raise ArtifactError(
            f"Nom de fichier de modèle refusé\u00a0: {path.name} (attendu\u00a0: *.tar.gz)."
        )
    sha256, size = file_digest(path)
    existing = by_sha256(session=session, sha256=sha256)
    if existing is not None:
        return existing
    artifact = ModelArtifact(sha256=sha256, file_name=path.name, size_bytes=size, created_at=now)
    try:
        with session.begin_nested():
            session.add(artifact)
            session.flush()
            _write_chunks(session, artifact.id, path, sha256)
    except IntegrityError:  # the same file, stored by another process at the same moment
        stored = by_sha256(session=session, sha256=sha256)
        if stored is None:
            raise
        return stored
    return artifact


def _write_chunks(session: Session, artifact_id: int, path: Path, sha256: str) -> None:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        seq = 0
        while chunk := source.read(CHUNK_BYTES):
            digest.update(chunk)
            # Core insert: the slice is not kept in the session's identity map.
            session.execute(
                insert(ModelArtifactChunk).values(artifact_id=artifact_id, seq=seq, data=chunk)
            )
            seq += 1
    if digest.hexdigest() != sha256:
        raise ArtifactError(f"Le fichier {path.name} a changé pendant son enregistrement.")


def content(factory: sessionmaker[Session], model: StoredModel) -> Iterator[bytes]:
    """The stored bytes, each slice read in a short transaction of its own (a stored model
    never changes): a download holds no connection between slices."""
    sent = 0
    seq = 0
    while sent < model.size_bytes:
        with factory() as session:
            chunk = session.scalar(
                select(ModelArtifactChunk.data).where(
                    ModelArtifactChunk.artifact_id == model.id, ModelArtifactChunk.seq == seq
                )
            )
        if chunk is None:
            raise ArtifactError(f"Le modèle {model.file_name} est incomplet dans la base.")
        sent += len(chunk)
        seq += 1
        yield chunk


def write_file(factory: sessionmaker[Session], model: StoredModel, target: Path) -> Path:
    """Copy a stored model to `target` (atomically, checked against its sha256)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    digest = hashlib.sha256()
    try:
        with open(partial, "wb") as out:
            for chunk in content(factory, model):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != model.sha256:
            raise ArtifactError(f"Le modèle {model.file_name} lu dans la base est altéré.")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target
