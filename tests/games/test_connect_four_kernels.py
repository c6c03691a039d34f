"""Connect four's scalar kernels (search's hot loops) against open_spiel, and the random playout's
distribution against exact probabilities."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pyspiel

from games.connect_four_kernels import (
    C4_DRAW,
    C4_ONGOING,
    C4_WIN_P0,
    C4_WIN_P1,
    c4_apply,
    c4_column_full,
    c4_init,
    c4_play,
    c4_playout_value,
    c4_rng_next,
    c4_rng_seed,
)

NUM_GAMES = 250
"""Random games walked; every position of each is checked (about 5,000 positions)."""
MASK64 = (1 << 64) - 1


def _outcome_of(ref: pyspiel.State) -> int:
    if not ref.is_terminal():
        return C4_ONGOING
    returns = ref.returns()
    return C4_WIN_P0 if returns[0] > 0 else C4_WIN_P1 if returns[1] > 0 else C4_DRAW


def test_scalar_kernels_match_open_spiel_on_random_positions() -> None:
    """Every position of random games: full columns = illegal moves, and every move's result (stones,
    ply, terminal, winner) equals open_spiel's and the state-array kernel's."""
    rng = np.random.default_rng(31)
    game = pyspiel.load_game("connect_four")
    positions = 0
    for _ in range(NUM_GAMES):
        ref = game.new_initial_state()
        p0, p1, ply, outcome = 0, 0, 0, C4_ONGOING
        while outcome == C4_ONGOING:
            legal = ref.legal_actions()
            full = [col for col in range(7) if c4_column_full(p0 | p1, col)]
            assert sorted(set(range(7)) - set(full)) == legal
            for col in legal:  # every move from this position
                q0, q1, q_ply, q_outcome = c4_play(p0, p1, ply, col)
                child = ref.clone()
                child.apply_action(col)
                assert q_outcome == _outcome_of(child) and q_ply == ply + 1
                assert bin(q0 | q1).count("1") == ply + 1 and (q0 & q1) == 0
                array = np.array([p0, p1, ply, outcome], np.int64)
                c4_apply(array, col)
                assert array.tolist() == [q0, q1, q_ply, q_outcome]
            col = int(legal[rng.integers(len(legal))])
            p0, p1, ply, outcome = c4_play(p0, p1, ply, col)
            ref.apply_action(col)
            positions += 1
        assert ref.is_terminal() and outcome == _outcome_of(ref)
    assert positions > 4000


def test_rng_is_splitmix64() -> None:
    """c4_rng_next against a plain-Python splitmix64 (Steele, Lea and Flood 2014)."""
    state = int(c4_rng_seed(12345))
    rng = np.uint64(c4_rng_seed(12345))  # numba returns uint64 as a Python int: typed int64 if passed back
    for _ in range(100):
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        z ^= z >> 31
        out, word = c4_rng_next(rng)
        rng = np.uint64(out)
        assert int(word) == z and int(rng) == state
    assert int(c4_rng_seed(1)) != int(c4_rng_seed(2))


def _exact_value(ref: pyspiel.State, player: int, memo: dict[str, Fraction]) -> Fraction:
    """Expected return of ``player`` when both sides play uniformly random legal moves."""
    key = str(ref)
    if key not in memo:
        if ref.is_terminal():
            memo[key] = Fraction(int(ref.returns()[player]))
        else:
            legal = ref.legal_actions()
            total = Fraction(0)
            for col in legal:
                child = ref.clone()
                child.apply_action(col)
                total += _exact_value(child, player, memo)
            memo[key] = total / len(legal)
    return memo[key]


def test_playout_value_has_the_exact_uniform_random_distribution() -> None:
    """Mean playout value from endgame positions (some columns full) equals the exact expectation of
    uniformly random play, within 4 standard errors (seeded: the outcome is fixed, not flaky)."""
    rng = np.random.default_rng(5)
    game = pyspiel.load_game("connect_four")
    checked = 0
    draws = 20000
    while checked < 6:
        ref, moves = game.new_initial_state(), []
        while not ref.is_terminal() and len(moves) < 33:
            legal = ref.legal_actions()
            moves.append(int(legal[rng.integers(len(legal))]))
            ref.apply_action(moves[-1])
        if ref.is_terminal() or len(ref.legal_actions()) == 7:
            continue
        s = np.zeros(4, np.int64)
        c4_init(s)
        for m in moves:
            c4_apply(s, m)
        mover = len(moves) % 2
        exact = float(_exact_value(ref, mover, {}))
        state = np.uint64(c4_rng_seed(checked))
        values = np.empty(draws)
        for i in range(draws):
            values[i], out = c4_playout_value(s[mover], s[1 - mover], len(moves), state)
            state = np.uint64(out)
        assert set(np.unique(values)) <= {-1.0, 0.0, 1.0}
        error = max(values.std(), 0.05) / np.sqrt(draws)
        assert abs(values.mean() - exact) < 4 * error, (moves, values.mean(), exact)
        checked += 1
