"""A briefing per government a 15-year-old can read: its situation in 2024 in plain words, its
goals (which the end-of-game score weighs), its levers and what each does, and a glossary.

The situations summarise REFERENCE.md's 2024 picture (USGS, IEA) in rounded figures; the goal
weights are classroom choices, not data. A government without its own briefing gets the one of
its kind (an importer, or a mining country).
"""

from __future__ import annotations

from dataclasses import dataclass

GLOSSARY: dict[str, str] = {
    "rare earths": "17 metals; a few of them make the strongest permanent magnets (electric cars, wind turbines).",
    "NdPr": "neodymium and praseodymium oxide: the main ingredient of magnets (the 'light' magnet rare earths).",
    "Dy/Tb": "dysprosium and terbium oxide: a pinch keeps magnets strong when hot; rare and dear ('heavy').",
    "La/Ce": "lanthanum and cerium: mined alongside, cheap, used in catalysts and glass polishing.",
    "t REO": "tonnes of rare-earth oxide: how rare earths are counted at every stage (1 kt = 1,000 t).",
    "separation": "chemical plants that split mixed ore into single oxides; the step China dominates most.",
    "dependency": "the share of what your industry used that passed through China at a stage.",
    "MSP": "Minerals Security Partnership: an alliance of the USA, the EU, Japan, Korea, Australia, Canada, "
    "India and others (2022) to build supply outside China.",
    "quad": "the USA, Japan, Australia and India working together on supply chains.",
    "bot twin": "the same game replayed with every human government left to the computer: the yardstick.",
}
"""Words the pages use, said simply."""

LEVERS: dict[str, str] = {
    "Export control": "Limit (quota, kt REO a year) or ban exports of your ore and oxides. Buyers abroad pay "
    "more and look elsewhere; your own industry gets cheaper material.",
    "Tariff": "A tax (%) on imports, from everyone or one country. Makes imports dearer so home and allied "
    "suppliers win orders; your industry pays more.",
    "Subsidy": "Pay part (%) of your producers' costs at a stage. They sell cheaper and may expand, slowly.",
    "Stockpile": "The state buys tonnes now (to release in a crisis) or sells from its stock. Costs money "
    "from your budget; buying raises prices for everyone.",
    "Price floor": "Promise your producers a minimum price (US$/kg). Keeps mines and plants open when prices "
    "crash; the state pays the difference.",
    "Recycling": "Require a share (%) of old magnets to be collected. Adds supply only as old products retire.",
    "Alliance": "Join or leave an alliance: allies trade with each other first and are spared tariffs.",
    "Projects": "Back a planned mine or plant anywhere with a loan, a share of it, or a promise to buy.",
    "Research": "Fund research (US$ million a year) so your plants learn faster and cost less.",
    "Standards": "Set an environmental standard (%): cleaner production at home, at a higher cost.",
    "Collection scheme": "Pay (US$/kg) for old magnets to be collected; collection builds up over years.",
}
"""What each lever on the decision form does, in a sentence or two."""


@dataclass(frozen=True)
class Role:
    """A government's briefing and how its score weighs the scorecard (weights sum to 1)."""

    situation: str
    goals: tuple[str, ...]
    weights: dict[str, float]
    exporter: bool = False


IMPORTER_WEIGHTS = {"need_met": 0.35, "china_dependency": 0.3, "cost_of_supply": 0.2, "public_spending": 0.15}
MINER_WEIGHTS = {"value_added": 0.6, "burden": 0.25, "public_spending": 0.15}

