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

Mesa's model and agent modules (and the data recorders the model imports) also ``import pandas``
at the top, for ``isinstance`` checks and tables made when asked: another 0.3-0.6 s that a run
writing its files with pyarrow never needs. While those modules load, ``pandas`` is a stand-in
that imports the real pandas the first time any of its names is read (and is taken out of
``sys.modules`` as soon as they are loaded): any other ``import pandas`` gets the real one.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec, PathFinder
from types import ModuleType

CORE = {"Model": "mesa.model", "Agent": "mesa.agent"}
"""Names of ``mesa`` read without running its ``__init__``, and the module defining each."""
WITHOUT_PANDAS = ("mesa.model", "mesa.agent")
"""Mesa's modules loaded with a stand-in for pandas (whatever they import while loading too)."""


def install() -> None:
    """Register ``mesa`` and ``mesa.experimental`` with their ``__init__`` deferred (see the
    module's text); do nothing if Mesa is already imported or not installed."""
    if "mesa" in sys.modules:
        return
    spec = importlib.util.find_spec("mesa")
    if spec is None or spec.loader is None:
        return
    sys.meta_path.insert(0, PandasOnDemand())
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


class PandasOnDemand(MetaPathFinder):
    """Finds the modules of :data:`WITHOUT_PANDAS` and loads them with pandas stood in for (see
    the module's text); every other module is left to the finders after it."""

    def find_spec(self, name: str, path: Sequence[str] | None, target: ModuleType | None = None) -> ModuleSpec | None:
        """The spec the path finder gives ``name``, loaded without pandas (None for other modules)."""
        if name not in WITHOUT_PANDAS:
            return None
        spec = PathFinder.find_spec(name, path, target)
        if spec is None or spec.loader is None:
            return None
        loader = spec.loader

        class WithoutPandas:
            """``loader`` with pandas stood in for while it runs the module (then it is ``loader`` again)."""

            create_module = loader.create_module

            @staticmethod
            def exec_module(module: ModuleType) -> None:
                module.__loader__ = module.__spec__.loader = loader
                with pandas_on_demand():
                    loader.exec_module(module)

        spec.loader = WithoutPandas()
        return spec


@contextmanager
def pandas_on_demand() -> Iterator[None]:
    """Within the block, ``import pandas`` gives a stand-in that imports the real pandas when one
    of its names is first read (nothing changes when pandas is already imported)."""
    spec = None if "pandas" in sys.modules else importlib.util.find_spec("pandas")
    if spec is None:
        yield
        return
    stand_in = _OnDemand("pandas")
    stand_in.__file__ = spec.origin  # read by inspect.getmodule, which Mesa's module logger calls
    sys.modules["pandas"] = stand_in
    try:
        yield
    finally:
        if sys.modules.get("pandas") is stand_in:
            del sys.modules["pandas"]


class _OnDemand(ModuleType):
    """A module that stands for another: reading any name it lacks imports the real one (out of
    ``sys.modules`` first if the stand-in is still there) and reads the name from it."""

    def __getattr__(self, name: str) -> object:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)
