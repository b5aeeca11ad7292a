"""Writing files safely: whole or not at all; tables to Parquet and CSV straight from Arrow."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import pyarrow as pa


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write to a temporary file beside ``path`` and move it into place when complete."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temporary))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


STRUCTURAL = (",", '"', "\n", "\r")
"""Characters that force a CSV cell into quotes."""


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write an Arrow table to a Parquet file, whole or not at all.

    Dictionary-encoded (categorical) columns are stored as dictionaries and the others plainly;
    min/max statistics are kept for the plain columns only (for text columns they cost more than
    the rest of the writing, and a single row group gains nothing from them).
    """
    import pyarrow.parquet as pq  # noqa: PLC0415 (only when writing)

    encoded = [field.name for field in table.schema if pa.types.is_dictionary(field.type)]
    plain = [field.name for field in table.schema if field.name not in encoded]
    write_atomically(path, lambda p: pq.write_table(table, p, use_dictionary=encoded, write_statistics=plain))


def write_csv(table: pa.Table, path: Path) -> None:
    """Write an Arrow table to a CSV file, whole or not at all: a header row, then one line per
    row; text is quoted only where it holds a comma, quote or line break (as pandas does), and
    numbers are written in their shortest form that reads back exactly."""
    from pyarrow import csv  # noqa: PLC0415 (only when writing)

    quoting = "needed" if _has_structural_text(table) else "none"
    options = csv.WriteOptions(quoting_style=quoting, quoting_header="none" if quoting == "none" else "needed")
    write_atomically(path, lambda p: csv.write_csv(table, p, options))


def _has_structural_text(table: pa.Table) -> bool:
    """Whether any column name or text cell (dictionary values for encoded columns) would need quotes."""
    texts = list(table.column_names)
    for column in table.columns:
        kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            continue
        for chunk in column.chunks:
            values = chunk.dictionary if pa.types.is_dictionary(column.type) else chunk
            texts.extend(text for text in values.to_pylist() if text is not None)
    return any(mark in text for text in texts for mark in STRUCTURAL)


def write_rows(columns: Sequence[str], rows: Iterable[Mapping[str, object]], path: Path) -> None:
    """Write rows (a mapping per row, read by ``columns``) to a CSV file, whole or not at all,
    as pandas' ``to_csv(index=False)`` writes a frame of them: a header row, None as an empty
    cell, other values as ``str`` gives them, quoted only where needed."""

    def write(temporary: Path) -> None:
        with temporary.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([row[column] for column in columns] for row in rows)

    write_atomically(path, write)
