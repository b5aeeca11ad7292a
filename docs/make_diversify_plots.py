"""Compare the diversify scenario with the baseline and draw the figures of docs/diversify.md.

Run from the repository root:

    .venv/bin/python docs/make_diversify_plots.py            # figures and headline numbers
    .venv/bin/python docs/make_diversify_plots.py --seeds 8  # also: the differences over 8 seeds

Runs configs/baseline_2024.toml and configs/diversify.toml (30 years, each with its own seed) and
writes four PNGs under docs/img/diversify/:

1. ``dependency.png``: China's share, by stage (mining, separation, magnets), of what the USA, the
   EU and Japan consume (``dependency_*``, good ``all``), both scenarios;
2. ``cost.png``: magnet and NdPr oxide price buyers pay in the USA (``price``), with the DoD NdPr
   floor and the DoD magnet offtake price of the diversify scenario;
3. ``public_money.png``: public spending of each government, cumulative (``public_spending``,
   price-floor top-ups included);
4. ``burden.png``: environmental burden at home (USA, EU, Japan, Korea, Australia, Canada,
   Greenland) and in China (``environmental_burden``), and China's burden share against its share
   of consumption (``burden_share``, ``reo_consumption_share``).

It prints the headline numbers: yearly means of 2024, 2035 and 2053, means of the last decade
(2044-2053), and the recycling flows (end of life and manufacturing scrap), and writes the tables of
docs/diversify.md between its markers ``<!-- diversify:NAME:start -->`` and
``<!-- diversify:NAME:end -->`` (NAME one of ``BLOCKS`` below; the text around them is not touched).
With ``--seeds N`` it reruns both scenarios with seeds 2024 .. 2024+N-1, prints the differences
(diversify minus baseline) of a few outcomes, to show which differences outlast the seed, and fills
the ``seeds`` block with their mean and range.
"""

from __future__ import annotations

import argparse

import pandas as pd
from diversify_data import (
    HOME,
    IMPORTERS,
    LABEL,
    OUT,
    REO_PER_MAGNET,
    ROOT,
    SCENARIOS,
    STAGES,
    YEARS,
    last_decade,
    run,
    yearly,
)
from diversify_figures import plot_burden, plot_cost, plot_dependency, plot_money

DOC = ROOT / "docs" / "diversify.md"
PREFIX = "diversify"
FLOOR, FLOOR_MONTHS = 110.0, ("2025-07", "2035-06")  # DoD NdPr floor of configs/diversify.toml (REF §2)
BLOCKS = ("seeds", "dependency", "projects", "cost", "money", "burden", "recycling")


