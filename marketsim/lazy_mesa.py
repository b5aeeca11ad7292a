"""Mesa without its optional parts until they are asked for.

The model needs ``mesa.Model`` and ``mesa.Agent``. Mesa 3.5's ``__init__`` (and that of
``mesa.experimental``) imports every space, the batch runner and the data collector, which bring
scipy and networkx: about 0.4 s of CPU (under load; 40 % of what ``import mesa`` costs) that
``marketsim run`` and every sweep worker would pay for nothing.

:func:`install` registers ``mesa`` and ``mesa.experimental`` as packages whose ``__init__`` runs
only when a name it defines is first read: ``import mesa.model`` then loads just the model and
what it imports, ``mesa.Model`` and ``mesa.Agent`` load their own modules, and any other name
(``mesa.batch_run``, ``mesa.discrete_space``, ``mesa.__version__`` ...) runs the real
``__init__`` first, so everything Mesa offers is still there. Nothing changes when Mesa was
imported before marketsim.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from importlib.machinery import ModuleSpec
from types import ModuleType

CORE = {"Model": "mesa.model", "Agent": "mesa.agent"}
"""Names of ``mesa`` read without running its ``__init__``, and the module defining each."""


def install() -> None:
    """Register ``mesa`` and ``mesa.experimental`` with their ``__init__`` deferred (see the
    module's text); do nothing if Mesa is already imported or not installed."""
    if "mesa" in sys.modules:
        return
    spec = importlib.util.find_spec("mesa")
    if spec is None or spec.loader is None:
        return
    package = _deferred(spec, CORE)
    experimental = importlib.util.find_spec("mesa.experimental")  # found on the deferred package's path
    if experimental is not None and experimental.loader is not None:
        package.experimental = _deferred(experimental, {})


def _deferred(spec: ModuleSpec, core: dict[str, str]) -> ModuleType:
    """A package registered in ``sys.modules`` whose ``__init__`` runs when a name it defines
    (other than those in ``core``, read from their own modules) is first read."""
    module = importlib.util.module_from_spec(spec)

    def __getattr__(name: str) -> object:
        if name in core:
            value = getattr(importlib.import_module(core[name]), name)
            setattr(module, name, value)
            return value
        del module.__getattr__
        spec.loader.exec_module(module)
        return getattr(module, name)

    module.__getattr__ = __getattr__
    sys.modules[spec.name] = module
    return module
