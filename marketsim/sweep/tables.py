"""The Arrow schemas of a sweep's tables, so every part of a dataset has the same column types.

Every results and series part carries the run's identity (run, design point, replication, seed)
and the values of the swept parameters, so ``pandas.read_parquet(folder / "results")``,
``pyarrow.dataset.dataset(...)``, polars and duckdb read a sweep without marketsim. A failing
run is written with the same schema as a good one (value NaN, error text).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pandas as pd
import pyarrow as pa

from marketsim.sweep.spec import Parameter, SweepSpec

RUN_FIELDS = [
    pa.field("run_id", pa.int64(), nullable=False),
    pa.field("point", pa.int64(), nullable=False),
    pa.field("replication", pa.int32(), nullable=False),
    pa.field("seed", pa.int64(), nullable=False),
]
"""The identity of a run, first in every results and series row."""

RESULT_FIELDS = [
    pa.field("outcome", pa.string(), nullable=False),
    pa.field("value", pa.float64()),
    pa.field("censored", pa.bool_(), nullable=False),
    pa.field("error", pa.string()),
]
"""``censored``: the run ended before the outcome's event happened (a ``time_to_threshold``
never reached); ``error``: why the run failed (null for a run that finished)."""

SERIES_FIELDS = [
    pa.field("outcome", pa.string(), nullable=False),
    pa.field("tick", pa.int32(), nullable=False),
    pa.field("date", pa.string(), nullable=False),
    pa.field("value", pa.float64()),
]


def parameter_type(parameter: Parameter) -> pa.DataType:
    """The Arrow type of a swept parameter's column: float64 for ranges and numbers, bool or
    string for lists of those, and JSON text for anything else (lists, mixed values)."""
    if parameter.values is None:
        return pa.float64()
    values = parameter.values
    if all(isinstance(v, bool) for v in values):
        return pa.bool_()
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return pa.float64()
    return pa.string()


def parameter_fields(spec: SweepSpec) -> list[pa.Field]:
    """One field per swept parameter, named by its dotted path."""
    return [pa.field(name, parameter_type(p)) for name, p in spec.parameters.items()]


def design_schema(spec: SweepSpec) -> pa.Schema:
    """``design.parquet``: point, then one column per parameter."""
    return pa.schema([RUN_FIELDS[1], *parameter_fields(spec)])


def results_schema(spec: SweepSpec) -> pa.Schema:
    """``results/part-*.parquet``: run identity, outcome, value, censored, error, parameters."""
    return pa.schema([*RUN_FIELDS, *RESULT_FIELDS, *parameter_fields(spec)])


def series_schema(spec: SweepSpec) -> pa.Schema:
    """``series/part-*.parquet``: run identity, outcome, tick, date, value, parameters."""
    return pa.schema([*RUN_FIELDS, *SERIES_FIELDS, *parameter_fields(spec)])


def column_value(value: Any, kind: pa.DataType) -> Any:
    """A parameter value as its column stores it."""
    if pa.types.is_string(kind) and not isinstance(value, str):
        return json.dumps(value)
    if pa.types.is_floating(kind):
        return float(value)
    return value


def parameter_values(spec: SweepSpec, design: pd.DataFrame) -> list[dict[str, Any]]:
    """Each design point's parameters, converted to their column types."""
    fields = parameter_fields(spec)
    records = design.to_dict(orient="records")
    return [{f.name: column_value(record[f.name], f.type) for f in fields} for record in records]


def table(rows: Iterable[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Rows as an Arrow table of exactly ``schema`` (missing keys are null)."""
    return pa.Table.from_pylist(list(rows), schema=schema)


def schema_description(schema: pa.Schema) -> list[dict[str, str]]:
    """A schema as plain data for the manifest: name and Arrow type of every column."""
    return [{"name": f.name, "type": str(f.type)} for f in schema]