def headlines(runs: dict) -> None:
    """Print the numbers docs/diversify.md quotes."""
    years = list(YEARS)
    for name, table in runs.items():
        print(f"== {name}")
        for stage in STAGES:
            dep = yearly(table, f"dependency_{stage}", regions=IMPORTERS)
            print(
                f"dependency_{stage}:",
                dep.loc[years].round(2).to_dict("index"),
                "2044-2053:",
                last_decade(dep).round(2).to_dict(),
            )
        for good in ("magnet", "ndpr"):
            price = yearly(table, "price", good, regions=("usa", "eu", "world"))
            print(
                f"price {good}:",
                price.loc[years].round(1).to_dict("index"),
                "2044-2053 usa:",
                round(float(last_decade(price)["usa"]), 1),
                "2024-2053 usa:",
                round(float(price["usa"].mean()), 1),
            )
        money = yearly(table, "public_spending", regions=("world", *HOME)) * 12
        print("public spending US$ bn total 2024-2053:", (money.sum() / 1000).round(2).to_dict())
        burden = yearly(table, "environmental_burden", regions=(*HOME, "china")) * 12 / 1000
        home = burden[list(HOME)].sum(axis=1)
        print(
            "home burden k/yr:",
            home.loc[years].round(1).to_dict(),
            "2044-2053:",
            round(float(last_decade(home)), 1),
            "china:",
            burden["china"].loc[years].round(1).to_dict(),
        )
        for metric in ("burden_share", "reo_consumption_share"):
            china = yearly(table, metric, regions=("china",))["china"]
            print(
                metric, "china:", china.loc[years].round(2).to_dict(), "2044-2053:", round(float(last_decade(china)), 2)
            )
        for phase in ("operating", "abandoned"):
            end = yearly(table, f"projects_{phase}", regions=("world", *HOME, "india", "brazil", "africa")).iloc[-1]
            print(f"projects_{phase} (end):", end[end > 0].astype(int).to_dict())
        shares = {s: yearly(table, f"china_share_{s}")["world"] for s in STAGES}
        print(
            "china_share:",
            {s: v.loc[years].round(2).to_dict() for s, v in shares.items()},
            "2044-2053:",
            {s: round(float(last_decade(v)), 2) for s, v in shares.items()},
        )
        flows = {
            m: yearly(table, m, regions=("world", *IMPORTERS, "china")) * 12 / 1000
            for m in ("recycled", "end_of_life", "scrap_generated", "scrap_recycled")
        }
        share = flows["recycled"] / flows["end_of_life"]
        print("recycled / end of life:", share.loc[years].round(3).to_dict("index"))
        for m in ("recycled", "scrap_generated", "scrap_recycled"):
            print(f"{m} kt/yr:", flows[m].loc[years].round(2).to_dict("index"))
        need = (
            yearly(table, "consumption", "magnet", IMPORTERS) * REO_PER_MAGNET
            + yearly(table, "consumption", "ndpr", IMPORTERS)
            + yearly(table, "consumption", "dytb", IMPORTERS)
        )
        need = need * 12 / 1000
        rec = flows["recycled"][list(IMPORTERS)] + flows["scrap_recycled"][list(IMPORTERS)]
        print(
            "recycled (end of life + scrap) / NdPr+Dy/Tb in end use:",
            (rec / need).loc[[2030, *years[1:]]].round(3).to_dict("index"),
        )


def seed_check(count: int) -> pd.DataFrame:
    """Differences diversify - baseline over several seeds."""
    rows = []
    for seed in range(2024, 2024 + count):
        out = {}
        for name, config in SCENARIOS.items():
            table = run(config, seed)
            out[name] = {
                "magnet_usa_2024_53": yearly(table, "price", "magnet", ("usa",))["usa"].mean(),
                "ndpr_usa_2024_53": yearly(table, "price", "ndpr", ("usa",))["usa"].mean(),
                **{
                    f"dep_{s}_usa_2035": yearly(table, f"dependency_{s}", regions=("usa",))["usa"].loc[2035]
                    for s in STAGES
                },
                **{
                    f"dep_{s}_usa_2044_53": last_decade(yearly(table, f"dependency_{s}", regions=("usa",)))["usa"]
                    for s in STAGES
                },
                "china_mining_2044_53": last_decade(yearly(table, "china_share_mining"))["world"],
                "china_burden_share_2044_53": last_decade(yearly(table, "burden_share", regions=("china",)))["china"],
                "spending_bn": yearly(table, "public_spending")["world"].sum() * 12 / 1000,
            }
        rows.append(pd.Series(out["diversify"]) - pd.Series(out["baseline"]))
    diff = pd.DataFrame(rows, index=range(2024, 2024 + count))
    print(f"== diversify - baseline over seeds 2024..{2023 + count}")
    print(diff.round(3).to_string())
    print(diff.describe().loc[["mean", "min", "max"]].round(3).to_string())
    return diff


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def by_year(series: pd.Series, digits: int) -> list[str]:
    """Values of 2024, 2035, 2053, the 2044-2053 mean and the 2024-2053 mean."""
    values = [*series.loc[list(YEARS)], last_decade(series), series.mean()]
    return [f"{v:,.{digits}f}" for v in values]


PERIODS = [str(y) for y in YEARS] + ["mean 2044-53", "mean 2024-53"]


def versus(runs: dict, label: str, pick, digits: int) -> list[list[str]]:
    """Two rows, baseline and diversify, of one yearly series picked from each run."""
    return [[f"{label}, {name}", *by_year(pick(table), digits)] for name, table in runs.items()]


