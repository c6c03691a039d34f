"""The exact river value between two range agents against a brute-force oracle that plays each pair of hole
cards through the game's own rules (``state.returns()``)."""
from __future__ import annotations

import zlib

import numpy as np
import pytest

from agents.arena.exact_river import RiverBoard, river_best_response, river_value
from games.core import State
from games.registry import make_game
from search.cfr.abstraction import COMBOS

CALL = 1


class ScriptedAgent:
    """A mixed strategy per public state and hand, drawn from a hash of the public history: fold (if
    legal), call, the smallest raise and all-in."""

    def __init__(self, salt: int) -> None:
        self.salt = salt

    def hand_policy(self, state: State) -> tuple[np.ndarray, np.ndarray]:
        legal = [int(a) for a in state.legal_actions()]
        raises = [a for a in legal if a > CALL]
        actions = [a for a in legal if a <= CALL] + sorted({min(raises), max(raises)} if raises else set())
        key = zlib.crc32(f"{self.salt} {state.sequences} {state.board}".encode())  # type: ignore[attr-defined]
        probs = np.random.default_rng(key).random((1326, len(actions))) ** 3
        return np.array(actions, dtype=np.int64), probs / probs.sum(axis=1, keepdims=True)


def river_state(seed: int) -> State:
    """A river decision reached by checking and calling through the earlier rounds."""
    game = make_game("holdem_nolimit(stack=1000,blinds=5/10)")
    rng = np.random.default_rng(seed)
    state = game.new_state(rng)
    while not (int(state.round) == 3 and state.current_player >= 0):  # type: ignore[attr-defined]
        if state.current_player < 0:
            outcomes, probs = state.chance_outcomes()
            state.apply(int(rng.choice(outcomes, p=probs)))
        else:
            state.apply(CALL)
    return state


def brute_force(state: State, agents: list[ScriptedAgent], hole: tuple[int, int]) -> float:
    """Player 0's expected chips with hole combos ``hole``, by playing every line through the game."""
    if state.is_terminal():
        return float(state.returns()[0])
    actions, probs = agents[state.current_player].hand_policy(state)
    row = probs[hole[state.current_player]]
    total = 0.0
    for a, p in zip(actions, row):
        if p > 0:
            child = state.copy()
            child.apply(int(a))
            total += p * brute_force(child, agents, hole)
    return total


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_river_value_equals_brute_force_over_pairs(seed: int) -> None:
    start = river_state(seed)
    rng = np.random.default_rng(100 + seed)
    board = set(start.board)  # type: ignore[attr-defined]
    free = [c for c in range(1326) if not set(COMBOS[c].tolist()) & board]
    support = [rng.choice(free, size=5, replace=False) for _ in range(2)]
    ranges = np.zeros((2, 1326))
    for p in range(2):
        ranges[p, support[p]] = rng.random(5) + 0.1
    agents = [ScriptedAgent(1), ScriptedAgent(2)]
    total, mass = 0.0, 0.0
    for h0 in support[0]:
        for h1 in support[1]:
            if set(COMBOS[h0].tolist()) & set(COMBOS[h1].tolist()):
                continue  # the two hands share a card: never dealt together
            dealt = start.copy()
            dealt.hole = [COMBOS[h0].tolist(), COMBOS[h1].tolist()]  # type: ignore[attr-defined]
            w = ranges[0, h0] * ranges[1, h1]
            total += w * brute_force(dealt, agents, (int(h0), int(h1)))
            mass += w
    exact = river_value(start, agents, ranges, min_share=0.0)
    assert exact.value == pytest.approx(total / mass, rel=1e-9, abs=1e-9)
    assert exact.pruned == 0.0 and exact.decisions > 3


def test_pruned_lines_stay_within_their_bound() -> None:
    start = river_state(3)
    ranges = np.ones((2, 1326))
    agents = [ScriptedAgent(4), ScriptedAgent(5)]
    exact = river_value(start, agents, ranges, min_share=0.0)
    cut = river_value(start, agents, ranges, min_share=0.05)
    assert cut.pruned > 0.0 and cut.decisions < exact.decisions
    stack = 1000
    assert abs(cut.value - exact.value) <= cut.pruned * stack


