"""The study checks its own model: held-out pairings and the anchors' families.

A Bradley–Terry fit can rate two players whose direct match it would predict wrongly when agents of
different families meet (network MCTS, rollout MCTS, Stockfish). Two checks:

* **Held-out pairings** (:func:`choose_holdouts`, :func:`holdout_rows`): pairs the schedule never plays,
  chosen from the fit once every cell is within the target (a cell against an anchor it is not linked
  to, expected score between 0.2 and 0.8, widened towards 0.1 and 0.9 when too few are left), then
  played directly for many games. Their games stay out of the fit; the report sets the predicted score
  (both colours averaged, with the fit's first-move advantage; delta-method interval from the ratings'
  covariance) against the measured one (paired mean of colour-swapped games), and flags every pairing
  whose difference lies outside the combined 95% interval.
* **One family of anchors** (:func:`anchor_family`, :func:`family_exchange_rates`): the exchange rate
  refitted with the anchors of one family only (their games kept, the others' dropped; one anchor of
  the family fixed at its full-fit rating), to show how far the result leans on the anchors' kind.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from agents.arena.stats import expected_score, paired_mean_with_interval
from agents.core import parse_spec
from benchmarks.elo import EloFit, EloFitError, games_from_results

Z95 = 1.959963984540054
"""Two-sided 95% normal quantile."""
LN10_400 = math.log(10.0) / 400.0
"""d(expected score)/d(Elo) = LN10_400 * p * (1 - p)."""


def anchor_family(spec: str) -> str:
    """The kind of agent a spec names: ``random``, ``rollout MCTS``, ``material MCTS``, ``network MCTS``,
    ``stockfish``, or the engine binary of a ``uci:`` spec."""
    parsed = parse_spec(spec)
    if parsed.name == "mcts":
        if "net" in parsed.params:
            return "network MCTS"
        return "material MCTS" if parsed.params.get("eval") == "material" else "rollout MCTS"
    if parsed.name == "uci":
        words = parsed.params.get("cmd", parsed.positional or "").split()
        binary = words[0].rsplit("/", 1)[-1] if words else "uci"
        return "stockfish" if "stockfish" in binary else binary
    return parsed.name


def predicted_score(fit: EloFit, a: str, b: str) -> tuple[float, float]:
    """(expected score of ``a`` against ``b`` over both colours, its standard error) from the fit."""
    ia, ib = fit.players.index(a), fit.players.index(b)
    diff = fit.ratings[a].elo - fit.ratings[b].elo
    cov = fit.covariance
    var = max(float(cov[ia, ia] + cov[ib, ib] - 2.0 * cov[ia, ib]), 0.0)
    first, second = expected_score(diff + fit.advantage), expected_score(diff - fit.advantage)
    score = 0.5 * (first + second)
    slope = 0.5 * LN10_400 * (first * (1 - first) + second * (1 - second))
    return score, slope * math.sqrt(var)


def choose_holdouts(fit: EloFit, cells: Sequence[str], anchors: Sequence[str], scheduled: Iterable[frozenset[str]],
                    count: int, low: float = 0.2, high: float = 0.8, chosen: Sequence[tuple[str, str]] = (),
                    widest: float = 0.1, step: float = 0.05) -> list[tuple[str, str]]:
    """``chosen`` and then more (cell, anchor) pairs the schedule does not play, up to ``count`` in all.

    New pairs have an expected score in [low, high]; where fewer than needed lie there (a dense schedule
    leaves few informative pairs unplayed), the window widens by ``step`` a side, to [widest, 1 - widest]
    at most. They are spread over cells and anchors (closest to an even match first, each cell and anchor
    used once before any is used twice, counting the uses in ``chosen``)."""
    chosen = [(a, b) for a, b in chosen][:count]
    taken = set(scheduled) | {frozenset(p) for p in chosen}
    scored = []
    for cell in cells:
        for anchor in anchors:
            if frozenset((cell, anchor)) in taken or cell not in fit.ratings or anchor not in fit.ratings:
                continue
            score, _ = predicted_score(fit, cell, anchor)
            scored.append((abs(score - 0.5), score, cell, anchor))
    scored.sort()
    need = count - len(chosen)
    while True:
        candidates = [(cell, anchor) for _, score, cell, anchor in scored if low - 1e-9 <= score <= high + 1e-9]
        if len(candidates) >= need or low <= widest + 1e-9:
            break
        low, high = max(widest, low - step), min(1.0 - widest, high + step)
    for rounds in range(1, count + 1):
        for cell, anchor in candidates:
            if len(chosen) >= count:
                return chosen
            uses = sum(cell in p for p in chosen) + sum(anchor in p for p in chosen)
            if (cell, anchor) not in chosen and uses < rounds:
                chosen.append((cell, anchor))
    return chosen


def holdout_rows(fit: EloFit, holdouts: Sequence[tuple[str, str]],
                 records: Sequence[tuple[str, str, float, int]]) -> list[dict[str, Any]]:
    """Predicted against measured score for each held-out pair (``records``: first seat, second seat,
    first seat's score, plies — in the order played, so colour-swapped games are neighbours)."""
    rows = []
    for a, b in holdouts:
        scores = [s if first == a else 1.0 - s for first, second, s, _ in records if {first, second} == {a, b}]
        if a not in fit.ratings or b not in fit.ratings:
            continue
        predicted, pred_se = predicted_score(fit, a, b)
        row: dict[str, Any] = {"a": a, "b": b, "games": len(scores), "predicted": predicted,
                               "predicted_stderr": pred_se, "measured": None, "measured_ci95": None,
                               "z": None, "outside": None}
        if len(scores) >= 2:
            measured, (lo, hi) = paired_mean_with_interval(scores)
            meas_se = (hi - lo) / (2 * Z95)
            z = (measured - predicted) / math.sqrt(max(meas_se ** 2 + pred_se ** 2, 1e-12))
            row.update(measured=measured, measured_ci95=[lo, hi], z=z, outside=bool(abs(z) > Z95))
        rows.append(row)
    return rows


@dataclass(frozen=True)
class FamilyRate:
    """The exchange rate with one family of anchors."""

    family: str
    anchors: tuple[str, ...]
    k: float | None
    ci95: tuple[float, float] | None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"family": self.family, "anchors": list(self.anchors), "k": self.k,
                "ci95": list(self.ci95) if self.ci95 else None, "note": self.note}


