"""Writing many generated rows fast, with memory flat whatever their number."""

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import psycopg
from sqlalchemy import Connection, Table, insert

Row = dict[str, Any]


def chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """Batches of at most `size` rows."""
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_rows(connection: Connection, table: Table, rows: Iterable[Row], size: int) -> None:
    """Insert rows as executemany batches of `size`, on any backend."""
    for batch in chunks(rows, size):
        connection.execute(insert(table), batch)


def _copy_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[Row]
) -> None:
    """PostgreSQL: COPY is several times faster than any INSERT."""
    raw = connection.connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def write_rows(connection: Connection, table: Table, rows: Iterable[Row], size: int) -> None:
    """Bulk-insert rows that give every column but the id: COPY on PostgreSQL, batches of
    `size` elsewhere."""
    if connection.dialect.name == "postgresql":
        columns = [column.name for column in table.columns if column.name != "id"]
        _copy_rows(connection, table, columns, rows)
        return
    insert_rows(connection, table, rows, size)
