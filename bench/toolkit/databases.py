"""The bench databases: a file under var/ or a database of the local PostgreSQL, their upkeep."""

from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from api.core.config import PROJECT_ROOT

VAR = Path(PROJECT_ROOT) / "var"
POSTGRES_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BACKENDS = ("sqlite", "postgresql")


def chosen_backends(choice: str) -> tuple[str, ...]:
    """The backends a `--backend sqlite|postgresql|both` option names."""
    return BACKENDS if choice == "both" else (choice,)


def postgres_database(name: str, *, fresh: bool) -> str:
    """The URL of a database on the local server, created if missing (dropped first if fresh)."""
    server = create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            if fresh:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        server.dispose()
    url = make_url(POSTGRES_SERVER_URL).set(database=name)
    return url.render_as_string(hide_password=False)


def sqlite_database(path: Path, *, fresh: bool) -> str:
    """The URL of a database file (removed first, with its journal, if fresh)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def database_url(backend: str, *, name: str, path: Path, fresh: bool) -> str:
    """A bench's database on `backend`: `name` on PostgreSQL, the file `path` on SQLite."""
    if backend == "postgresql":
        return postgres_database(name, fresh=fresh)
    return sqlite_database(path, fresh=fresh)


def analyse(engine: Engine, *tables: str) -> None:
    """Give the query planner statistics on new rows, as a live database would have (on
    PostgreSQL, VACUUM too: the visibility map lets it scan indexes only)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f"VACUUM ANALYZE {', '.join(tables)}"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
