"""A match from one side (A): wins/draws/losses, score, Elo difference with its interval, poker winnings.

The statistics are :mod:`agents.arena.stats`'s (Elo from the score with the quarter-game clipping,
normal intervals). **Poker**: the mean of A's chips per hand with a 95% interval, and the same in
milli-big-blinds per hand (``1000 * chips / big blind``). Games come in duplicate pairs (the same
deal with the seats swapped), so the standard error is computed over the pairs' means (a last
unpaired game counts as its own unit): the luck of the cards that cancels within a pair does not
widen the interval. When AIVAT scores are given (:mod:`agents.arena.aivat`: Kuhn/Leduc between
tabular agents), the same estimate from them is reported as ``aivat_mbb_per_hand`` and
``aivat_mbb_ci95`` — unbiased, with a much narrower interval.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np

from agents.arena.stats import elo_with_interval, paired_mean_with_interval, score_of

BIG_BLINDS: dict[str, float] = {
    # chips in one big blind (or ante, for the games that have only an ante)
    "kuhn_poker": 1.0,
    "leduc_poker": 1.0,
    "holdem_limit": 2.0,  # games/poker/holdem.py: BLINDS = (2, 1)
    "openspiel:kuhn_poker": 1.0,
    "openspiel:leduc_poker": 1.0,
}
"""Big blind of each poker game, for mbb/hand (games not listed: 1 chip)."""


@dataclass(frozen=True)
class MatchSummary:
    """A match from A's side."""

    games: int
    wins: int
    draws: int
    losses: int
    score: float | None
    """Mean score of A (None before any game)."""
    elo: float | None
    """Elo of A minus B (None before any game)."""
    elo_ci95: tuple[float, float] | None
    chips_per_hand: float | None = None
    """Poker only: A's mean winnings per hand, in chips."""
    chips_ci95: tuple[float, float] | None = None
    mbb_per_hand: float | None = None
    """Poker only: A's mean winnings in milli-big-blinds per hand."""
    mbb_ci95: tuple[float, float] | None = None
    aivat_mbb_per_hand: float | None = None
    """Poker (Kuhn/Leduc, tabular agents): A's mbb/hand estimated from AIVAT-corrected scores."""
    aivat_mbb_ci95: tuple[float, float] | None = None

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        for key in ("chips_per_hand", "chips_ci95", "mbb_per_hand", "mbb_ci95", "aivat_mbb_per_hand",
                    "aivat_mbb_ci95"):
            if data[key] is None:
                data.pop(key)
        return data


def summarize(returns_of_a: Sequence[tuple[float, ...]], seats_of_a: Sequence[int], poker: bool = False,
              big_blind: float = 1.0, aivat_of_a: Sequence[float] | None = None) -> MatchSummary:
    """Summarise finished games: ``returns_of_a[g]`` is game g's returns, ``seats_of_a[g]`` A's seat in it;
    ``aivat_of_a[g]`` A's AIVAT-corrected chips in game g (poker, optional)."""
    scores = [score_of(r, s) for r, s in zip(returns_of_a, seats_of_a)]
    n = len(scores)
    wins = sum(1 for s in scores if s == 1.0)
    losses = sum(1 for s in scores if s == 0.0)
    score = elo = ci = None
    if n:
        score = float(np.mean(scores))
        elo, ci = elo_with_interval(scores)
    if not poker:
        return MatchSummary(n, wins, n - wins - losses, losses, score, elo, ci)
    chips = [float(r[s]) for r, s in zip(returns_of_a, seats_of_a)]
    mean = mbb = chips_ci = mbb_ci = aivat = aivat_ci = None
    to_mbb = 1000.0 / big_blind
    if n:
        mean, chips_ci = paired_mean_with_interval(chips)
        mbb = to_mbb * mean
        mbb_ci = (to_mbb * chips_ci[0], to_mbb * chips_ci[1])
        if aivat_of_a is not None and len(aivat_of_a) == n:
            corrected, corrected_ci = paired_mean_with_interval(aivat_of_a)
            aivat, aivat_ci = to_mbb * corrected, (to_mbb * corrected_ci[0], to_mbb * corrected_ci[1])
    return MatchSummary(n, wins, n - wins - losses, losses, score, elo, ci, mean, chips_ci, mbb, mbb_ci, aivat,
                        aivat_ci)


def _fmt(value: float | None, digits: int = 1, sign: bool = True) -> str:
    if value is None:
        return "-"
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def format_summary(summary: MatchSummary, name_a: str, name_b: str) -> str:
    """A small text table of the summary."""
    lines = [f"{name_a} vs {name_b}: {summary.games} games",
             f"  wins {summary.wins}  draws {summary.draws}  losses {summary.losses}  (from {name_a}'s side)",
             f"  score {_fmt(summary.score, 3, sign=False)}"]
    if summary.elo is not None and summary.elo_ci95 is not None:
        lo, hi = summary.elo_ci95
        lines.append(f"  Elo difference {_fmt(summary.elo)}  95% [{_fmt(lo)}, {_fmt(hi)}]")
    if summary.chips_per_hand is not None and summary.chips_ci95 and summary.mbb_ci95:
        lines.append(f"  chips/hand {_fmt(summary.chips_per_hand, 3)}  95% [{_fmt(summary.chips_ci95[0], 3)}, "
                     f"{_fmt(summary.chips_ci95[1], 3)}]")
        lines.append(f"  mbb/hand {_fmt(summary.mbb_per_hand)}  95% [{_fmt(summary.mbb_ci95[0])}, "
                     f"{_fmt(summary.mbb_ci95[1])}]  (duplicate pairs)")
    if summary.aivat_mbb_per_hand is not None and summary.aivat_mbb_ci95:
        lines.append(f"  mbb/hand {_fmt(summary.aivat_mbb_per_hand)}  95% [{_fmt(summary.aivat_mbb_ci95[0])}, "
                     f"{_fmt(summary.aivat_mbb_ci95[1])}]  (AIVAT, variance-reduced)")
    return "\n".join(lines)
