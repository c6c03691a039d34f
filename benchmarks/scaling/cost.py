"""Compute per move of each agent of the study, measured, and the time a schedule of games will take.

Each agent searches ``positions`` positions reached by random play (fixed seed), each from a fresh tree
(``reset()`` first), after one untimed warm-up move (numba loading, torch start-up). MCTS agents report
evaluator calls from their search summary — network evaluations for ``net=`` cells, rollouts for
``eval=rollout`` when the search counts them — the raw network makes one evaluation per move, and other
agents (Stockfish, searches that count no calls) report none.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from agents.registry import make_agent
from games.core import Game, State

DEFAULT_PLIES = {"connect_four": 21.0, "chess": 120.0}
"""Typical plies per game before any game of the study was played (then the measured mean is used)."""
GAME_OVERHEAD_S = 0.02
"""Seconds per game outside the agents' moves (set-up, records)."""


@dataclass(frozen=True)
class MoveCost:
    """Measured cost of one agent's move."""

    evaluations: float | None
    """Mean evaluator calls per move (None when the agent does not report them)."""
    seconds: float
    """Mean wall-clock seconds per move."""

    def to_json(self) -> dict:
        return {"evaluations_per_move": self.evaluations, "seconds_per_move": self.seconds}


def sample_positions(game: Game, count: int, seed: int, max_random_plies: int = 20) -> list[State]:
    """``count`` non-terminal positions after 0..max_random_plies random moves."""
    rng = np.random.default_rng(seed)
    found: list[State] = []
    while len(found) < count:
        state = game.new_state(rng)
        for _ in range(int(rng.integers(0, max_random_plies + 1))):
            if state.is_terminal():
                break
            legal = state.legal_actions()
            state.apply(int(legal[rng.integers(len(legal))]))
        if not state.is_terminal() and state.current_player >= 0:
            found.append(state)
    return found


def measure_move_cost(game: Game, spec: str, positions: Sequence[State], seed: int = 0) -> MoveCost:
    """Mean evaluations and seconds per move of the agent ``spec`` over ``positions``."""
    agent = make_agent(spec, game, seed=seed)
    try:
        agent.reset()
        agent.act(positions[0].copy())  # warm-up, not timed
        seconds, evals, reported = 0.0, 0.0, True
        for state in positions:
            agent.reset()
            start = time.perf_counter()
            agent.act(state.copy())
            seconds += time.perf_counter() - start
            summary = getattr(agent, "last_summary", None)
            if summary is not None:
                evals += float(summary.evaluator_calls)
            elif spec.startswith("net:"):
                evals += 1.0
            else:
                reported = False
    finally:
        agent.close()
    n = len(positions)
    return MoveCost(evaluations=evals / n if reported and evals > 0 else None, seconds=seconds / n)


def pair_seconds(costs: Mapping[str, MoveCost], a: str, b: str, plies: float) -> float:
    """Estimated seconds of one game between ``a`` and ``b`` (each makes half the moves)."""
    return 0.5 * plies * (costs[a].seconds + costs[b].seconds) + GAME_OVERHEAD_S


def schedule_seconds(costs: Mapping[str, MoveCost], games: Mapping[tuple[str, str], int], plies: float,
                     workers: int) -> float:
    """Estimated wall-clock seconds to play ``games[(a, b)]`` games of each pair on ``workers`` processes."""
    total = sum(n * pair_seconds(costs, a, b, plies) for (a, b), n in games.items() if n > 0)
    return total / max(1, workers)