def doc_blocks(runs: dict) -> dict[str, str]:
    """The generated tables of docs/diversify.md (all but ``seeds``), from one run per scenario."""
    header = ["", *PERIODS]
    blocks = {}
    rows = []
    for stage in STAGES:
        for name, table in runs.items():
            dep = yearly(table, f"dependency_{stage}", regions=IMPORTERS)
            rows.append(
                [f"{stage}, {name}", *by_year(dep["usa"], 2), f"{(dep.max(axis=1) - dep.min(axis=1)).max():.2f}"]
            )
    blocks["dependency"] = markdown_table(["USA's dependency", *PERIODS, "largest gap USA/EU/Japan"], rows)
    rows = []
    for stage in STAGES:
        rows += versus(
            runs, f"China's share of world {stage}", lambda t, s=stage: yearly(t, f"china_share_{s}")["world"], 2
        )
    for phase in ("operating", "abandoned"):
        rows += versus(runs, f"pipeline projects {phase}", lambda t, p=phase: yearly(t, f"projects_{p}")["world"], 0)
    for stage in ("mining", "separation", "magnets"):
        pick = lambda t, s=stage: yearly(t, f"capacity_{s}", regions=("world", "china")).pipe(  # noqa: E731
            lambda f: (f["world"] - f["china"]) / 1000
        )
        rows += versus(runs, f"{stage} capacity outside China (kt/yr)", pick, 0)
    blocks["projects"] = markdown_table(header, rows)
    rows = []
    for good in ("magnet", "ndpr"):
        rows += versus(
            runs, f"{good} price in the USA (US$/kg)", lambda t, g=good: yearly(t, "price", g, ("usa",))["usa"], 0
        )
    blocks["cost"] = markdown_table(header, rows)
    money = yearly(runs["diversify"], "public_spending", regions=("world", *HOME, "india", "china")) * 12 / 1000
    base = yearly(runs["baseline"], "public_spending", regions=("world", *HOME, "india", "china")) * 12 / 1000
    rows = [
        [LABEL.get(r, r), f"{money[r].sum():.1f}", f"{base[r].sum():.1f}"]
        for r in money.columns
        if money[r].sum() > 0.005 or base[r].sum() > 0.005
    ]
    table = runs["diversify"]
    months = table["date"].astype(str).between(*FLOOR_MONTHS)
    usa = table[months & (table["region"] == "usa") & (table["good"] == "ndpr")]
    posted = usa[usa["metric"] == "seller_price"].set_index("date")["value"]
    made = usa[usa["metric"] == "production"].set_index("date")["value"]
    topup = float(((FLOOR - posted).clip(lower=0.0) * made).sum()) / 1e6  # t x US$/kg -> US$ bn
    rows.append(["of which: DoD NdPr floor top-ups to US producers (estimate)", f"{topup:.1f}", "0.0"])
    blocks["money"] = markdown_table(["government", "diversify, US$ bn 2024-2053", "baseline, US$ bn 2024-2053"], rows)
    rows = []
    home = lambda t: (yearly(t, "environmental_burden", regions=HOME) * 12 / 1000).sum(axis=1)  # noqa: E731
    rows += versus(runs, "burden at home (thousand units a year)", home, 1)
    rows += versus(
        runs, "China's share of world burden", lambda t: yearly(t, "burden_share", regions=("china",))["china"], 2
    )
    rows += versus(
        runs, "China's share of world use", lambda t: yearly(t, "reo_consumption_share", regions=("china",))["china"], 2
    )
    blocks["burden"] = markdown_table(header, rows)
    rows = []
    for region in ("world", *IMPORTERS):
        share = lambda t, r=region: yearly(t, "recycled", regions=(r,))[r] / yearly(t, "end_of_life", regions=(r,))[r]  # noqa: E731
        rows += versus(runs, f"end of life recycled, {LABEL.get(region, region)} (share)", share, 3)
    for metric in ("recycled", "scrap_recycled"):
        rows += versus(runs, f"{metric}, world (kt REO)", lambda t, m=metric: yearly(t, m)["world"] * 12 / 1000, 1)
    for region in IMPORTERS:

        def need_share(t, r=region):
            need = sum(
                yearly(t, "consumption", g, (r,))[r] * (REO_PER_MAGNET if g == "magnet" else 1)
                for g in ("magnet", "ndpr", "dytb")
            )
            return (yearly(t, "recycled", regions=(r,))[r] + yearly(t, "scrap_recycled", regions=(r,))[r]) / need

        rows += versus(runs, f"recycled (end of life + scrap) / NdPr+Dy/Tb used, {LABEL[region]}", need_share, 3)
    blocks["recycling"] = markdown_table(header, rows)
    note = "\n*Scenario seed (2024), one run each; made by `docs/make_diversify_plots.py`.*\n"
    return {name: text + note for name, text in blocks.items()}


