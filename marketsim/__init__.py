"""marketsim: an agent-based model of the rare-earth supply chain."""

from importlib.metadata import PackageNotFoundError, version

from marketsim.lazy_mesa import install

install()  # before any module of the model imports Mesa: Mesa's spaces and batch runner load only on demand

try:
    __version__ = version("marketsim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+local"

__all__ = ["__version__"]
