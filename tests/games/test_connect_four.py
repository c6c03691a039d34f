"""Connect four: the State API against open_spiel's connect_four, the numba kernels directly, text form."""
from __future__ import annotations

import numpy as np
import pyspiel
import pytest

from games.connect_four import ConnectFourGame, ConnectFourState
from games.connect_four_kernels import (
    C4_DRAW,
    C4_NUM_ACTIONS,
    C4_ONGOING,
    C4_STATE_SIZE,
    C4_WIN_P0,
    C4_WIN_P1,
    c4_apply,
    c4_current_player,
    c4_init,
    c4_is_terminal,
    c4_legal_bits,
    c4_legal_mask,
    c4_observation,
    c4_random_playout,
    c4_seed,
    c4_value_for,
)
from games.core import TERMINAL, IllegalActionError, StateParseError
from games.registry import make_game

NUM_PLAYTHROUGHS = 1000


def _kernel_state(moves: str) -> np.ndarray:
    """A kernel state after the given column digits."""
    s = np.zeros(C4_STATE_SIZE, dtype=np.int64)
    c4_init(s)
    for ch in moves:
        c4_apply(s, int(ch))
    return s


def _oracle_observation(ref: pyspiel.State, mover: int) -> np.ndarray:
    """open_spiel's tensor is (x, o, empty) for everyone; ours puts the mover's stones first."""
    planes = np.asarray(ref.observation_tensor(0), dtype=np.float32).reshape(3, 6, 7)
    return planes[[1, 0, 2]] if mover == 1 else planes


def test_registry_spec() -> None:
    game = make_game("connect_four")
    assert isinstance(game, ConnectFourGame)
    spec = game.spec
    assert (spec.num_players, spec.num_actions, spec.observation_shape) == (2, 7, (3, 6, 7))
    assert spec.compiled is not None and spec.zero_sum and spec.perfect_information and not spec.has_chance
    ref = pyspiel.load_game("connect_four")
    assert spec.max_game_length == ref.max_game_length()
    assert (spec.min_utility, spec.max_utility) == (ref.min_utility(), ref.max_utility())
    assert spec.num_actions == ref.num_distinct_actions() == C4_NUM_ACTIONS


def test_random_playthroughs_match_open_spiel() -> None:
    rng = np.random.default_rng(20261123)
    game = ConnectFourGame()
    ref_game = pyspiel.load_game("connect_four")
    outcomes = {"p0": 0, "p1": 0, "draw": 0}
    for _ in range(NUM_PLAYTHROUGHS):
        state, ref = game.new_state(), ref_game.new_initial_state()
        while True:
            assert state.is_terminal() == ref.is_terminal()
            np.testing.assert_array_equal(state.returns(), ref.returns())
            if ref.is_terminal():
                assert state.current_player == TERMINAL
                assert len(state.legal_actions()) == 0
                break
            assert state.current_player == ref.current_player()
            legal = state.legal_actions()
            np.testing.assert_array_equal(legal, ref.legal_actions())
            np.testing.assert_array_equal(state.legal_action_mask(), ref.legal_actions_mask())
            np.testing.assert_array_equal(state.observation(), _oracle_observation(ref, ref.current_player()))
            action = int(legal[rng.integers(len(legal))])
            state.apply(action)
            ref.apply_action(action)
        r = state.returns()
        outcomes["p0" if r[0] > 0 else "p1" if r[1] > 0 else "draw"] += 1
        assert len(state.history) == len(ref.history())
    # Random play reaches all three outcomes; player 0 wins more often than player 1.
    assert outcomes["p0"] > outcomes["p1"] > 0 and outcomes["draw"] >= 0


DRAWN_GAME = "341021034560252312626116663135424054003455"
"""A 42-move game without four in a row (found by random play, refereed by open_spiel below)."""


