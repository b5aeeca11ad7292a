"""Agents of the supply chain: each kind of facility (and the end users) is a Mesa agent set whose
agents' state is held as numpy columns and whose behaviours are vectorised; governments are
Mesa agents with a strategy."""

from marketsim.agents.government import Government
from marketsim.agents.magnet_plant import MagnetPlant, MagnetPlantFleet
from marketsim.agents.manufacturer import Manufacturer, ManufacturerFleet
from marketsim.agents.mine import Mine, MineFleet
from marketsim.agents.recycler import EndOfLife, Recycler, RecyclerFleet
from marketsim.agents.refiner import Refiner, RefinerFleet

__all__ = [
    "EndOfLife",
    "Government",
    "MagnetPlant",
    "MagnetPlantFleet",
    "Manufacturer",
    "ManufacturerFleet",
    "Mine",
    "MineFleet",
    "Recycler",
    "RecyclerFleet",
    "Refiner",
    "RefinerFleet",
]