def test_fold_and_showdown_pots_on_a_known_board() -> None:
    """Always calling from a checked-down river: player 0 wins the pot's half exactly as often as its hand
    beats the other's (pairs that share a card excluded)."""
    start = river_state(4)
    table = RiverBoard(start.board)  # type: ignore[attr-defined]

    class Caller:
        def hand_policy(self, state: State) -> tuple[np.ndarray, np.ndarray]:
            return np.array([CALL]), np.ones((1326, 1))

    ranges = np.ones((2, 1326))
    value = river_value(start, [Caller(), Caller()], ranges, board=table).value
    assert value == pytest.approx(0.0, abs=1e-9)  # the same range on both sides: a fair showdown
    ranges[1] = 0.0
    ranges[1, table.combos[:200]] = 1.0
    local = ranges[:, table.combos]
    wins = local[0] @ table.win @ local[1] - local[0] @ table.lose @ local[1]
    expected = start.spent[0] * wins / table.mass(local)  # type: ignore[attr-defined]
    assert river_value(start, [Caller(), Caller()], ranges, board=table).value == pytest.approx(expected)
    with pytest.raises(ValueError, match="river"):
        river_value(make_game("holdem_nolimit").new_state(np.random.default_rng(0)), [Caller(), Caller()], ranges)


def brute_force_response(state: State, agent: ScriptedAgent, me: int, hand: int, weights: dict[int, float]) -> float:
    """The responder's best chips with hole combo ``hand``, summed over opponent hands weighted by
    ``weights`` (their reach so far), scored by the game's own ``returns()``."""
    if state.is_terminal():
        total = 0.0
        for other, w in weights.items():
            dealt = state.copy()
            hole = [COMBOS[hand].tolist(), COMBOS[other].tolist()]
            dealt.hole = hole if me == 0 else hole[::-1]  # type: ignore[attr-defined]
            total += w * float(dealt.returns()[me])
        return total
    if state.current_player == me:
        best = -np.inf
        legal = [int(a) for a in state.legal_actions()]
        span = state.raise_range()  # type: ignore[attr-defined]
        m = int(state.max_spent)  # type: ignore[attr-defined]
        candidates = {a for a in legal if a <= CALL}
        if span is not None:
            candidates |= {min(max(int(round(m + f * 2 * m)), span[0]), span[1]) for f in (0.5, 0.75, 1.0, 2.0)}
            candidates.add(span[1])
        for a in candidates:
            child = state.copy()
            child.apply(a)
            best = max(best, brute_force_response(child, agent, me, hand, weights))
        return best
    actions, probs = agent.hand_policy(state)
    total = 0.0
    for k, a in enumerate(actions):
        child = state.copy()
        child.apply(int(a))
        total += brute_force_response(child, agent, me, hand, {h: w * probs[h, k] for h, w in weights.items()})
    return total


@pytest.mark.parametrize("me", [0, 1])
def test_best_response_equals_brute_force(me: int) -> None:
    start = river_state(5 + me)
    rng = np.random.default_rng(7)
    board = set(start.board)  # type: ignore[attr-defined]
    free = [c for c in range(1326) if not set(COMBOS[c].tolist()) & board]
    picked = rng.choice(free, size=8, replace=False)
    ranges = np.zeros((2, 1326))
    ranges[me, picked[:3]] = [1.0, 0.5, 0.2]
    ranges[1 - me, picked[3:]] = rng.random(5) + 0.1
    agent = ScriptedAgent(9)
    total, mass = 0.0, 0.0
    for h in picked[:3]:
        weights = {int(o): ranges[1 - me, o] for o in picked[3:] if not set(COMBOS[o].tolist()) & set(COMBOS[h].tolist())}
        total += ranges[me, h] * brute_force_response(start, agent, me, int(h), weights)
        mass += ranges[me, h] * sum(weights.values())
    exact = river_best_response(start, agent, me, ranges, min_share=0.0)
    assert exact.value == pytest.approx(total / mass, rel=1e-9, abs=1e-9)


def test_best_response_beats_any_fixed_strategy() -> None:
    """A best responder with all-in among its sizes wins at least what a fold/call/all-in strategy wins."""
    start = river_state(8)

    class Shover:
        def hand_policy(self, state: State) -> tuple[np.ndarray, np.ndarray]:
            legal = [int(a) for a in state.legal_actions()]
            actions = [a for a in legal if a <= CALL] + [max(legal)] * (max(legal) > CALL)
            probs = np.random.default_rng(len(state.history)).random((1326, len(actions)))
            return np.array(actions), probs / probs.sum(axis=1, keepdims=True)

    ranges = np.ones((2, 1326))
    agent = ScriptedAgent(11)
    for me in (0, 1):
        seats = [Shover(), agent] if me == 0 else [agent, Shover()]
        fixed = river_value(start, seats, ranges, min_share=0.0).value * (1 if me == 0 else -1)
        assert river_best_response(start, agent, me, ranges, min_share=0.0).value >= fixed - 1e-9