def test_full_board_draw_matches_open_spiel() -> None:
    ref = pyspiel.load_game("connect_four").new_initial_state()
    for ch in DRAWN_GAME:
        assert not ref.is_terminal()
        ref.apply_action(int(ch))
    assert ref.is_terminal() and ref.returns() == [0.0, 0.0]
    s = _kernel_state(DRAWN_GAME)
    assert s[3] == C4_DRAW and c4_is_terminal(s) and s[2] == 42
    assert c4_legal_bits(s) == 0
    assert c4_value_for(s, 0) == 0.0 and c4_value_for(s, 1) == 0.0
    assert s[0] | s[1] == sum(((1 << 6) - 1) << (7 * c) for c in range(7))  # every cell, no sentinel
    before = _kernel_state(DRAWN_GAME[:-1])
    assert before[3] == C4_ONGOING and c4_legal_bits(before) == 1 << int(DRAWN_GAME[-1])
    state = ConnectFourGame().state_from_string(DRAWN_GAME)
    assert state.is_terminal() and list(state.returns()) == [0.0, 0.0] and state.current_player == TERMINAL


@pytest.mark.parametrize(
    ("moves", "outcome"),
    [
        ("0101010", C4_WIN_P0),  # vertical in column 0
        ("0011223", C4_WIN_P0),  # horizontal on the bottom row
        ("60615253", C4_WIN_P1),  # player 1, horizontal on the bottom row
        ("01123223433", C4_WIN_P0),  # diagonal up-right from (0, 0)
        ("65543443233", C4_WIN_P0),  # diagonal up-left from (6, 0)
        ("1234321244554", C4_ONGOING),  # no four yet
    ],
)
def test_kernel_wins_in_each_direction(moves: str, outcome: int) -> None:
    s = _kernel_state(moves)
    assert s[3] == outcome
    assert _kernel_state(moves[:-1])[3] == C4_ONGOING  # the last move decides
    ref = pyspiel.load_game("connect_four").new_initial_state()
    for ch in moves:
        ref.apply_action(int(ch))
    assert ref.is_terminal() == (outcome != C4_ONGOING)
    winner = {C4_WIN_P0: 0, C4_WIN_P1: 1}.get(outcome)
    if winner is not None:
        assert ref.returns()[winner] == 1.0
        assert c4_value_for(s, winner) == 1.0 and c4_value_for(s, 1 - winner) == -1.0
        assert c4_is_terminal(s) and c4_legal_bits(s) == 0
        mask = np.ones(7, dtype=bool)
        c4_legal_mask(s, mask)
        assert not mask.any()
    else:
        assert not c4_is_terminal(s) and c4_value_for(s, 0) == 0.0


def test_kernel_basics() -> None:
    s = _kernel_state("")
    assert c4_current_player(s) == 0 and c4_legal_bits(s) == 0b1111111
    c4_apply(s, 3)
    assert c4_current_player(s) == 1 and s[0] == 1 << 21 and s[1] == 0 and s[2] == 1
    c4_apply(s, 3)
    assert s[1] == 1 << 22  # stacked on top: bit col*7 + row
    for _ in range(4):
        c4_apply(s, 3)
    assert c4_legal_bits(s) == 0b1110111  # column 3 is full
    mask = np.zeros(7, dtype=bool)
    c4_legal_mask(s, mask)
    assert mask.tolist() == [True, True, True, False, True, True, True]
    obs = np.zeros((3, 6, 7), dtype=np.float32)
    c4_observation(s, obs)  # six stones in column 3 alternating x, o from the bottom; x to move
    assert obs[0, :, 3].tolist() == [1, 0, 1, 0, 1, 0] and obs[1, :, 3].tolist() == [0, 1, 0, 1, 0, 1]
    assert obs[2].sum() == 36


