"""No-limit head-to-head with variance reduction: duplicate deals and AIVAT with the blueprint as value function.

Pair ``i`` deals one deck order twice (:func:`agents.arena.lbr.deal_order`), agent A in seat 0 then seat 1.
When both agents expose their strategies (:class:`agents.core.RangeAgent`) each hand is also scored by
AIVAT (:mod:`agents.arena.aivat_nolimit`); the value function is the blueprint checkpoint given. Pairs are
split among ``workers`` processes, each building both agents from their specs. Agents that search report
their decision times (``solve_seconds``), so the mean seconds per searched decision comes back too.
"""
from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agents.arena.aivat_nolimit import NoLimitAivat
from agents.arena.lbr import deal_order
from agents.arena.stats import mean_stderr, normal_interval
from agents.cfr_nolimit import load_nolimit_blueprint, own_combo
from agents.core import Agent, RangeAgent
from agents.registry import make_agent
from games.core import Game
from games.registry import make_game


@dataclass
class PairScores:
    """Per-pair scores of A (mean over its two hands), plain and AIVAT-corrected."""

    plain: list[float] = field(default_factory=list)
    aivat: list[float] = field(default_factory=list)
    decision_seconds: list[float] = field(default_factory=list)
    """Seconds of A's searched decisions."""


def play_hand(game: Game, seats: tuple[Agent, Agent], deck: np.ndarray, seed: int,
              scorer: NoLimitAivat | None) -> tuple[float, float]:
    """(player 0's return, player 0's AIVAT score or nan) of one hand dealt in ``deck`` order."""
    for agent in seats:
        agent.new_game(seed)
    state = game.new_state()
    correction = 0.0
    position = 0
    while not state.is_terminal():
        if state.is_chance_node():
            legal = set(int(a) for a in state.legal_actions())
            while int(deck[position]) not in legal:
                position += 1
            card = int(deck[position])
            if scorer is not None:
                correction += scorer.chance(state, card)
            state.apply(card)
            continue
        agent = seats[state.current_player]
        action = agent.act(state)
        if scorer is not None:
            actions, probs = agent.hand_policy(state)  # type: ignore[attr-defined]
            row = np.asarray(probs[own_combo(state)], dtype=np.float64)
            correction += scorer.decision(state, actions, row / row.sum(), action)  # player 0's values
        state.apply(action)
    ret0 = float(state.returns()[0])
    return ret0, (ret0 + correction) if scorer is not None else float("nan")


def play_pairs(game_name: str, spec_a: str, spec_b: str, first: int, count: int, seed: int, value_checkpoint: str,
               threads: int = 0) -> PairScores:
    """Pairs ``first .. first + count - 1`` of A against B."""
    if threads:
        import numba

        numba.set_num_threads(threads)
    game = make_game(game_name)
    a = make_agent(spec_a, game, seed=seed)
    b = make_agent(spec_b, game, seed=seed + 1)
    scorer = None
    if value_checkpoint and isinstance(a, RangeAgent) and isinstance(b, RangeAgent):
        blueprint, source = load_nolimit_blueprint(game, value_checkpoint)
        scorer = NoLimitAivat(blueprint, source)
    out = PairScores()
    try:
        for i in range(first, first + count):
            deck = deal_order(seed, i)
            r0, s0 = play_hand(game, (a, b), deck, seed + 2 * i, scorer)
            r1, s1 = play_hand(game, (b, a), deck, seed + 2 * i + 1, scorer)
            out.plain.append(0.5 * (r0 - r1))
            out.aivat.append(0.5 * (s0 - s1))
        out.decision_seconds = list(getattr(a, "solve_seconds", []))
    finally:
        a.close()
        b.close()
    return out


def headsup_nolimit(game_name: str, spec_a: str, spec_b: str, pairs: int, seed: int = 0, workers: int = 1,
                    value_checkpoint: str = "") -> dict[str, Any]:
    """A against B over ``pairs`` duplicate pairs: mbb/hand with 95% intervals, plain and AIVAT."""
    game = make_game(game_name)
    start = time.perf_counter()
    workers = max(1, min(workers, pairs))
    if workers == 1:
        scores = play_pairs(game_name, spec_a, spec_b, 0, pairs, seed, value_checkpoint)
    else:
        bounds = np.linspace(0, pairs, workers + 1).astype(int)
        context = multiprocessing.get_context("forkserver" if "forkserver" in multiprocessing.get_all_start_methods()
                                              else "spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            parts = [pool.submit(play_pairs, game_name, spec_a, spec_b, int(lo), int(hi - lo), seed,
                                 value_checkpoint, 1) for lo, hi in zip(bounds[:-1], bounds[1:])]
            scores = PairScores()
            for part in parts:
                got = part.result()
                scores.plain += got.plain
                scores.aivat += got.aivat
                scores.decision_seconds += got.decision_seconds
    return summarize(game, spec_a, spec_b, scores, seed, time.perf_counter() - start, workers)


def summarize(game: Game, spec_a: str, spec_b: str, scores: PairScores, seed: int, seconds: float,
              workers: int) -> dict[str, Any]:
    """A's mbb/hand with 95% intervals (plain, and AIVAT when every hand has it) and its decision times."""
    bb = float(game.rules.big_blind)  # type: ignore[attr-defined]
    pairs = len(scores.plain)
    out: dict[str, Any] = {"game": game.spec.name, "a": spec_a, "b": spec_b, "pairs": pairs, "hands": 2 * pairs,
                           "seed": seed, "seconds": seconds, "workers": workers,
                           **_estimate("", scores.plain, bb)}
    if scores.aivat and not np.isnan(scores.aivat).any():
        out["aivat"] = _estimate("", scores.aivat, bb)
    if scores.decision_seconds:
        out["a_decision_seconds_mean"] = float(np.mean(scores.decision_seconds))
        out["a_decisions_searched"] = len(scores.decision_seconds)
    return out


def _estimate(prefix: str, values: list[float], big_blind: float) -> dict[str, Any]:
    mean = 1000.0 * float(np.mean(values)) / big_blind
    stderr = 1000.0 * mean_stderr(values) / big_blind
    lo, hi = normal_interval(mean, stderr)
    return {f"{prefix}mbb_per_hand": mean, f"{prefix}ci95_mbb_per_hand": [lo, hi],
            f"{prefix}stderr_mbb_per_hand": stderr, f"{prefix}excludes_zero": bool(lo > 0.0 or hi < 0.0)}
