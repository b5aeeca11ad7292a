"""Agents of the supply chain: each kind is a fleet of array rows plus thin Mesa agent views."""

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