def test_kernel_random_playout_terminates() -> None:
    c4_seed(123)
    seen = set()
    for _ in range(2000):
        s = _kernel_state("")
        outcome = c4_random_playout(s)
        assert outcome in (C4_WIN_P0, C4_WIN_P1, C4_DRAW) and s[3] == outcome
        assert 7 <= s[2] <= 42
        assert bin(int(s[0])).count("1") + bin(int(s[1])).count("1") == s[2]
        # the stones never touch the sentinel row
        sentinel = sum(1 << (c * 7 + 6) for c in range(7))
        assert (int(s[0]) | int(s[1])) & sentinel == 0
        seen.add(int(outcome))
    assert {C4_WIN_P0, C4_WIN_P1} <= seen
    c4_seed(5)
    a = _kernel_state("33")
    c4_random_playout(a)
    c4_seed(5)
    b = _kernel_state("33")
    c4_random_playout(b)
    np.testing.assert_array_equal(a, b)  # seeded playouts repeat


def test_kernel_playout_outcome_matches_slow_reference() -> None:
    """Final positions of compiled playouts, judged by a cell-by-cell scan of both bitboards."""
    c4_seed(99)
    game = ConnectFourGame()
    for _ in range(300):
        work = game.new_state().kernel_state.copy()
        c4_random_playout(work)
        p0, p1 = int(work[0]), int(work[1])
        assert (work[3] == C4_WIN_P0) == _has_four(p0)
        assert (work[3] == C4_WIN_P1) == _has_four(p1)
        assert (work[3] == C4_DRAW) == (work[2] == 42 and not _has_four(p0) and not _has_four(p1))


def _has_four(board: int) -> bool:
    """Slow reference: scan every cell in every direction."""
    def cell(c: int, r: int) -> bool:
        return 0 <= c < 7 and 0 <= r < 6 and (board >> (c * 7 + r)) & 1 == 1
    for c in range(7):
        for r in range(6):
            for dc, dr in ((1, 0), (0, 1), (1, 1), (1, -1)):
                if all(cell(c + k * dc, r + k * dr) for k in range(4)):
                    return True
    return False


def test_text_round_trip_and_board() -> None:
    game = ConnectFourGame()
    rng = np.random.default_rng(1)
    for _ in range(50):
        state = game.new_state()
        while not state.is_terminal():
            text = str(state)
            again = game.state_from_string(text)
            assert str(again) == text and again.history == state.history
            np.testing.assert_array_equal(again.kernel_state, state.kernel_state)
            legal = state.legal_actions()
            state.apply(int(legal[rng.integers(len(legal))]))
        assert str(game.state_from_string(str(state))) == str(state)
    state = game.state_from_string(" 3 4\n3 ")
    assert str(state) == "343" and state.board_string().splitlines()[-2:] == ["...x...", "...xo.."]
    assert str(game.new_state()) == "" and str(game.state_from_string("")) == ""


def test_action_strings() -> None:
    state = ConnectFourGame().new_state()
    assert [state.action_to_string(a) for a in range(7)] == list("0123456")
    assert state.string_to_action(" 4 ") == 4
    with pytest.raises(IllegalActionError):
        state.string_to_action("x4")


@pytest.mark.parametrize("text", ["7", "3a", "-1", "3,4", "0000000", "0101010" + "1", "x3o4"])
def test_malformed_text_is_rejected(text: str) -> None:
    with pytest.raises(StateParseError) as err:
        ConnectFourGame().state_from_string(text)
    assert "\n" not in str(err.value) and "connect_four" in str(err.value)


def test_illegal_apply_and_copy_independence() -> None:
    game = ConnectFourGame()
    state = game.state_from_string("000000")
    with pytest.raises(IllegalActionError):
        state.apply(0)
    for bad in (-1, 7, 100):
        with pytest.raises(IllegalActionError):
            state.apply(bad)
    copy = state.copy()
    assert isinstance(copy, ConnectFourState)
    copy.apply(1)
    assert str(state) == "000000" and str(copy) == "0000001"
    assert state.kernel_state[2] == 6 and copy.kernel_state[2] == 7
