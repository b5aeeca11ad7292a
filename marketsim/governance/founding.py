"""An importer's alliance choices: leave, join, found, and (as an alliance's largest buyer)
change its terms, each by the ledger of :mod:`marketsim.governance.coalitions`."""

from __future__ import annotations

from marketsim.governance import coalitions
from marketsim.governance.observation import Observation
from marketsim.policy.events import AllianceFound, AllianceJoin, AllianceLeave, AllianceTerms


def choose_alliances(importer, view: Observation) -> list:
    """An importer's alliance decisions this round: leave those that cost more than they bring
    for ``patience`` rounds; outside every alliance, apply to the one worth most, or found one
    after ``found_after`` rounds threatened with none worth joining (or refused)."""
    me = view.region
    exposure = view.others.get(me, {}).get("exposure", 0.0)
    if exposure <= 0:
        return []
    member_of = sorted(a for a, members in view.alliances.items() if me in members)
    decisions = [leave for a in member_of if (leave := _stay_or_leave(importer, view, a, exposure)) is not None]
    if len(decisions) < len(member_of):
        importer.threatened_outside = 0
        return decisions
    return [*decisions, *_join_or_found(importer, view, exposure)]


def _stay_or_leave(importer, view: Observation, alliance: str, exposure: float):
    """A leave decision with its reason, or None to stay."""
    coalition, me = importer.spec.coalition, view.region
    members = view.alliances[alliance]
    if alliance in importer.founded and len(members) == 1:
        importer.founded[alliance] += 1
        if importer.founded[alliance] < coalition.found_alone_rounds:
            return None
        del importer.founded[alliance]
        why = f"{me} gives up {alliance}: nobody joined it in {coalition.found_alone_rounds} rounds"
        return importer.because(AllianceLeave(start=view.date, region=me, alliance=alliance), why)
    ledger = coalitions.ledger(view, alliance, importer.risk, coalition)
    strained = ledger.net < -coalition.leave_margin * exposure
    importer.strain[alliance] = importer.strain.get(alliance, 0) + 1 if strained else 0
    if importer.strain[alliance] < coalition.patience:
        return None
    importer.strain[alliance] = 0
    importer.founded.pop(alliance, None)
    importer.left[alliance] = importer.rounds
    why = f"{me} leaves {alliance}: {ledger.words()}"
    return importer.because(AllianceLeave(start=view.date, region=me, alliance=alliance), why)


def _join_or_found(importer, view: Observation, exposure: float) -> list:
    """Outside every alliance: apply to the one worth most, else found one when threatened."""
    coalition, me, now = importer.spec.coalition, view.region, view.date
    rounds = importer.rounds
    applied = importer.applied
    open_to_me = [
        a
        for a, members in sorted(view.alliances.items())
        if members
        and coalitions.DOMINANT not in members
        and rounds - applied.get(a, -99) > coalition.found_after
        and rounds - importer.left.get(a, -99) >= coalition.rejoin_after
    ]
    ledgers = [coalitions.ledger(view, a, importer.risk, coalition) for a in open_to_me]
    best = max(ledgers, key=lambda ledger: ledger.net, default=None)
    if best is not None and best.net > coalition.join_margin * exposure:
        applied[best.alliance] = rounds
        why = f"{me} applies to join {best.alliance}: {best.words()}"
        return [importer.because(AllianceJoin(start=now, region=me, alliance=best.alliance), why)]
    threatened = importer.risk >= 2.0 * coalition.risk_floor * max(view.dependency["separation"], 0.5)
    importer.threatened_outside = importer.threatened_outside + 1 if threatened else 0
    name = f"{me}_pact"
    group = _outsiders(view)
    if importer.threatened_outside < coalition.found_after or name in view.alliances or len(group) < 2:
        return []
    if _largest_buyer(view, group) != me:
        return []
    importer.threatened_outside = 0
    importer.founded[name] = 0
    why = (
        f"{me} founds {name}: its supply is at risk ({100 * importer.risk:.0f} %), no alliance would take it "
        f"on terms worth having, and {', '.join(r for r in group if r != me)} depend on China outside any "
        "alliance too: it offers them a joint stockpile"
    )
    found = AllianceFound(start=now, region=me, alliance=name, joint_stockpile=coalition.joint_stockpile)
    return [importer.because(found, why)]


def revise_terms(importer, view: Observation) -> list:
    """As the largest buyer among an alliance's members: set up a joint stockpile when members
    run short or the dominant supplier's licences aim at them; drop it when members leave in
    calm times (its contributions are what they left over)."""
    coalition, me = importer.spec.coalition, view.region
    sizes = importer.sizes
    decisions = []
    for alliance, members in sorted(view.alliances.items()):
        shrank, sizes[alliance] = len(members) < sizes.get(alliance, 0), len(members)
        if me not in members or _largest_buyer(view, members) != me or len(members) < 2:
            continue
        joint = view.alliance_terms.get(alliance, {}).get("joint_stockpile", 0.0)
        short = [m for m in members if m in view.others and coalitions.threat(view.others[m]) >= 0.2]
        squeezed = [m for m in members if coalitions.approval_on(view, m) < 1.0]
        if (short or squeezed) and joint < coalition.joint_stockpile - 1e-9:
            hit = ", ".join(short or squeezed)
            why = (
                f"{me}, {alliance}'s largest buyer, sets up a joint stockpile ({100 * coalition.joint_stockpile:.0f} % "
                f"of each member's) because {hit} {'went short' if short else 'faces China licences'}"
            )
            terms = AllianceTerms(
                start=view.date, region=me, alliance=alliance, joint_stockpile=coalition.joint_stockpile
            )
            decisions.append(importer.because(terms, why))
        elif joint > 0 and shrank and not short and not squeezed:
            why = f"{me}, {alliance}'s largest buyer, drops the joint stockpile: members are leaving and none is short"
            terms = AllianceTerms(start=view.date, region=me, alliance=alliance, joint_stockpile=0.0)
            decisions.append(importer.because(terms, why))
    return decisions


def _outsiders(view: Observation) -> list[str]:
    """Governed importers depending on China for over half their separated supply, outside every alliance."""
    inside = {r for members in view.alliances.values() for r in members}
    return sorted(
        r
        for r, f in view.others.items()
        if r != coalitions.DOMINANT
        and r not in inside
        and f["exposure"] > 0
        and f["dependency"] > 0.5
        and f.get("governed", 1.0) > 0
    )


def _largest_buyer(view: Observation, members) -> str | None:
    """The member with the largest yearly use of magnets and oxides (ties: by name)."""
    buyers = [(view.others[m]["exposure"], m) for m in members if m in view.others]
    return max(buyers, key=lambda b: (b[0], [-ord(c) for c in b[1]]))[1] if buyers else None
