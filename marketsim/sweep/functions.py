"""Outcomes a researcher writes as Python functions: ``module:function`` taking a run's tidy table.

The function receives the run's tidy long table (``tick, date, metric, good, region, value,
unit``, see docs/metrics.md) and returns a float, or a dict of floats whose keys the spec lists.
A sweep checks at load time that the module imports and the name is callable; a module beside
the sweep file is found too.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


class OutcomeFunctionError(ValueError):
    """An outcome function that cannot be found or used, in one sentence."""


def add_search_folder(folder: str | Path) -> None:
    """Let ``module:function`` references find modules in ``folder`` (the sweep file's folder).

    Local worker processes start with this process's module path, so they find them too.
    """
    folder = str(Path(folder).resolve())
    if folder not in sys.path:
        sys.path.append(folder)


def resolve(reference: str) -> Callable[[pd.DataFrame], Any]:
    """The callable a ``module:function`` reference names.

    Raises:
        OutcomeFunctionError: If the module cannot be imported, has no such name, or the name is
            not callable.
    """
    module_name, _, attribute = reference.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # any import failure is the user's module's problem, told in one sentence
        raise OutcomeFunctionError(
            f"cannot import module {module_name!r} for {reference!r} ({type(error).__name__}: {error}); the module "
            "must be importable by the sweep and its workers (installed, on PYTHONPATH, or beside the sweep file)"
        ) from None
    function = getattr(module, attribute, None)
    if function is None:
        raise OutcomeFunctionError(f"module {module_name!r} has no {attribute!r} (for {reference!r})")
    if not callable(function):
        raise OutcomeFunctionError(f"{reference!r} is a {type(function).__name__}, not a function")
    return function