def family_exchange_rates(records: Sequence[tuple[str, str, float, int]], cells: Sequence[str],
                          anchors: Sequence[str], fit: EloFit,
                          rate_of: Callable[[Any, Mapping[str, float]], Any]) -> list[FamilyRate]:
    """For every family of anchors: the exchange rate on the cells' games plus that family's games only.

    ``rate_of(games, fixed)`` computes an exchange rate (or None) from a Games table and fixed ratings.
    """
    families: dict[str, list[str]] = {}
    for spec in anchors:
        families.setdefault(anchor_family(spec), []).append(spec)
    cell_set = set(cells)
    out = []
    for family, members in families.items():
        keep = cell_set | set(members)
        rows = [(a, b, s) for a, b, s, _ in records if a in keep and b in keep]
        fixed_spec = next((m for m in members if m in fit.ratings), None)
        if fixed_spec is None or not rows:
            out.append(FamilyRate(family, tuple(members), None, None, "no games"))
            continue
        try:
            rate = rate_of(games_from_results(rows), {fixed_spec: fit.ratings[fixed_spec].elo})
        except EloFitError as err:
            out.append(FamilyRate(family, tuple(members), None, None, f"cannot fit: {err}"))
            continue
        if rate is None:
            out.append(FamilyRate(family, tuple(members), None, None, "plane not identifiable"))
            continue
        out.append(FamilyRate(family, tuple(members), float(rate.k), (float(rate.ci95[0]), float(rate.ci95[1]))))
    return out