ROLES: dict[str, Role] = {
    "china": Role(
        "In 2024 China mines about 7 in 10 tonnes of the world's rare earths, separates about 9 in 10 and makes "
        "about 9 in 10 of the world's magnets. Its factories use a lot of them too. It can sell to the world or "
        "keep material at home, and it has used export controls before (2010, 2023, 2025).",
        (
            "Keep value at home: make magnets and products in China rather than sell raw ore.",
            "Keep your own industry supplied.",
            "Keep the pollution from mining and separation bearable.",
        ),
        {"value_added": 0.45, "need_met": 0.3, "burden": 0.15, "cost_of_supply": 0.1},
        exporter=True,
    ),
    "usa": Role(
        "In 2024 the USA has one big mine (Mountain Pass, California) but until 2025 sent its ore to China to "
        "be separated. It makes few magnets, so car and defence makers buy them from China. A new magnet "
        "plant in Texas is starting up.",
        (
            "Keep your industry supplied (electric cars, wind, defence).",
            "Depend less on China.",
            "At a bearable cost for firms and taxpayers.",
        ),
        IMPORTER_WEIGHTS,
        exporter=True,
    ),
    "eu": Role(
        "In 2024 the EU mines almost no rare earths, separates a little in France and Estonia, and buys about "
        "98 in 100 of its magnets from China. Its law on critical raw materials asks for 40 % of processing "
        "at home by 2030.",
        ("Keep car and wind-turbine makers supplied.", "Depend less on China.", "At a bearable cost."),
        IMPORTER_WEIGHTS,
    ),
    "japan": Role(
        "Japan was cut off by China in 2010. Since then it backed the Lynas mine in Australia and built "
        "stockpiles, yet about 6 in 10 of its rare earths still come from China. It makes many magnets itself.",
        ("Keep your magnet and car makers supplied.", "Depend less on China.", "At a bearable cost."),
        IMPORTER_WEIGHTS,
    ),
    "korea": Role(
        "South Korea makes cars, batteries and electronics but mines and separates nothing. It buys its "
        "magnets and oxides, mostly from China.",
        ("Keep your factories supplied.", "Depend less on China.", "At a bearable cost."),
        IMPORTER_WEIGHTS,
    ),
    "india": Role(
        "India mines beach sands (monazite) through a state company and separates a little, but buys most "
        "magnets from China while its electric-vehicle industry grows.",
        ("Keep your growing industry supplied.", "Build value at home.", "Depend less on China."),
        {"need_met": 0.3, "china_dependency": 0.25, "value_added": 0.25, "cost_of_supply": 0.2},
        exporter=True,
    ),
    "australia": Role(
        "Australia is the second-largest miner outside China (Lynas at Mt Weld), separating in Malaysia and, "
        "new, in Kalgoorlie. It has almost no factories that use rare earths: it sells to the world.",
        ("Sell more, at good prices: value added at home.", "Keep the environmental burden bearable."),
        MINER_WEIGHTS,
        exporter=True,
    ),
    "myanmar": Role(
        "Myanmar's mines in Kachin state dig the heavy rare earths (Dy/Tb) in clay, often with little care for "
        "the land, and send almost all of it to China for separation.",
        ("Earn more from what you mine.", "Limit the damage to land and rivers."),
        MINER_WEIGHTS,
        exporter=True,
    ),
}


def role_of(region: str, exporter: bool) -> Role:
    """The briefing of a government (one of its kind when it has no briefing of its own)."""
    if region in ROLES:
        return ROLES[region]
    if exporter:
        return Role(
            "Your country mines or separates rare earths and sells most of them abroad.",
            ("Earn more from what you produce.", "Keep the environmental burden bearable."),
            MINER_WEIGHTS,
            exporter=True,
        )
    return Role(
        "Your country's factories use rare earths and magnets, and buy most of them abroad, mostly from China.",
        ("Keep your industry supplied.", "Depend less on China.", "At a bearable cost."),
        IMPORTER_WEIGHTS,
    )


GOAL_WORDS = {
    "need_met": "industry supplied",
    "china_dependency": "less dependency on China",
    "cost_of_supply": "low cost of supply",
    "public_spending": "little public money",
    "value_added": "value added at home",
    "burden": "little environmental burden",
}
"""A scorecard column said as a goal."""


def score_line(role: Role) -> str:
    """How a role's score weighs the scorecard, e.g. ``industry supplied 35 %, ...``."""
    return ", ".join(f"{GOAL_WORDS[k]} {100 * w:.0f} %" for k, w in role.weights.items())
