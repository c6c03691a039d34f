"""Heads-up poker matches with duplicate deals: mbb/hand with a 95% interval (and the exact value).

Each deal is played twice with the seats swapped (the same cards go to the same seat), so the luck
of the cards cancels within a pair; the pair's score is agent A's mean return over its two hands.
The interval is a normal one over pairs (1.96 standard errors). On Kuhn and Leduc, when both agents
are tabular (``cfr``, ``subgame``), the exact expected chips/hand of A against B, averaged over both
seats, is computed from their full strategies as well, and each hand is also scored by AIVAT
(Burch et al. 2018): the return plus, at every chance node and every decision (both strategies are
known), the expected minus the realised value of a value function fixed before play: the expected
return of the cards and public state when both agents play their blueprints
(:mod:`agents.arena.aivat`). The corrections have
mean zero whatever the value function, so the estimate stays unbiased while most of the luck of
the cards and of the mixed actions cancels.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm import tqdm

from agents.arena.stats import mean_stderr, normal_interval
from agents.arena.summary import BIG_BLINDS
from agents.cfr import TabularPokerAgent
from agents.arena.aivat import AivatScorer, match_scorers
from agents.core import Agent
from agents.registry import make_agent
from games.core import Game, State
from games.registry import make_game
from search.cfr import game_tree
from search.cfr.tree import RULES

DECK = {"kuhn_poker": 3, "leduc_poker": 6, "holdem_limit": 52}
"""Card ids of each game's deck (chance outcomes are card ids)."""


@dataclass(frozen=True)
class HeadsUpResult:
    """A duplicate match's outcome from A's point of view."""

    pairs: int
    chips_per_hand: float
    stderr: float
    """Standard error of ``chips_per_hand`` (over pairs)."""
    big_blind: float

    @property
    def mbb_per_hand(self) -> float:
        return 1000.0 * self.chips_per_hand / self.big_blind

    @property
    def ci95_mbb(self) -> tuple[float, float]:
        return normal_interval(self.mbb_per_hand, 1000.0 * self.stderr / self.big_blind)


def _play_hand(game: Game, seats: tuple[Agent, Agent], deck: np.ndarray,
               scorer: "AivatScorer | None" = None) -> np.ndarray:
    """Returns of one hand (player 0's AIVAT score appended when a scorer is given); chance deals the
    first card of ``deck`` that is still available."""
    for agent in seats:
        agent.reset()
    state: State = game.new_state()
    while not state.is_terminal():
        if state.is_chance_node():
            outcomes = set(int(a) for a in state.chance_outcomes()[0])
            action = next(int(c) for c in deck if int(c) in outcomes)
        else:
            action = seats[state.current_player].act(state)
        for agent in seats:
            agent.observe(state, action)
        state.apply(action)
    returns = np.asarray(state.returns(), dtype=np.float64)
    if scorer is None:
        return returns
    return np.append(returns, scorer.score([int(a) for a in state.history], seats, float(returns[0])))


def duplicate_match(game: Game, a: Agent, b: Agent, pairs: int, seed: int,
                    aivat: bool = False, progress: bool = False) -> tuple[HeadsUpResult, HeadsUpResult | None]:
    """``pairs`` duplicate pairs of hands (A in seat 0 then seat 1 on the same cards); the plain
    result and, with ``aivat``, the AIVAT one. ``progress``: a bar of hands on stderr (rate, time left)."""
    rng = np.random.default_rng(seed)
    deck_size = DECK[game.spec.name]
    scorers = match_scorers(game.spec.name, a, b) if aivat else {}  # type: ignore[arg-type]
    scores = np.empty((pairs, 2))
    with tqdm(total=2 * pairs, desc="hands", unit="hand", file=sys.stderr, disable=None if progress else True,
              dynamic_ncols=True) as bar:
        for i in range(pairs):
            deck = rng.permutation(deck_size)
            first = _play_hand(game, (a, b), deck, scorers.get(0))
            second = _play_hand(game, (b, a), deck, scorers.get(1))
            scores[i, 0] = 0.5 * (first[0] + second[1])
            if scorers:
                scores[i, 1] = 0.5 * (first[2] - second[2])
            bar.update(2)
    results = [_result(scores[:, k], game.spec.name) for k in range(2 if aivat else 1)]
    return results[0], (results[1] if aivat else None)


def _result(scores: np.ndarray, game_name: str) -> HeadsUpResult:
    pairs = scores.shape[0]
    stderr = mean_stderr(scores) if pairs > 1 else float("inf")
    return HeadsUpResult(pairs=pairs, chips_per_hand=float(scores.mean()), stderr=stderr,
                         big_blind=BIG_BLINDS[game_name])


def exact_chips_per_hand(game_name: str, a: Agent, b: Agent) -> float | None:
    """Exact chips/hand of A against B over both seats (Kuhn/Leduc tabular agents), else None."""
    if game_name not in RULES or not (isinstance(a, TabularPokerAgent) and isinstance(b, TabularPokerAgent)):
        return None
    from benchmarks.poker.tradeoff import heads_up_value

    return heads_up_value(game_tree(game_name), a.full_strategy(), b.full_strategy())


def headsup(game_name: str, spec_a: str, spec_b: str, hands: int, seed: int, progress: bool = False) -> dict[str, Any]:
    """Play ``hands`` hands (``hands // 2`` duplicate pairs) of A against B and report mbb/hand
    (``progress``: a bar on stderr)."""
    game = make_game(game_name)
    a, b = make_agent(spec_a, game, seed=seed), make_agent(spec_b, game, seed=seed + 1)
    try:
        start = time.perf_counter()
        exact = exact_chips_per_hand(game_name, a, b)
        result, aivat = duplicate_match(game, a, b, hands // 2, seed, aivat=exact is not None, progress=progress)
        seconds = time.perf_counter() - start
    finally:
        a.close()
        b.close()
    lo, hi = result.ci95_mbb
    out: dict[str, Any] = {
        "game": game_name, "a": spec_a, "b": spec_b, "hands": 2 * result.pairs, "pairs": result.pairs,
        "seed": seed, "chips_per_hand": result.chips_per_hand, "mbb_per_hand": result.mbb_per_hand,
        "ci95_mbb_per_hand": [lo, hi], "stderr_mbb_per_hand": 1000.0 * result.stderr / result.big_blind,
        "excludes_zero": bool(lo > 0.0 or hi < 0.0), "seconds": seconds,
    }
    if exact is not None:
        out["exact_chips_per_hand"] = exact
        out["exact_mbb_per_hand"] = 1000.0 * exact / result.big_blind
    if aivat is not None:
        lo, hi = aivat.ci95_mbb
        out["aivat"] = {"mbb_per_hand": aivat.mbb_per_hand, "ci95_mbb_per_hand": [lo, hi],
                        "stderr_mbb_per_hand": 1000.0 * aivat.stderr / aivat.big_blind,
                        "excludes_zero": bool(lo > 0.0 or hi < 0.0)}
    for name, agent in (("a", a), ("b", b)):
        resolves = getattr(agent, "resolves", None)
        if resolves is not None:
            out[f"{name}_subgames_solved"] = resolves
    return out