def seeds_block(diff: pd.DataFrame) -> str:
    """The table of differences over seeds: mean (lowest to highest seed)."""
    labels = {
        "dep_mining_usa_2035": "USA's mining dependency 2035 (points)",
        "dep_separation_usa_2035": "USA's separation dependency 2035 (points)",
        "dep_magnets_usa_2035": "USA's magnet dependency 2035 (points)",
        "dep_mining_usa_2044_53": "USA's mining dependency, mean 2044-2053 (points)",
        "dep_separation_usa_2044_53": "USA's separation dependency, mean 2044-2053 (points)",
        "dep_magnets_usa_2044_53": "USA's magnet dependency, mean 2044-2053 (points)",
        "china_mining_2044_53": "China's share of world mining, mean 2044-2053 (points)",
        "china_burden_share_2044_53": "China's share of world burden, mean 2044-2053 (points)",
        "magnet_usa_2024_53": "magnet price in the USA, mean 2024-2053 (US$/kg)",
        "ndpr_usa_2024_53": "NdPr price in the USA, mean 2024-2053 (US$/kg)",
        "spending_bn": "public money, all governments, 2024-2053 (US$ bn)",
    }
    rows = []
    for key, label in labels.items():
        scale = 100.0 if "(points)" in label else 1.0
        values = diff[key] * scale
        rows.append(
            [label, f"{values.mean():+.1f}", f"{values.min():+.1f} to {values.max():+.1f}", f"{(values < 0).sum()}"]
        )
    seeds = f"{diff.index.min()}-{diff.index.max()}"
    head = ["diversify minus baseline", "mean", f"range over seeds {seeds}", f"seeds below zero (of {len(diff)})"]
    command = f"docs/make_diversify_plots.py --seeds {len(diff)}"
    note = f"\n*{len(diff)} seeds, both scenarios run on each; made by `{command}`.*\n"
    return markdown_table(head, rows) + note


def fill_doc(blocks: dict[str, str]) -> None:
    """Replace the text between each block's markers in docs/diversify.md."""
    text = DOC.read_text(encoding="utf-8")
    for name, body in blocks.items():
        start, end = f"<!-- {PREFIX}:{name}:start -->", f"<!-- {PREFIX}:{name}:end -->"
        if text.count(start) != 1 or text.count(end) != 1:
            raise SystemExit(f"{DOC} needs exactly one {start} and one {end}: add them where the table belongs")
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = head + start + "\n" + body + end + tail
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {', '.join(blocks)} in {DOC.relative_to(ROOT)}")


def main() -> None:
    """Run both scenarios, write the figures, print the headlines and fill docs/diversify.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=0, help="also compare the scenarios over this many seeds")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    runs = {name: run(config) for name, config in SCENARIOS.items()}
    plot_dependency(runs)
    plot_cost(runs)
    plot_money(runs["diversify"])
    plot_burden(runs)
    headlines(runs)
    blocks = doc_blocks(runs)
    if args.seeds:
        blocks["seeds"] = seeds_block(seed_check(args.seeds))
    fill_doc(blocks)


if __name__ == "__main__":
    main()
